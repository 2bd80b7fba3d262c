//! The listener's bearer token: read once from `--listen-token-file`, compared in constant
//! time, and never printed (its `Debug` shows nothing of it); every request of a listener
//! with a token must carry it, checked before anything else reads the request.

use std::path::Path;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// A bearer token every request must present (`Authorization: Bearer TOKEN`).
#[derive(Clone)]
pub(crate) struct Token(String);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

impl Token {
    /// Reads the token from `path`: the file's content without surrounding whitespace.
    /// The error names the file, never its content.
    pub(crate) fn load(path: &Path) -> Result<Token, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("--listen-token-file {}: {e}", path.display()))?;
        let token = text.trim();
        if token.is_empty() {
            return Err(format!(
                "--listen-token-file {}: the file is empty",
                path.display()
            ));
        }
        if token.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(format!(
                "--listen-token-file {}: a token is one word without spaces",
                path.display()
            ));
        }
        Ok(Token(token.to_string()))
    }

    /// Whether an `Authorization` header carries this token (the scheme's name is
    /// case-insensitive, as RFC 9110 says).
    pub(crate) fn accepts(&self, header: Option<&HeaderValue>) -> bool {
        let given = header
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token);
        given.is_some_and(|g| self.equals(g))
    }

    /// Whether a header carries this token as its whole value (the proxy's `costtop-token`:
    /// `Authorization` there is the client's API key, passed on).
    pub(crate) fn matches(&self, header: Option<&HeaderValue>) -> bool {
        header
            .and_then(|h| h.to_str().ok())
            .is_some_and(|g| self.equals(g))
    }

    fn equals(&self, given: &str) -> bool {
        let (a, b) = (given.trim().as_bytes(), self.0.as_bytes());
        // Constant time in the token's content (its length is no secret worth keeping).
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}

/// `router` with every request checked for `token` first (unchanged without one).
pub(crate) fn require(router: Router, token: Option<Token>) -> Router {
    let Some(token) = token else { return router };
    router.layer(axum::middleware::from_fn(
        move |req: Request, next: Next| {
            let allowed = token.accepts(req.headers().get(header::AUTHORIZATION));
            async move {
                if allowed {
                    next.run(req).await
                } else {
                    unauthorized()
                }
            }
        },
    ))
}

fn unauthorized() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        [(header::WWW_AUTHENTICATE, "Bearer")],
        "a bearer token is required\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_bearer_token_is_accepted_and_debug_hides_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "s3cret-token\n").unwrap();
        let token = Token::load(&path).unwrap();
        let h = |s: &str| HeaderValue::from_str(s).unwrap();
        assert!(token.accepts(Some(&h("Bearer s3cret-token"))));
        assert!(token.accepts(Some(&h("BEARER s3cret-token"))));
        assert!(token.accepts(Some(&h("bearer  s3cret-token"))));
        assert!(!token.accepts(Some(&h("Basic s3cret-token"))));
        assert!(!token.accepts(Some(&h("Bearer s3cret-tokeN"))));
        assert!(!token.accepts(Some(&h("Bearer s3cret"))));
        assert!(!token.accepts(Some(&h("s3cret-token"))));
        assert!(!token.accepts(None));
        assert!(token.matches(Some(&h("s3cret-token"))));
        assert!(!token.matches(Some(&h("Bearer s3cret-token"))));
        assert!(!format!("{token:?}").contains("s3cret"));
        std::fs::write(&path, "  \n").unwrap();
        let err = Token::load(&path).unwrap_err();
        assert!(err.contains("empty"), "{err}");
    }
}
