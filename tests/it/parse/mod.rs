//! Line parsers: the published shapes, the shipped sample and bad inputs, Claude Code's own
//! shapes, and properties over arbitrary bytes.

mod claude_2_1_328;
mod claude_code;
mod props;
mod published;
mod sample;

use costtop::parse::Parsed;

/// What each line parsed to: `usage`, `estimates`, `compaction`, `skip` (not usage) or
/// `invalid`.
fn kinds(parsed: &[Parsed]) -> Vec<&'static str> {
    parsed
        .iter()
        .map(|p| match p {
            Parsed::Usage(_) => "usage",
            Parsed::Estimates(_) => "estimates",
            Parsed::Compaction(_) => "compaction",
            Parsed::NotUsage => "skip",
            Parsed::Invalid(_) => "invalid",
        })
        .collect()
}
