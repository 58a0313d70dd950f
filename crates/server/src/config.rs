//! Settings, from a TOML file and then `POSTGUARD_*` environment variables (which win).

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The server's settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Address to listen on (`POSTGUARD_LISTEN`). Default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// Largest request body in bytes (`POSTGUARD_BODY_LIMIT`); larger gets 413. Default 1 MiB.
    pub body_limit: usize,
    /// Policy file (`POSTGUARD_POLICY`); the shipped default policy when unset.
    pub policy: Option<PathBuf>,
    /// Minutes without a request after which a session ends (`POSTGUARD_SESSION_IDLE_MINUTES`).
    /// At least 1. Default 15.
    pub session_idle_minutes: u32,
    /// Mark the session cookie `Secure` (`POSTGUARD_SECURE_COOKIES`): set it when the server is
    /// reached over TLS (behind a proxy that terminates it). The variable takes true/false,
    /// 1/0, yes/no or on/off (any case); another value is an error. Default false.
    pub secure_cookies: bool,
    /// Days after their last change that rejected and expired posts are purged, with their
    /// versions and decisions, unless under legal hold (`POSTGUARD_RETENTION_DAYS`). At least 1.
    /// Default 365.
    pub retention_days: u32,
    /// Approval steps per official account; accounts not listed get a reviewer step, then a
    /// compliance step when a consent or health information is involved.
    #[serde(rename = "approval")]
    pub approvals: Vec<AccountSteps>,
    /// The file holding the key that encrypts two-factor secrets at rest
    /// (`POSTGUARD_SECRET_KEY_FILE`); `postguard serve` creates it (mode 0600) when it is missing.
    /// Back it up apart from the database: without it, enrolled users must enrol again.
    /// Default `postguard.key` in the working directory.
    pub secret_key_file: PathBuf,
    /// The key itself, read from `secret_key_file` by whoever starts the server; when unset the
    /// server makes a random one that lasts as long as the process (tests).
    #[serde(skip)]
    pub secret_key: Option<crate::secrets::SecretKey>,
}

/// The approval steps of one official account.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountSteps {
    /// The account's handle, as in the policy (`@AlderbrookRMC`).
    pub account: String,
    /// Its steps, in order.
    pub steps: Vec<crate::workflow::ApprovalStep>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            body_limit: 1 << 20,
            policy: None,
            session_idle_minutes: 15,
            secure_cookies: false,
            retention_days: 365,
            approvals: Vec::new(),
            secret_key_file: PathBuf::from("postguard.key"),
            secret_key: None,
        }
    }
}

/// A setting that could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML for these settings; `message` starts with `line:column:`.
    #[error("{path}:{message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What is wrong and where.
        message: String,
    },
    /// An environment variable has a bad value.
    #[error("{name}: {message}")]
    Env {
        /// The variable.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
    /// Approval steps name an account the policy does not have (they would never apply).
    #[error(
        "[[approval]] account = {account:?}: not an official account of the policy; expected \
         one of {known}"
    )]
    UnknownAccount {
        /// The account the settings name.
        account: String,
        /// The policy's official accounts, comma-separated.
        known: String,
    },
}

impl Config {
    /// Reads `file` if given, then applies `POSTGUARD_*` variables from `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut config = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: path.to_owned(),
                    message: locate(&text, &e),
                })?
            }
            None => Config::default(),
        };
        if let Some(v) = env("POSTGUARD_LISTEN") {
            config.listen = v.parse().map_err(|_| ConfigError::Env {
                name: "POSTGUARD_LISTEN",
                message: format!("expected ADDRESS:PORT such as 127.0.0.1:8080, got {v:?}"),
            })?;
        }
        if let Some(v) = env("POSTGUARD_BODY_LIMIT") {
            config.body_limit = v.parse().map_err(|_| ConfigError::Env {
                name: "POSTGUARD_BODY_LIMIT",
                message: format!("expected a number of bytes, got {v:?}"),
            })?;
        }
        if let Some(v) = env("POSTGUARD_POLICY") {
            config.policy = Some(PathBuf::from(v));
        }
        if let Some(v) = env("POSTGUARD_SESSION_IDLE_MINUTES") {
            config.session_idle_minutes = v
                .parse()
                .ok()
                .filter(|minutes| *minutes > 0)
                .ok_or_else(|| ConfigError::Env {
                    name: "POSTGUARD_SESSION_IDLE_MINUTES",
                    message: format!("expected a number of minutes of at least 1, got {v:?}"),
                })?;
        } else if config.session_idle_minutes == 0 {
            // A timeout of 0 would end every session at its first request after sign-in.
            return Err(ConfigError::Parse {
                path: file.map(Path::to_owned).unwrap_or_default(),
                message: " session_idle_minutes: expected a number of minutes of at least 1, got 0"
                    .to_owned(),
            });
        }
        if let Some(v) = env("POSTGUARD_SECRET_KEY_FILE") {
            config.secret_key_file = PathBuf::from(v);
        }
        if let Some(v) = env("POSTGUARD_SECURE_COOKIES") {
            // Any other value is refused rather than taken for "no": a typo must not quietly
            // send the session cookie over plain HTTP.
            config.secure_cookies = match v.trim().to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => true,
                "0" | "false" | "no" | "off" => false,
                _ => {
                    return Err(ConfigError::Env {
                        name: "POSTGUARD_SECURE_COOKIES",
                        message: format!(
                            "expected true or false (or 1/0, yes/no, on/off), got {v:?}"
                        ),
                    })
                }
            };
        }
        if let Some(v) = env("POSTGUARD_RETENTION_DAYS") {
            config.retention_days =
                v.parse()
                    .ok()
                    .filter(|days| *days > 0)
                    .ok_or_else(|| ConfigError::Env {
                        name: "POSTGUARD_RETENTION_DAYS",
                        message: format!("expected a number of days of at least 1, got {v:?}"),
                    })?;
        } else if config.retention_days == 0 {
            return Err(ConfigError::Parse {
                path: file.map(Path::to_owned).unwrap_or_default(),
                message: " retention_days: expected a number of days of at least 1, got 0"
                    .to_owned(),
            });
        }
        for account in &config.approvals {
            crate::workflow::validate_steps(&account.steps).map_err(|message| {
                ConfigError::Parse {
                    path: file.map(Path::to_owned).unwrap_or_default(),
                    message: format!(" approval for {}: {message}", account.account),
                }
            })?;
        }
        Ok(config)
    }
}

