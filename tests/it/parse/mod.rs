//! Line parsers: the published shapes, the shipped sample and bad inputs, Claude Code's own
//! shapes, and properties over arbitrary bytes.

mod claude_code;
mod props;
mod published;
mod sample;
