//! Transport errors in a few words, for every HTTP client costtop runs (alarm webhooks, an
//! attached screen's stream): what went wrong and the innermost cause, never a URL or header.

/// A reqwest error in a few words (`cannot connect: Connection refused (os error 111)`);
/// pass it through `without_url` first when the URL may hold a secret.
pub(crate) fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_body() || e.is_decode() {
        "the response broke off"
    } else {
        "request failed"
    };
    // The innermost cause says why ("Connection refused", "deadline has elapsed").
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    format!("{what}: {cause}")
}
