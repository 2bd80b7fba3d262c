//! Seeded randomness and the text the transcripts are made of: every draw comes from one
//! ChaCha8 stream (value-stable across platforms and releases), so a seed gives the same bytes.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp, LogNormal};

/// Base58, the alphabet of Anthropic's message, request and tool-use ids.
const BASE58: &[u8] = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

/// Words the content is made of: code, prose, punctuation JSON must escape, and text beyond
/// ASCII, so the parser's byte search and the JSON escaping both see realistic input.
#[rustfmt::skip]
const WORDS: &[&str] = &[
    "the", "a", "to", "of", "and", "in", "is", "that", "for", "it", "with", "as", "on", "this",
    "be", "are", "we", "can", "function", "return", "value", "error", "file", "test", "build",
    "cache", "token", "request", "response", "parser", "struct", "impl", "fn", "let", "mut",
    "self", "pub", "use", "mod", "const", "async", "await", "match", "Some", "None", "Ok", "Err",
    "Vec", "String", "usize", "u64", "config", "path", "line", "json", "model", "cost", "usage",
    "input", "output", "read", "write", "update", "fix", "bug", "check", "should", "would",
    "need", "make", "sure", "first", "then", "next", "because", "however", "let's", "look",
    "change", "refactor", "module", "crate", "dependency", "index.ts", "main.rs", "lib.rs",
    "Cargo.toml", "package.json", "README.md", "src/", "tests/", "=>", "->", "::", "{}", "()",
    "[]", "<>", "==", "!=", "&&", "||", "//", "/*", "*/", "#", "$", "%", "@", "`", "~", "^",
    "\"quoted\"", "C:\\Users", "naïve", "café", "→", "✓", "✗", "…", "日本語", "テスト", "🚀",
];

/// One seeded stream of draws, with the shapes the generator needs.
pub(crate) struct Dice {
    rng: ChaCha8Rng,
}

impl Dice {
    /// The stream for `seed`.
    pub(crate) fn new(seed: u64) -> Dice {
        Dice {
            rng: ChaCha8Rng::seed_from_u64(seed),
        }
    }

    /// True with probability `p`.
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p.clamp(0.0, 1.0))
    }

    /// A number in `low..=high`.
    pub(crate) fn between(&mut self, low: u64, high: u64) -> u64 {
        self.rng.random_range(low..=high.max(low))
    }

    /// A fraction in `0..1`.
    pub(crate) fn unit(&mut self) -> f64 {
        self.rng.random()
    }

    /// A heavy-tailed count around `median` (log-normal with `sigma`), in `1..=cap`.
    pub(crate) fn sized(&mut self, median: f64, sigma: f64, cap: u64) -> u64 {
        let draw = LogNormal::new(median.ln(), sigma).map_or(median, |d| d.sample(&mut self.rng));
        (draw as u64).clamp(1, cap.max(1))
    }

    /// A waiting time with the given mean (exponential), in whole units.
    pub(crate) fn wait(&mut self, mean: f64) -> i64 {
        Exp::new(1.0 / mean.max(1.0)).map_or(0.0, |d| d.sample(&mut self.rng)) as i64
    }

    /// One of `choices`, drawn by weight.
    pub(crate) fn weighted<T: Copy>(&mut self, choices: &[(T, u32)]) -> T {
        let total: u32 = choices.iter().map(|(_, w)| *w).sum();
        let mut left = self.rng.random_range(0..total.max(1));
        for &(choice, weight) in choices {
            if left < weight {
                return choice;
            }
            left -= weight;
        }
        choices[choices.len() - 1].0
    }

    /// One of `choices`, uniformly.
    pub(crate) fn pick<T: Copy>(&mut self, choices: &[T]) -> T {
        choices[self.rng.random_range(0..choices.len())]
    }

    /// `n` base58 characters, as in `msg_01…`, `req_011C…`, `toolu_01…`.
    pub(crate) fn base58(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(BASE58[self.rng.random_range(0..BASE58.len())]))
            .collect()
    }

    /// `n` lowercase hex digits (sub-agent ids).
    pub(crate) fn hex(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b"0123456789abcdef"[self.rng.random_range(0..16)]))
            .collect()
    }

    /// A version-4 UUID made of this stream's bits (line, session and file ids).
    pub(crate) fn uuid(&mut self) -> String {
        uuid::Builder::from_random_bytes(self.rng.random())
            .into_uuid()
            .to_string()
    }
}

/// A few megabytes of text that content fields are cut from (cut, never built per line: most
/// of a transcript's bytes are content, and cutting is what keeps the generator fast).
pub(crate) struct Corpus {
    text: String,
}

impl Corpus {
    /// About `bytes` of words with line breaks, indentation and tabs, drawn from `dice`.
    pub(crate) fn new(dice: &mut Dice, bytes: usize) -> Corpus {
        let mut text = String::with_capacity(bytes + 64);
        let mut column = 0;
        while text.len() < bytes {
            let word = dice.pick(WORDS);
            text.push_str(word);
            column += word.len() + 1;
            if column > 60 && dice.chance(0.15) {
                text.push('\n');
                if dice.chance(0.4) {
                    text.push_str("    ");
                }
                column = 0;
            } else if dice.chance(0.004) {
                text.push('\t');
            } else {
                text.push(' ');
            }
        }
        Corpus { text }
    }

    /// A piece of about `median` bytes (log-normal with `sigma`, at most `cap`), cut at
    /// character boundaries.
    pub(crate) fn cut(&self, dice: &mut Dice, median: f64, sigma: f64, cap: u64) -> &str {
        let len = (dice.sized(median, sigma, cap) as usize).min(self.text.len() / 2);
        let mut start = dice.between(0, (self.text.len() - len) as u64) as usize;
        while !self.text.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = start + len;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        &self.text[start..end]
    }
}