impl Config {
    /// Checks the settings against the policy the server enforces: every `[[approval]]`
    /// account must be one of its official accounts (ignoring case, as drafts name them), or
    /// its steps would silently never apply.
    pub fn check_against(&self, policy: &postguard_policy::Policy) -> Result<(), ConfigError> {
        for approval in &self.approvals {
            let known = policy
                .official_accounts
                .iter()
                .any(|a| a.handle.eq_ignore_ascii_case(&approval.account));
            if !known {
                let handles: Vec<&str> = policy
                    .official_accounts
                    .iter()
                    .map(|a| a.handle.as_str())
                    .collect();
                return Err(ConfigError::UnknownAccount {
                    account: approval.account.clone(),
                    known: handles.join(", "),
                });
            }
        }
        Ok(())
    }
}

/// `line:column: message` for a TOML error.
fn locate(text: &str, e: &toml::de::Error) -> String {
    let message = e.message().to_owned();
    match e.span() {
        Some(span) => {
            let before = text.get(..span.start).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
            format!("{line}:{column}: {message}")
        }
        None => format!(" {message}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn approvals_for_an_account_the_policy_lacks_are_refused() {
        let policy = postguard_policy::Policy::builtin_default();
        let Ok(policy) = policy else {
            panic!("the default policy loads");
        };
        let mut config = Config::default();
        config.approvals.push(AccountSteps {
            account: "@alderbrookhealth".to_owned(),
            steps: crate::workflow::default_steps(),
        });
        assert!(config.check_against(&policy).is_ok(), "case is ignored");
        config.approvals.push(AccountSteps {
            account: "@AlderbrookHelath".to_owned(),
            steps: crate::workflow::default_steps(),
        });
        let message = config
            .check_against(&policy)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            message.starts_with("[[approval]] account = \"@AlderbrookHelath\": not an official")
                && message.contains("@AlderbrookHealth"),
            "{message}"
        );
    }

    #[test]
    fn environment_wins_over_the_file_and_bad_values_are_named() {
        let dir = std::env::temp_dir().join(format!("pg-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_default();
        let file = dir.join("postguard.toml");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\nbody_limit = 2048\n").unwrap_or_default();
        let config = Config::load(Some(&file), |k| {
            (k == "POSTGUARD_BODY_LIMIT").then(|| "4096".to_owned())
        });
        let config = config.ok().unwrap_or_default();
        assert_eq!(config.listen.port(), 9000);
        assert_eq!(config.body_limit, 4096);
        assert_eq!(config.retention_days, 365);
        let config = Config::load(None, |k| {
            (k == "POSTGUARD_RETENTION_DAYS").then(|| "30".to_owned())
        });
        assert_eq!(config.ok().map(|c| c.retention_days), Some(30));
        let err = Config::load(None, |k| {
            (k == "POSTGUARD_RETENTION_DAYS").then(|| "0".to_owned())
        });
        assert!(matches!(
            err,
            Err(ConfigError::Env {
                name: "POSTGUARD_RETENTION_DAYS",
                ..
            })
        ));
        let err = Config::load(None, |k| {
            (k == "POSTGUARD_LISTEN").then(|| "nowhere".to_owned())
        });
        assert!(matches!(
            err,
            Err(ConfigError::Env {
                name: "POSTGUARD_LISTEN",
                ..
            })
        ));
        let secure = |v: &str| {
            let v = v.to_owned();
            Config::load(None, move |k| {
                (k == "POSTGUARD_SECURE_COOKIES").then(|| v.clone())
            })
            .map(|c| c.secure_cookies)
            .ok()
        };
        assert_eq!(secure("TRUE"), Some(true));
        assert_eq!(secure("on"), Some(true));
        assert_eq!(secure("False"), Some(false));
        assert_eq!(secure("0"), Some(false));
        assert_eq!(secure("ture"), None, "a typo is an error, not false");
        std::fs::write(&file, "listen = \"0.0.0.0:9000\"\ncolour = 1\n").unwrap_or_default();
        let err = Config::load(Some(&file), |_| None)
            .err()
            .map(|e| e.to_string());
        assert!(
            err.as_deref()
                .unwrap_or("")
                .contains(":2:1: unknown field `colour`"),
            "{err:?}"
        );
    }
}
