//! `postguard`: check social media text against an organisation's policy.

mod batch;
mod eval;
mod input;
mod output;

use anyhow::{Context as _, Result};
use clap::{Args, Parser, Subcommand, ValueEnum};
use postguard_policy::Policy;
use postguard_scan::{Channel, Consent, Context, Post, PostKind, Scanner};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Check social media posts by healthcare staff against the organisation's policy.
#[derive(Debug, Parser)]
#[command(name = "postguard", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a text (a file, or standard input) or a batch of texts (--jsonl).
    ///
    /// Exit status: 0 when nothing needs review, 1 when a finding is at `review` or `block`,
    /// 2 on a usage or input error.
    Check(CheckArgs),
    /// Print the text with every identifier replaced by a typed placeholder ([NAME], [DATE], ...).
    Redact(TextArgs),
    /// Measure the scanner's accuracy on a labelled corpus (JSON lines with spans).
    Eval(EvalArgs),
    /// Check whether a personal handle or display name uses the organisation's name or logo.
    CheckHandle(HandleArgs),
    /// Validate, explain or render a policy file.
    #[command(subcommand)]
    Policy(PolicyCommand),
    /// Run the Postguard service (HTTP API, /healthz, /metrics, /api/openapi.json).
    ///
    /// Settings come from --config (TOML), then POSTGUARD_* environment variables, then these
    /// flags. Logs go to standard error; RUST_LOG sets the level (default: info).
    Serve(ServeArgs),
    /// Check the audit log's hash chain (the database of DATABASE_URL, else ./postguard.db).
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Manage users (the database of DATABASE_URL, else ./postguard.db).
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Export for legal, as JSON lines or CSV: the audit log, or a post's history (the database
    /// of DATABASE_URL, else ./postguard.db). Each export is itself recorded in the audit log.
    #[command(subcommand)]
    Export(ExportCommand),
}

#[derive(Debug, Subcommand)]
enum ExportCommand {
    /// Every audit entry in order, with its hash and the previous one's, so the chain can be
    /// checked outside Postguard.
    Audit(ExportArgs),
    /// Every version (with its text and scan) and every decision (with the reviewer's note and
    /// reason) of one post, in the order they happened.
    History {
        /// The post's id.
        post: i64,
        #[command(flatten)]
        args: ExportArgs,
    },
}

#[derive(Debug, Args)]
struct ExportArgs {
    /// jsonl (one JSON object per line) or csv (with a header row).
    #[arg(long, value_enum, default_value = "jsonl")]
    format: ExportFormat,
    /// Write to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Jsonl,
    Csv,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Verify the whole chain; names the first entry altered, removed or reordered. Exit 1 if
    /// the chain is broken.
    Verify,
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a user. The password is POSTGUARD_NEW_PASSWORD if set, else a one-time password
    /// printed once.
    CreateUser(CreateUserArgs),
}

#[derive(Debug, Args)]
struct CreateUserArgs {
    /// The username.
    username: String,
    /// staff, reviewer, compliance or admin.
    #[arg(long, default_value = "staff")]
    role: String,
    /// The name shown in the interface.
    #[arg(long)]
    display_name: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address and port to listen on (default 127.0.0.1:8080; env POSTGUARD_LISTEN).
    #[arg(long, value_name = "ADDR:PORT")]
    listen: Option<std::net::SocketAddr>,
    /// A TOML settings file (keys: listen, body_limit, policy, session_idle_minutes,
    /// retention_days, secure_cookies, secret_key_file, and [[approval]] steps per official
    /// account; see the README). Env POSTGUARD_CONFIG.
    #[arg(long, value_name = "FILE", env = "POSTGUARD_CONFIG")]
    config: Option<PathBuf>,
    /// The policy file (TOML). Default: the policy shipped with Postguard (env POSTGUARD_POLICY).
    #[arg(long, short = 'p', value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Also create demo users (staff, reviewer, compliance) and submit demo drafts, so the
    /// queue has something in it. Skipped if the demo users exist.
    #[arg(long)]
    demo: bool,
}

