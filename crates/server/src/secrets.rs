//! Secrets the server must read back, encrypted at rest: the TOTP keys. A copy of the database
//! (a backup, a dump handed to support) holds only ciphertext; the key lives in a file beside it
//! (`postguard.key`, mode 0600) or wherever `secret_key_file` says.
//!
//! XChaCha20-Poly1305 with a random 24-byte nonce per secret, and the user's id as associated
//! data, so a sealed secret copied to another user's row does not open. Stored form:
//! `b"PGS1" || nonce || ciphertext+tag`. A secret stored before encryption was added (raw key
//! bytes, without the prefix) is read as it is and sealed again at its next successful use.

use std::fmt;
use std::io::Write as _;
use std::path::Path;

use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use postguard_store::UserId;

const MAGIC: &[u8] = b"PGS1";
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// The server's key for secrets at rest. Its `Debug` never shows it.
#[derive(Clone)]
pub struct SecretKey([u8; 32]);

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// A stored secret that does not open with this key.
#[derive(Debug, thiserror::Error)]
#[error(
    "a stored two-factor key does not decrypt with this server's secret key \
     (was the key file replaced or lost?); the user must enrol again"
)]
pub struct SealError;

impl SecretKey {
    /// A fresh random key.
    pub fn random() -> SecretKey {
        SecretKey(XChaCha20Poly1305::generate_key(&mut OsRng).into())
    }

    /// Reads the key from `path` (64 hex digits), or creates that file with a new key when it
    /// does not exist. Answers the key and whether it was created.
    pub fn load_or_create(path: &Path) -> Result<(SecretKey, bool), String> {
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).map_err(|_| {
                    format!(
                        "{}: not a secret key (expected 64 hex digits)",
                        path.display()
                    )
                })?;
                let key: [u8; 32] = bytes.try_into().map_err(|_| {
                    format!(
                        "{}: not a secret key (expected 64 hex digits)",
                        path.display()
                    )
                })?;
                Ok((SecretKey(key), false))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = SecretKey::random();
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                {
                    use std::os::unix::fs::OpenOptionsExt as _;
                    options.mode(0o600);
                }
                let mut file = options.open(path).map_err(|e| {
                    format!("{}: cannot create the secret key: {e}", path.display())
                })?;
                writeln!(file, "{}", hex::encode(key.0))
                    .and_then(|()| file.sync_all())
                    .map_err(|e| format!("{}: cannot write the secret key: {e}", path.display()))?;
                Ok((key, true))
            }
            Err(e) => Err(format!(
                "{}: cannot read the secret key: {e}",
                path.display()
            )),
        }
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&self.0.into())
    }

    /// `secret` encrypted for `user`'s row.
    pub fn seal(&self, user: UserId, secret: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let aad = user.0.to_be_bytes();
        let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + secret.len() + TAG_LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        // Encrypting into a Vec cannot fail for inputs this small; an empty result is refused
        // by `open` rather than stored silently as plaintext.
        if let Ok(ciphertext) = self.cipher().encrypt(
            &nonce,
            Payload {
                msg: secret,
                aad: &aad,
            },
        ) {
            out.extend_from_slice(&ciphertext);
        }
        out
    }

    /// The secret stored for `user`: decrypted, or as it is when it was stored before
    /// encryption (then `.1` is true: seal it again).
    pub fn open(&self, user: UserId, stored: &[u8]) -> Result<(Vec<u8>, bool), SealError> {
        let Some(rest) = stored.strip_prefix(MAGIC) else {
            return Ok((stored.to_vec(), true));
        };
        if rest.len() < NONCE_LEN + TAG_LEN {
            return Err(SealError);
        }
        let (nonce, ciphertext) = rest.split_at(NONCE_LEN);
        let aad = user.0.to_be_bytes();
        self.cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(|plain| (plain, false))
            .map_err(|_| SealError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_the_same_key_and_user() {
        let key = SecretKey::random();
        let secret = b"12345678901234567890";
        let sealed = key.seal(UserId(7), secret);
        assert!(!sealed.windows(secret.len()).any(|w| w == secret));
        assert_eq!(
            key.open(UserId(7), &sealed).unwrap(),
            (secret.to_vec(), false)
        );
        assert!(key.open(UserId(8), &sealed).is_err());
        assert!(SecretKey::random().open(UserId(7), &sealed).is_err());
        // Stored before encryption: read as is, flagged for sealing.
        assert_eq!(
            key.open(UserId(7), secret).unwrap(),
            (secret.to_vec(), true)
        );
    }

    #[test]
    fn the_key_file_is_created_once_then_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("postguard.key");
        let (first, created) = SecretKey::load_or_create(&path).unwrap();
        assert!(created);
        let (again, created) = SecretKey::load_or_create(&path).unwrap();
        assert!(!created);
        let sealed = first.seal(UserId(1), b"abc");
        assert_eq!(again.open(UserId(1), &sealed).unwrap().0, b"abc");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::write(&path, "not hex").unwrap();
        let err = SecretKey::load_or_create(&path).unwrap_err();
        assert!(err.contains("expected 64 hex digits"), "{err}");
    }
}
