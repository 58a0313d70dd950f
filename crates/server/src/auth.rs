//! Credentials: password hashing and strength, TOTP two-factor codes (RFC 6238) with enrolment
//! QR codes, recovery codes, API and session tokens, and the back-off after failed sign-ins.
//! Pure functions; the server stores only what they return (hashes, never secrets in clear
//! except the TOTP secret, which the server must be able to read back).

use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use sha2::{Digest, Sha256};
use std::time::Duration;
use totp_rs::{Algorithm, Secret, TOTP};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a password was refused. The message never contains the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct WeakPassword(pub String);

/// Checks a new password: at least [`MIN_PASSWORD_CHARS`] characters, not built from the
/// user's own name, and not guessable by zxcvbn's estimate (score 3 of 4 or more: common
/// passwords, keyboard walks, dates and dictionary words with substitutions all score low).
pub fn check_strength(password: &str, username: &str) -> Result<(), WeakPassword> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(WeakPassword(format!(
            "the password must have at least {MIN_PASSWORD_CHARS} characters (it has {chars})"
        )));
    }
    let lower = password.to_lowercase();
    let name = username.to_lowercase();
    if name.len() >= 3 && lower.contains(&name) {
        return Err(WeakPassword(
            "the password must not contain the username".to_owned(),
        ));
    }
    match zxcvbn::zxcvbn(password, &[username]) {
        estimate if (estimate.score() as u8) < 3 => {
            let hint = estimate
                .feedback()
                .and_then(|f| f.warning().map(|w| w.to_string()))
                .unwrap_or_else(|| "it is too easy to guess".to_owned());
            Err(WeakPassword(format!(
                "the password is too easy to guess: {hint}; a few unrelated words make a strong one"
            )))
        }
        _ => Ok(()),
    }
}

/// Hashes a password with argon2id (the crate's default parameters) and a random salt.
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("cannot hash the password: {e}"))
}

/// True when `password` matches the stored argon2 `hash`.
pub fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Failed sign-ins in a row after which an account waits.
pub const LOCK_AFTER_FAILURES: u32 = 5;

/// How long an account waits after `failures` failed sign-ins in a row: nothing before
/// [`LOCK_AFTER_FAILURES`], then 1 minute doubling up to an hour.
pub fn lockout_after(failures: u32) -> Option<Duration> {
    if failures < LOCK_AFTER_FAILURES {
        return None;
    }
    let minutes = 1u64 << (failures - LOCK_AFTER_FAILURES).min(6);
    Some(Duration::from_secs(minutes.min(60) * 60))
}

/// `bytes` random bytes from the operating system, as lower-case hex.
pub fn random_hex(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// SHA-256 of a token, hex: what is stored for session ids, API tokens and recovery codes.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new API token: a recognisable prefix and 32 random bytes. Shown once; store its hash.
pub fn new_api_token() -> String {
    format!("pgt_{}", random_hex(32))
}

/// Ten recovery codes (`xxxx-xxxx-xxxx`), shown once at enrolment; store their hashes.
pub fn new_recovery_codes() -> Vec<String> {
    (0..10)
        .map(|_| {
            let h = random_hex(6);
            format!("{}-{}-{}", &h[0..4], &h[4..8], &h[8..12])
        })
        .collect()
}

/// Normalises a recovery code as typed (spaces, dashes, case) before hashing it.
pub fn normalise_recovery_code(code: &str) -> String {
    let hex: String = code
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    match (hex.get(0..4), hex.get(4..8), hex.get(8..12)) {
        (Some(a), Some(b), Some(c)) if hex.len() == 12 => format!("{a}-{b}-{c}"),
        _ => hex,
    }
}

/// A user's TOTP settings: RFC 6238 with SHA-1, 6 digits, 30-second steps, one step of clock
/// skew either way (what authenticator apps expect).
pub struct Totp {
    totp: TOTP,
}

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Totp").finish_non_exhaustive()
    }
}

const STEP: u64 = 30;

impl Totp {
    /// A new random 160-bit secret for `account` at `issuer`.
    pub fn generate(issuer: &str, account: &str) -> Result<Totp, String> {
        let secret = Secret::generate_secret()
            .to_bytes()
            .map_err(|e| format!("cannot create a secret: {e}"))?;
        Totp::from_secret(&secret, issuer, account)
    }

    /// The settings for a stored secret.
    pub fn from_secret(secret: &[u8], issuer: &str, account: &str) -> Result<Totp, String> {
        TOTP::new(
            Algorithm::SHA1,
            6,
            1,
            STEP,
            secret.to_vec(),
            Some(issuer.to_owned()),
            account.to_owned(),
        )
        .map(|totp| Totp { totp })
        .map_err(|e| format!("invalid TOTP settings: {e}"))
    }

    /// The secret, to store.
    pub fn secret(&self) -> &[u8] {
        &self.totp.secret
    }

