//! What a `POST /v1/messages` request body says about who made the call: its
//! `metadata.user_id`, captured as the body passes (images and documents are never held).

use super::super::json_paths::{Found, PathScanner, Step, Target};
use super::parts::{CAPTURE_LIMIT, scalar};

static TARGETS: [Target; 1] = [Target {
    path: &[Step::Key("metadata"), Step::Key("user_id")],
    capture: true,
}];

/// Reads a Messages request body as it passes.
#[derive(Debug)]
pub(crate) struct RequestReader {
    scanner: PathScanner,
    user: Option<Vec<u8>>,
}

impl Default for RequestReader {
    fn default() -> Self {
        RequestReader::new()
    }
}

impl RequestReader {
    /// A reader at the start of a body.
    pub(crate) fn new() -> RequestReader {
        RequestReader {
            scanner: PathScanner::new(&TARGETS, CAPTURE_LIMIT, false),
            user: None,
        }
    }

    /// Reads the next chunk of the body.
    pub(crate) fn feed(&mut self, chunk: &[u8]) {
        let user = &mut self.user;
        self.scanner.feed(chunk, &mut |found| {
            if let Found::Value { bytes, .. } = found {
                *user = Some(bytes.to_vec());
            }
        });
    }

    /// `metadata.user_id`, when the body had a non-empty one.
    pub(crate) fn user(&self) -> Option<String> {
        user_text(self.user.as_deref())
    }
}

/// A captured user id as text: a non-empty string, or a number written out.
pub(super) fn user_text(bytes: Option<&[u8]>) -> Option<String> {
    let value = scalar(bytes).ok()??;
    let text = value.to_text()?.into_owned();
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_user_whatever_comes_before_it() {
        let body = format!(
            r#"{{"model":"m","messages":[{{"role":"user","content":"{}"}}],"metadata":{{"user_id":"u-42"}},"max_tokens":5}}"#,
            "x".repeat(100_000)
        );
        let mut r = RequestReader::new();
        for chunk in body.as_bytes().chunks(4096) {
            r.feed(chunk);
        }
        assert_eq!(r.user().as_deref(), Some("u-42"));
        let mut none = RequestReader::new();
        none.feed(br#"{"metadata":{"user_id":""},"x":1}"#);
        assert_eq!(none.user(), None);
        none.feed(b"garbage");
        assert_eq!(none.user(), None);
    }
}
