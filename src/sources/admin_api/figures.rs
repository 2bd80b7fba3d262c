//! The token figures of a usage row, which both usage APIs write alike: uncached input,
//! cache writes by TTL, cache reads, output and web searches.

use serde::Deserialize;

use crate::usage::Tokens;

/// The usage figures of a row.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct UsageMetrics {
    /// Input tokens not read from or written to the cache.
    pub(crate) uncached_input_tokens: u64,
    /// Cache writes by TTL.
    #[serde(default)]
    pub(crate) cache_creation: CacheCreation,
    /// Input tokens read from the cache.
    pub(crate) cache_read_input_tokens: u64,
    /// Output tokens.
    pub(crate) output_tokens: u64,
    /// Server-side tool use (web searches).
    #[serde(default)]
    pub(crate) server_tool_use: ServerToolUse,
}

/// Cache writes split by TTL.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub(crate) struct CacheCreation {
    /// Cache writes with the 1-hour TTL.
    #[serde(default)]
    pub(crate) ephemeral_1h_input_tokens: u64,
    /// Cache writes with the 5-minute TTL.
    #[serde(default)]
    pub(crate) ephemeral_5m_input_tokens: u64,
}

/// Server-side tool use counts.
#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub(crate) struct ServerToolUse {
    /// Web search requests.
    #[serde(default)]
    pub(crate) web_search_requests: u64,
}

impl UsageMetrics {
    /// The figures as costtop's tokens.
    pub(crate) fn tokens(&self) -> Tokens {
        Tokens {
            input: self.uncached_input_tokens,
            cache_write_5m: self.cache_creation.ephemeral_5m_input_tokens,
            cache_write_1h: self.cache_creation.ephemeral_1h_input_tokens,
            cache_read: self.cache_read_input_tokens,
            output: self.output_tokens,
            web_search_requests: self.server_tool_use.web_search_requests,
        }
    }
}
