//! The Admin API key: resolved once, kept opaque, and seen only by the HTTP header builder.

use std::fmt;
use std::process::{Command, Stdio};

use reqwest::header::HeaderValue;

/// An Anthropic Admin API key. It prints as `AdminKey(***)` in `Debug` and `Display`, so it
/// cannot leak through logs, errors or panics; only [`AdminKey::header_value`] reads it.
#[derive(Clone)]
pub struct AdminKey(String);

/// Why no usable admin key could be obtained. No variant carries the key or the output of
/// `admin_key_command` (which is the key, or might be).
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Neither `ANTHROPIC_ADMIN_KEY` nor `admin_key_command` is set.
    #[error("no admin key: set ANTHROPIC_ADMIN_KEY or admin_key_command")]
    Missing,
    /// `sh -c admin_key_command` could not be started.
    #[error("admin_key_command could not be started: {0}")]
    Spawn(#[source] std::io::Error),
    /// `admin_key_command` exited unsuccessfully.
    #[error("admin_key_command failed ({0})")]
    CommandFailed(std::process::ExitStatus),
    /// `admin_key_command` succeeded but printed nothing.
    #[error("admin_key_command printed nothing")]
    EmptyOutput,
    /// The key is not plain visible ASCII, so it cannot go into an HTTP header.
    #[error("admin key contains characters not allowed in an HTTP header")]
    InvalidCharacters,
}

impl AdminKey {
    /// Resolves the key: `ANTHROPIC_ADMIN_KEY` (passed in as `env_value`) first, else the
    /// trimmed standard output of `sh -c key_command`. Blank values count as absent.
    pub fn resolve(
        env_value: Option<String>,
        key_command: Option<&str>,
    ) -> Result<AdminKey, KeyError> {
        if let Some(value) = env_value.filter(|v| !v.trim().is_empty()) {
            return AdminKey::checked(value.trim());
        }
        let Some(command) = key_command.filter(|c| !c.trim().is_empty()) else {
            return Err(KeyError::Missing);
        };
        // stderr is discarded: a secret manager may print the secret there on failure.
        let output = Command::new("sh")
            .arg("-c")
            .arg(command)
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
            .map_err(KeyError::Spawn)?;
        if !output.status.success() {
            return Err(KeyError::CommandFailed(output.status));
        }
        let text = String::from_utf8(output.stdout).map_err(|_| KeyError::InvalidCharacters)?;
        if text.trim().is_empty() {
            return Err(KeyError::EmptyOutput);
        }
        AdminKey::checked(text.trim())
    }

    fn checked(value: &str) -> Result<AdminKey, KeyError> {
        if value.bytes().all(|b| b.is_ascii_graphic()) {
            Ok(AdminKey(value.to_owned()))
        } else {
            Err(KeyError::InvalidCharacters)
        }
    }

    /// The `x-api-key` header value, marked sensitive so HTTP libraries never print it.
    pub(crate) fn header_value(&self) -> Result<HeaderValue, KeyError> {
        let mut value = HeaderValue::from_str(&self.0).map_err(|_| KeyError::InvalidCharacters)?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// Replaces every occurrence of the key in `text` with `***`: a last guard on reasons
    /// built from server responses, which could echo what they were sent.
    pub(crate) fn redact(&self, text: &str) -> String {
        text.replace(&self.0, "***")
    }
}

impl fmt::Debug for AdminKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminKey(***)")
    }
}

impl fmt::Display for AdminKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AdminKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "sk-ant-admin01-unit-test-secret";

    #[test]
    fn environment_value_wins_over_command() {
        let key = AdminKey::resolve(Some(format!("  {SECRET}\n")), Some("echo other")).unwrap();
        assert_eq!(key.0, SECRET);
    }

    #[test]
    fn command_output_is_trimmed() {
        let key = AdminKey::resolve(None, Some(&format!("printf '  {SECRET}\\n'"))).unwrap();
        assert_eq!(key.0, SECRET);
        let blank_env = AdminKey::resolve(Some("  ".into()), Some(&format!("echo {SECRET}")));
        assert_eq!(blank_env.unwrap().0, SECRET);
    }

    #[test]
    fn key_never_prints() {
        let key = AdminKey::resolve(Some(SECRET.into()), None).unwrap();
        assert_eq!(format!("{key:?}"), "AdminKey(***)");
        assert_eq!(key.to_string(), "AdminKey(***)");
        assert!(!format!("{:?}", key.header_value().unwrap()).contains(SECRET));
        assert_eq!(key.redact(&format!("got {SECRET}!")), "got ***!");
    }

    #[test]
    fn failing_command_error_omits_its_output() {
        let err = AdminKey::resolve(None, Some(&format!("echo {SECRET}; exit 3"))).unwrap_err();
        assert!(matches!(err, KeyError::CommandFailed(_)));
        assert!(!err.to_string().contains(SECRET));
        assert!(matches!(
            AdminKey::resolve(None, Some("true")),
            Err(KeyError::EmptyOutput)
        ));
        assert!(matches!(
            AdminKey::resolve(None, None),
            Err(KeyError::Missing)
        ));
        assert!(matches!(
            AdminKey::resolve(Some("a b".into()), None),
            Err(KeyError::InvalidCharacters)
        ));
    }
}