#[derive(Debug, Args)]
struct PolicyArg {
    /// The policy file (TOML). Default: the policy shipped with Postguard.
    #[arg(long, short = 'p', env = "POSTGUARD_POLICY", value_name = "FILE")]
    policy: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct ContextArgs {
    /// Where the text will be published.
    #[arg(long, value_enum, default_value = "personal")]
    channel: ChannelArg,
    /// The author identifies their employer (for example in their profile).
    #[arg(long)]
    identifies_employer: bool,
    /// What kind of text it is.
    #[arg(long, value_enum, default_value = "post")]
    kind: KindArg,
    /// A patient consent that applies, as `ID:WHAT[;WHAT...]` (for example
    /// `C-2026-014:Rosa Delgado`): on the official channel, identifiers it covers become advice.
    #[arg(long, value_name = "ID:WHAT", value_parser = parse_consent)]
    consent: Vec<Consent>,
}

fn parse_consent(arg: &str) -> Result<Consent, String> {
    let (id, covers) = arg
        .split_once(':')
        .ok_or("expected ID:WHAT, for example C-2026-014:Rosa Delgado")?;
    let covers: Vec<String> = covers
        .split(';')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect();
    if id.trim().is_empty() || covers.is_empty() {
        return Err("expected ID:WHAT, for example C-2026-014:Rosa Delgado".to_owned());
    }
    Ok(Consent {
        id: id.trim().to_owned(),
        covers,
    })
}

#[derive(Debug, Args)]
struct TextArgs {
    /// The file to read; `-` or nothing reads standard input.
    file: Option<PathBuf>,
    #[command(flatten)]
    policy: PolicyArg,
    #[command(flatten)]
    context: ContextArgs,
}

#[derive(Debug, Args)]
struct CheckArgs {
    /// The file to read; `-` or nothing reads standard input.
    #[arg(conflicts_with = "jsonl")]
    file: Option<PathBuf>,
    #[command(flatten)]
    policy: PolicyArg,
    #[command(flatten)]
    context: ContextArgs,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// Check a batch: one JSON object a line, {"id", "text", "context"?}; `-` reads standard input.
    #[arg(long, value_name = "IN")]
    jsonl: Option<PathBuf>,
    /// With --jsonl: where to write results (default: standard output).
    #[arg(long, value_name = "OUT", requires = "jsonl")]
    out: Option<PathBuf>,
}

#[derive(Debug, Args)]
struct EvalArgs {
    /// A labelled corpus: JSON lines {"id", "text", "context"?, "spans": [{"start","end","type"}], "categories"?}.
    gold: PathBuf,
    #[command(flatten)]
    policy: PolicyArg,
    /// How many misses and false alarms to list.
    #[arg(long, default_value_t = 20)]
    show: usize,
    /// Print the figures as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Args)]
struct HandleArgs {
    /// The handle or display name (`@AlderbrookNurseJen`).
    handle: String,
    /// The platform (LinkedIn is exempt).
    #[arg(long)]
    platform: Option<String>,
    #[command(flatten)]
    policy: PolicyArg,
}

#[derive(Debug, Subcommand)]
enum PolicyCommand {
    /// Validate a policy file; errors name file:line:column.
    Check {
        /// The policy file.
        file: PathBuf,
    },
    /// List every rule of a policy in plain words.
    Explain {
        /// The policy file (default: the shipped policy).
        file: Option<PathBuf>,
    },
    /// Print the staff-facing guidelines document (Markdown) generated from a policy.
    Render {
        /// The policy file (default: the shipped policy).
        file: Option<PathBuf>,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ChannelArg {
    Official,
    Personal,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum KindArg {
    Post,
    Reply,
    Comment,
}

/// Output formats of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// The text with the spans marked, and each finding explained.
    Human,
    /// The report as JSON.
    Json,
    /// SARIF 2.1.0, for code-scanning tools and CI.
    Sarif,
}

impl ContextArgs {
    fn to_context(&self) -> Context {
        Context {
            channel: match self.channel {
                ChannelArg::Official => Channel::Official,
                ChannelArg::Personal => Channel::Personal,
            },
            identifies_employer: self.identifies_employer,
            kind: match self.kind {
                KindArg::Post => PostKind::Post,
                KindArg::Reply => PostKind::Reply,
                KindArg::Comment => PostKind::Comment,
            },
            consents: self.consent.clone(),
        }
    }
}

/// An error that is the user's to fix: exit status 2.
#[derive(Debug)]
pub(crate) struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

fn load_policy(arg: &PolicyArg) -> Result<Policy> {
    load_policy_path(arg.policy.as_deref())
}

fn load_policy_path(path: Option<&Path>) -> Result<Policy> {
    let policy = match path {
        Some(path) => Policy::load(path),
        None => Policy::builtin_default(),
    };
    policy.map_err(|e| UsageError(e.to_string()).into())
}

fn scanner(policy: &Policy) -> Result<Scanner> {
    Scanner::new(policy).map_err(|e| UsageError(e.to_string()).into())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            let _ = writeln!(std::io::stderr(), "postguard: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Check(args) => {
            let policy = load_policy(&args.policy)?;
            let scanner = scanner(&policy)?;
            if let Some(input) = &args.jsonl {
                return batch::run(&scanner, &policy, input, args.out.as_deref(), args.format);
            }
            let text = input::read_text(args.file.as_deref())?;
            let post = Post::with_context(&text, args.context.to_context());
            let report = scanner.scan(&post);
            let name = input::display_name(args.file.as_deref());
            output::print_report(&text, &report, args.format, &name, &policy)?;
            Ok(if report.needs_attention() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Redact(args) => {
            let policy = load_policy(&args.policy)?;
            let scanner = scanner(&policy)?;
            let text = input::read_text(args.file.as_deref())?;
            let report = scanner.scan(&Post::with_context(&text, args.context.to_context()));
            let mut out = std::io::stdout().lock();
            out.write_all(postguard_scan::redact(&text, &report).as_bytes())
                .context("cannot write to standard output")?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Eval(args) => {
            let policy = load_policy(&args.policy)?;
            let scanner = scanner(&policy)?;
            eval::run(&scanner, &args.gold, args.show, args.json)
        }
        Command::CheckHandle(args) => {
            let policy = load_policy(&args.policy)?;
            let scanner = scanner(&policy)?;
            match scanner.check_handle(&args.handle, args.platform.as_deref()) {
                Some(finding) => {
                    println!("{}: {}", finding.severity, finding.explanation);
                    Ok(ExitCode::from(1))
                }
                None => {
                    println!("ok: the handle does not use the organisation's name or logo words");
                    Ok(ExitCode::SUCCESS)
                }
            }
        }
        Command::Policy(PolicyCommand::Check { file }) => {
            let policy = load_policy_path(Some(&file))?;
            // The scanner is built first: "ok" only for a policy it can compile.
            let built = scanner(&policy)?;
            for warning in built.warnings() {
                eprintln!("{}: warning: {warning}", file.display());
            }
            println!(
                "{}: ok: {} version {}, {} sections, {} lexicons, {} identifier formats",
                file.display(),
                policy.policy.name,
                policy.policy.version,
                policy.sections.len(),
                policy.lexicons.len(),
                policy.identifiers.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Policy(PolicyCommand::Explain { file }) => {
            let policy = load_policy_path(file.as_deref())?;
            print!("{}", postguard_policy::explain(&policy));
            Ok(ExitCode::SUCCESS)
        }
        Command::Serve(args) => serve(args),
        Command::Audit(AuditCommand::Verify) => audit_verify(),
        Command::Admin(AdminCommand::CreateUser(args)) => create_user(args),
        Command::Export(command) => export(command),
        Command::Policy(PolicyCommand::Render { file }) => {
            let policy = load_policy_path(file.as_deref())?;
            print!("{}", postguard_policy::render_guidelines(&policy));
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Runs `$body` with `$store` bound to the database every data command uses: `DATABASE_URL`
/// when set (PostgreSQL for a `postgres://` URL), else `postguard.db` in the working directory,
/// created and migrated on first use.
macro_rules! with_store {
    (|$store:ident| $body:expr) => {{
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .context("cannot start the async runtime")?;
        let setting = std::env::var("DATABASE_URL").ok();
        if let Some(setting) = setting.as_deref() {
            check_database_scheme(setting)?;
        }
        runtime.block_on(async move {
            match postguard_store::backend_for(setting.as_deref()) {
                postguard_store::Backend::Sqlite { path } => {
                    let $store = postguard_store::SqliteStore::open(&path)
                        .await
                        .map_err(|e| {
                            UsageError(format!("cannot open the database {}: {e}", path.display()))
                        })?;
                    $body
                }
                postguard_store::Backend::Postgres { url } => {
                    let $store = postguard_store::PostgresStore::connect(&url)
                        .await
                        .map_err(|e| {
                            UsageError(format!(
                                "cannot open the database {}: {e}",
                                postguard_store::redact_url_password(&url)
                            ))
                        })?;
                    $body
                }
            }
        })
    }};
}

/// A `DATABASE_URL` with a scheme the stores do not know (`postgress://`, `mysql://`) is an
/// error, not the name of a SQLite file. Only the scheme is quoted: the rest may hold a password.
fn check_database_scheme(setting: &str) -> Result<()> {
    let Some((scheme, _)) = setting.trim().split_once("://") else {
        return Ok(());
    };
    if matches!(scheme, "postgres" | "postgresql" | "sqlite") {
        return Ok(());
    }
    Err(UsageError(format!(
        "DATABASE_URL: unknown scheme `{scheme}://`: use postgres:// (or postgresql://) for PostgreSQL, or a file path (or sqlite://path) for SQLite"
    ))
    .into())
}

fn serve(args: ServeArgs) -> Result<ExitCode> {
    let mut config =
        postguard_server::Config::load(args.config.as_deref(), |k| std::env::var(k).ok())
            .map_err(|e| UsageError(e.to_string()))?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    if args.policy.is_some() {
        config.policy = args.policy;
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let policy = load_policy_path(config.policy.as_deref())?;
    config
        .check_against(&policy)
        .map_err(|e| UsageError(e.to_string()))?;
    // What the audit chain records of the policy: where it came from and its exact text.
    let source = match config.policy.as_deref() {
        Some(path) => {
            let text = std::fs::read(path)
                .with_context(|| format!("cannot read the policy {}", path.display()))?;
            (path.display().to_string(), text)
        }
        None => (
            postguard_policy::DEFAULT_POLICY_ORIGIN.to_owned(),
            postguard_policy::DEFAULT_POLICY_TOML.as_bytes().to_vec(),
        ),
    };
    let demo = args.demo;
    with_store!(|store| run_server(store, policy, source, config, demo).await)
}

async fn run_server<S: postguard_store::Store + 'static>(
    store: S,
    policy: Policy,
    source: (String, Vec<u8>),
    config: postguard_server::Config,
    demo: bool,
) -> Result<ExitCode> {
    let mut config = config;
    let (key, created) =
        postguard_server::secrets::SecretKey::load_or_create(&config.secret_key_file)
            .map_err(UsageError)?;
    if created {
        eprintln!(
            "postguard: created {} (the key that encrypts two-factor secrets in the database); \
             back it up apart from the database: without it, enrolled users must enrol again",
            config.secret_key_file.display()
        );
    }
    config.secret_key = Some(key);
    first_admin(&store).await?;
    let listen = config.listen;
    let name = policy.policy.name.clone();
    let state = postguard_server::AppState::new(policy, store, config)
        .map_err(|e| UsageError(e.to_string()))?;
    state
        .record_policy(&source.0, &source.1)
        .await
        .map_err(|e| UsageError(format!("cannot record the policy in the audit log: {e}")))?;
    match state.approver_warnings().await {
        Ok(warnings) => {
            for warning in warnings {
                tracing::warn!("{warning}");
            }
        }
        Err(e) => tracing::warn!(error = %e, "cannot check the approval steps' users"),
    }
    if demo {
        let drafts = postguard_server::demo::load(state.clone())
            .await
            .map_err(|e| UsageError(format!("cannot load the demo: {e}")))?;
        if drafts > 0 {
            let users: Vec<String> = postguard_server::demo::DEMO_USERS
                .iter()
                .map(|(name, _, role)| format!("{name} ({role})"))
                .collect();
            eprintln!(
                "postguard: demo: users {} with the password {:?}; {drafts} drafts submitted as sam.\n\
                 postguard: demo: reviewers and compliance enrol two-factor first (POST /api/v1/totp/enrol).",
                users.join(", "),
                postguard_server::demo::DEMO_PASSWORD
            );
        } else {
            eprintln!("postguard: demo: the demo users exist already; nothing added");
        }
    }
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| UsageError(format!("cannot listen on {listen}: {e}")))?;
    let addr = listener
        .local_addr()
        .context("cannot read the listening address")?;
    tracing::info!(%addr, policy_version = %state.policy_version(), "listening");
    eprintln!(
        "postguard: listening on http://{addr} (policy {name} version {})",
        state.policy_version()
    );
    tokio::spawn(postguard_server::expire_periodically(
        state.clone(),
        std::time::Duration::from_secs(30),
    ));
    tokio::spawn(postguard_server::purge_periodically(
        state.clone(),
        std::time::Duration::from_secs(60 * 60),
    ));
    postguard_server::serve(listener, postguard_server::router(state))
        .await
        .context("the server stopped")?;
    Ok(ExitCode::SUCCESS)
}

/// On first start (no users yet) creates the `admin` account and prints its one-time password,
/// once, on standard error.
async fn first_admin<S: postguard_store::Store>(store: &S) -> Result<()> {
    if !store
        .list_users()
        .await
        .map_err(|e| UsageError(e.to_string()))?
        .is_empty()
    {
        return Ok(());
    }
    let password = postguard_server::auth::random_hex(12);
    let hash = postguard_server::auth::hash_password(&password).map_err(UsageError)?;
    store
        .create_user(
            postguard_store::NewUser {
                username: "admin".to_owned(),
                display_name: "Administrator".to_owned(),
                role: postguard_store::Role::Admin,
                password_hash: hash,
                // A one-time password: changed at the first sign-in.
                must_change_password: true,
            },
            postguard_server::user_created(None, "first start"),
        )
        .await
        .map_err(|e| UsageError(e.to_string()))?;
    eprintln!(
        "postguard: first start: created user `admin` with the one-time password {password}\n\
         postguard: it is shown only now; sign in (the web UI takes you through two-factor enrolment), then choose your own: nothing else is allowed until you do (POST /api/v1/me/password)"
    );
    Ok(())
}

fn audit_verify() -> Result<ExitCode> {
    with_store!(|store| {
        use postguard_store::Store as _;
        match store.verify_chain().await {
            Ok(count) => {
                println!("audit log ok: {count} entries, chain intact");
                Ok(ExitCode::SUCCESS)
            }
            Err(postguard_store::StoreError::ChainBroken(b)) => {
                println!("audit log BROKEN: {b}");
                Ok(ExitCode::from(1))
            }
            Err(e) => Err(UsageError(format!("cannot read the audit log: {e}")).into()),
        }
    })
}

fn export(command: ExportCommand) -> Result<ExitCode> {
    let (post, args) = match command {
        ExportCommand::Audit(args) => (None, args),
        ExportCommand::History { post, args } => (Some(post), args),
    };
    let format = match args.format {
        ExportFormat::Jsonl => postguard_server::export::Format::JsonLines,
        ExportFormat::Csv => postguard_server::export::Format::Csv,
    };
    with_store!(|store| {
        use postguard_store::Store as _;
        // The command line shows the cause (a full disk, a lost connection), which an HTTP
        // answer keeps for the log.
        let failed = |e: postguard_server::AppError| match e {
            postguard_server::AppError::Internal(cause) => {
                UsageError(format!("cannot export: {cause}"))
            }
            other => UsageError(format!("cannot export: {other}")),
        };
        let write_failed = |e: std::io::Error| {
            postguard_server::AppError::Internal(format!("writing the export: {e}"))
        };
        // A file is written under a temporary name and renamed when complete, so a file with
        // the name asked for is always a whole export.
        let partial = args.out.as_ref().map(|path| {
            let mut name = path.as_os_str().to_owned();
            name.push(".partial");
            std::path::PathBuf::from(name)
        });
        let mut out: std::io::BufWriter<Box<dyn std::io::Write + Send>> =
            std::io::BufWriter::new(match &partial {
                Some(path) => Box::new(
                    std::fs::File::create(path)
                        .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?,
                ),
                None => Box::new(std::io::stdout()),
            });
        let written = match post {
            None => {
                // Through the entry that is last now; the log is read and written a page at a
                // time, so its length does not matter.
                let through = store
                    .last_audit_seq()
                    .await
                    .map_err(|e| UsageError(format!("cannot read the audit log: {e}")))?;
                postguard_server::export::write_audit_log(&store, format, through, &mut out)
                    .await
                    .map(|done| {
                        let details = serde_json::json!({ "format": format.name(),
                            "entries": done.rows, "through_seq": done.through_seq,
                            "by": "command line" });
                        ("export.audit", None, details)
                    })
            }
            Some(id) => {
                let id = postguard_store::PostId(id);
                store
                    .get_post(id)
                    .await
                    .map_err(|e| UsageError(format!("cannot read the post: {e}")))?
                    .ok_or_else(|| UsageError(format!("there is no post {id}")))?;
                postguard_server::export::post_history(&store, id, format)
                    .await
                    .and_then(|export| {
                        use std::io::Write as _;
                        out.write_all(&export.body).map_err(write_failed)?;
                        let details = serde_json::json!({ "format": format.name(),
                            "events": export.rows, "by": "command line" });
                        Ok(("export.history", Some(format!("post:{id}")), details))
                    })
            }
        };
        let finished = written.and_then(|record| {
            use std::io::Write as _;
            out.flush().map_err(write_failed)?;
            Ok(record)
        });
        drop(out);
        let record = match (finished, &partial, &args.out) {
            (Ok(record), Some(partial), Some(path)) => {
                std::fs::rename(partial, path)
                    .map_err(|e| UsageError(format!("cannot write {}: {e}", path.display())))?;
                record
            }
            (Ok(record), _, _) => record,
            (Err(e), partial, _) => {
                if let Some(partial) = partial {
                    let _ = std::fs::remove_file(partial);
                }
                return Err(failed(e).into());
            }
        };
        // Written first, then recorded: an export that could not be written is not on record
        // as made.
        let (action, subject, details) = record;
        store
            .append_audit(postguard_store::NewAuditEntry {
                actor: None,
                action: action.to_owned(),
                subject,
                details,
            })
            .await
            .map_err(|e| UsageError(format!("cannot record the export in the audit log: {e}")))?;
        Ok(ExitCode::SUCCESS)
    })
}

fn create_user(args: CreateUserArgs) -> Result<ExitCode> {
    // A generated one-time password is changed at the first sign-in; one the operator chose
    // (POSTGUARD_NEW_PASSWORD, for automation) is kept.
    let (password, generated) = match std::env::var("POSTGUARD_NEW_PASSWORD") {
        Ok(p) => (p, false),
        Err(_) => (postguard_server::auth::random_hex(12), true),
    };
    postguard_server::auth::check_strength(&password, &args.username)
        .map_err(|e| UsageError(e.to_string()))?;
    let hash = postguard_server::auth::hash_password(&password).map_err(UsageError)?;
    let role: postguard_store::Role = args.role.parse().map_err(|_| {
        UsageError(format!(
            "--role: expected staff, reviewer, compliance or admin, got {:?}",
            args.role
        ))
    })?;
    with_store!(|store| {
        use postguard_store::Store as _;
        let user = store
            .create_user(
                postguard_store::NewUser {
                    username: args.username.clone(),
                    display_name: args
                        .display_name
                        .clone()
                        .unwrap_or_else(|| args.username.clone()),
                    role,
                    password_hash: hash,
                    must_change_password: generated,
                },
                postguard_server::user_created(None, "command line"),
            )
            .await
            .map_err(|e| UsageError(format!("cannot create {}: {e}", args.username)))?;
        if generated {
            eprintln!(
                "created {} ({role}) with the one-time password {password} (they choose their own at the first sign-in)",
                user.username
            );
        } else {
            eprintln!("created {} ({role})", user.username);
        }
        Ok(ExitCode::SUCCESS)
    })
}