    /// The secret in base32, for typing into an app by hand.
    pub fn secret_base32(&self) -> String {
        self.totp.get_secret_base32()
    }

    /// The `otpauth://totp/...` URI that authenticator apps read from the QR code.
    pub fn uri(&self) -> String {
        self.totp.get_url()
    }

    /// The enrolment QR code of [`Totp::uri`], as an SVG image.
    pub fn qr_svg(&self) -> Result<String, String> {
        let code = qrcode::QrCode::new(self.uri().as_bytes())
            .map_err(|e| format!("cannot draw the QR code: {e}"))?;
        Ok(code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .build())
    }

    /// The code for the time step containing `unix_seconds`.
    pub fn code_at(&self, unix_seconds: u64) -> String {
        self.totp.generate(unix_seconds)
    }

    /// The time step (`unix_seconds / 30`) whose code is `code`, within one step of
    /// `unix_seconds`, or None. The caller refuses a step it has already accepted, so a code is
    /// good once.
    pub fn matching_step(&self, code: &str, unix_seconds: u64) -> Option<u64> {
        let code = code.trim();
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = unix_seconds / STEP;
        [now.saturating_sub(1), now, now + 1]
            .into_iter()
            .find(|&step| {
                constant_time_eq(self.totp.generate(step * STEP).as_bytes(), code.as_bytes())
            })
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weak_passwords_are_refused_with_the_reason_and_strong_ones_pass() {
        for (password, why) in [
            ("short", "at least 12"),
            ("password1234", "too easy"),
            ("qwertyuiop123", "too easy"),
            ("jsmith-rules-2026", "username"),
        ] {
            let err = check_strength(password, "jsmith")
                .err()
                .map(|e| e.0)
                .unwrap_or_default();
            assert!(err.contains(why), "{password}: {err}");
            assert!(
                !err.contains(password),
                "the message quotes the password: {err}"
            );
        }
        assert_eq!(
            check_strength("copper lantern orbit meadow", "jsmith"),
            Ok(())
        );
    }

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("copper lantern orbit meadow").unwrap();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(verify_password(&hash, "copper lantern orbit meadow"));
        assert!(!verify_password(&hash, "copper lantern orbit meadows"));
        assert!(!verify_password("not a hash", "anything"));
        // Same password, different salt.
        assert_ne!(
            hash,
            hash_password("copper lantern orbit meadow").unwrap_or_default()
        );
    }

    /// RFC 6238 appendix B test vector (SHA-1, secret "12345678901234567890"), 6 digits.
    #[test]
    fn totp_matches_the_rfc_6238_vectors_and_allows_one_step_of_skew() {
        let totp = Totp::from_secret(b"12345678901234567890", "Postguard", "jsmith").unwrap();
        assert_eq!(totp.code_at(59), "287082");
        assert_eq!(totp.code_at(1_111_111_109), "081804");
        assert_eq!(totp.code_at(1_234_567_890), "005924");
        let code = totp.code_at(1_234_567_890);
        assert_eq!(
            totp.matching_step(&code, 1_234_567_890),
            Some(1_234_567_890 / 30)
        );
        assert_eq!(
            totp.matching_step(&code, 1_234_567_890 + 30),
            Some(1_234_567_890 / 30)
        );
        assert_eq!(totp.matching_step(&code, 1_234_567_890 + 90), None);
        assert_eq!(totp.matching_step("12345", 59), None);
    }

    #[test]
    fn enrolment_gives_a_uri_and_an_svg_qr_code() {
        let totp = Totp::generate("Postguard", "jsmith").unwrap();
        assert_eq!(totp.secret().len(), 20);
        assert!(
            totp.uri()
                .starts_with("otpauth://totp/Postguard:jsmith?secret="),
            "{}",
            totp.uri()
        );
        assert!(totp.uri().contains(&totp.secret_base32()));
        let svg = totp.qr_svg().unwrap_or_default();
        assert!(svg.contains("<svg") && svg.contains("</svg>"));
    }

    #[test]
    fn recovery_codes_and_tokens_are_random_and_hashed() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        assert!(codes.iter().all(|c| c.len() == 14));
        assert_ne!(codes[0], codes[1]);
        assert_eq!(
            normalise_recovery_code(&codes[0].to_uppercase().replace('-', " ")),
            codes[0]
        );
        let token = new_api_token();
        assert!(token.starts_with("pgt_") && token.len() == 68);
        assert_eq!(token_hash(&token).len(), 64);
        assert_ne!(token_hash(&token), token_hash(&new_api_token()));
    }

    #[test]
    fn back_off_grows_after_five_failures_and_stops_at_an_hour() {
        assert_eq!(lockout_after(4), None);
        assert_eq!(lockout_after(5), Some(Duration::from_secs(60)));
        assert_eq!(lockout_after(6), Some(Duration::from_secs(120)));
        assert_eq!(lockout_after(40), Some(Duration::from_secs(3600)));
    }
}
