//! `LineReader` against growing, chunked and hostile inputs: complete lines only, the unfinished
//! last line held for the next read, over-long lines skipped (unit and property tests).

use std::io::{self, Read};

use proptest::prelude::*;

use super::*;

/// A source that can be appended to after it was read to its end, like a growing file.
#[derive(Default)]
struct Feed {
    data: Vec<u8>,
    pos: usize,
}

impl Feed {
    fn push(&mut self, bytes: &[u8]) {
        self.data.extend_from_slice(bytes);
    }
}

impl Read for Feed {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let n = out.len().min(self.data.len() - self.pos);
        out[..n].copy_from_slice(&self.data[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Item {
    Text(u64, Vec<u8>),
    Big(OversizedLine),
}

fn take(reader: &mut LineReader, out: &mut Vec<Item>) {
    while let Some(line) = reader.next_line() {
        out.push(match line {
            Line::Complete { number, bytes } => Item::Text(number, bytes.to_vec()),
            Line::Oversized(big) => Item::Big(big),
        });
    }
}

/// Reads everything available now; the unfinished last line stays held.
fn drain(reader: &mut LineReader, src: &mut impl Read) -> Vec<Item> {
    let mut out = Vec::new();
    loop {
        take(reader, &mut out);
        if reader.fill(src).expect("in-memory read") == 0 {
            return out;
        }
    }
}

fn text(number: u64, s: &str) -> Item {
    Item::Text(number, s.as_bytes().to_vec())
}

#[test]
fn crlf_endings_are_stripped() {
    let mut reader = LineReader::new();
    let items = drain(&mut reader, &mut &b"a\r\nb\n\r\n\n"[..]);
    assert_eq!(
        items,
        vec![text(1, "a"), text(2, "b"), text(3, ""), text(4, "")]
    );
    assert_eq!(reader.offset(), 8);
}

#[test]
fn unfinished_line_is_held_until_its_newline_arrives() {
    let mut reader = LineReader::new();
    let mut feed = Feed::default();
    feed.push(b"one\ntw");
    assert_eq!(drain(&mut reader, &mut feed), vec![text(1, "one")]);
    assert_eq!(reader.offset(), 4);
    assert_eq!(reader.pending_bytes(), 2);
    feed.push(b"o\r");
    assert_eq!(drain(&mut reader, &mut feed), vec![]);
    feed.push(b"\nthree\n");
    assert_eq!(
        drain(&mut reader, &mut feed),
        vec![text(2, "two"), text(3, "three")]
    );
    assert_eq!(reader.offset(), 15);
    assert_eq!(reader.pending_bytes(), 0);
}

#[test]
fn finish_yields_the_unterminated_last_line_once() {
    let mut reader = LineReader::with_limits(4, 100);
    let items = drain(&mut reader, &mut &b"x\nlast"[..]);
    assert_eq!(items, vec![text(1, "x")]);
    let mut out = Vec::new();
    if let Some(Line::Complete { number, bytes }) = reader.finish() {
        out.push(Item::Text(number, bytes.to_vec()));
    }
    assert_eq!(out, vec![text(2, "last")]);
    assert_eq!(reader.offset(), 6);
    assert!(reader.finish().is_none());
}

#[test]
fn huge_line_without_usage_is_skipped_and_the_next_line_read() {
    let mut data = b"first\n".to_vec();
    data.extend(std::iter::repeat_n(b'x', 40 * 1024 * 1024));
    data.extend_from_slice(b"\nafter\n");
    let mut reader = LineReader::new();
    let items = drain(&mut reader, &mut &data[..]);
    assert_eq!(items.len(), 3);
    assert_eq!(items[0], text(1, "first"));
    let Item::Big(big) = &items[1] else {
        panic!("expected an oversized line, got {:?}", items[1]);
    };
    assert_eq!((big.number, big.len), (2, 40 * 1024 * 1024));
    assert!(!big.mentions_usage);
    assert_eq!(items[2], text(3, "after"));
    assert_eq!(reader.offset(), data.len() as u64);
}

#[test]
fn huge_line_with_usage_is_reported_as_oversized() {
    let len = 33 * 1024 * 1024;
    let mut data = vec![b'y'; len];
    let marker = b"{\"usage\":{}}";
    let at = len / 2 + 3;
    data[at..at + marker.len()].copy_from_slice(marker);
    data.push(b'\n');
    let mut reader = LineReader::new();
    let items = drain(&mut reader, &mut &data[..]);
    let [Item::Big(big)] = &items[..] else {
        panic!("expected one oversized line, got {} items", items.len());
    };
    assert!(big.mentions_usage);
    assert_eq!(
        big.to_string(),
        "line 1: 34.6 MB line exceeds the 32 MiB limit, skipped"
    );
}

#[test]
fn line_of_exactly_the_limit_is_kept() {
    let mut reader = LineReader::with_limits(3, 8);
    let items = drain(&mut reader, &mut &b"12345678\n123456789\nok\n"[..]);
    assert_eq!(items[0], text(1, "12345678"));
    assert!(matches!(&items[1], Item::Big(b) if b.number == 2 && b.len == 9));
    assert_eq!(items[2], text(3, "ok"));
}

#[test]
fn usage_split_across_chunk_borders_of_a_skipped_line_is_found() {
    let line = format!("{}\"usage\"{}\n", "a".repeat(150), "b".repeat(150));
    for chunk in 1..20 {
        let mut reader = LineReader::with_limits(chunk, 16);
        let items = drain(&mut reader, &mut line.as_bytes());
        assert!(
            matches!(&items[..], [Item::Big(b)] if b.mentions_usage && b.len == 307),
            "chunk {chunk}: {items:?}"
        );
    }
}

#[test]
fn unfinished_oversized_line_is_still_skipped_after_more_data() {
    let mut reader = LineReader::with_limits(4, 8);
    let mut feed = Feed::default();
    feed.push(b"ok\n0123456789abcdef");
    assert_eq!(drain(&mut reader, &mut feed), vec![text(1, "ok")]);
    assert_eq!(reader.offset(), 3);
    assert_eq!(reader.pending_bytes(), 16);
    feed.push(b"gh\nnext\n");
    let items = drain(&mut reader, &mut feed);
    assert!(matches!(&items[0], Item::Big(b) if b.number == 2 && b.len == 18));
    assert_eq!(items[1], text(3, "next"));
    assert_eq!(reader.offset(), 3 + 19 + 5);
}

#[test]
fn release_idle_frees_the_buffer_and_reading_continues() {
    let mut reader = LineReader::with_limits(8, 64);
    let mut feed = Feed::default();
    feed.push(b"a\n");
    assert_eq!(drain(&mut reader, &mut feed), vec![text(1, "a")]);
    reader.release_idle();
    feed.push(b"b\n");
    assert_eq!(drain(&mut reader, &mut feed), vec![text(2, "b")]);
}

proptest! {
    #[test]
    fn any_chunk_size_splits_like_a_plain_split(
        data in proptest::collection::vec(prop_oneof![Just(b'\n'), Just(b'\r'), Just(b'a')], 0..200),
        chunk in 1usize..16,
    ) {
        let mut reader = LineReader::with_limits(chunk, 1000);
        let items = drain(&mut reader, &mut &data[..]);
        let complete = data.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        let expected: Vec<Item> = data[..complete]
            .split(|&b| b == b'\n')
            .take(memchr::memchr_iter(b'\n', &data[..complete]).count())
            .enumerate()
            .map(|(i, l)| Item::Text(i as u64 + 1, l.strip_suffix(b"\r").unwrap_or(l).to_vec()))
            .collect();
        prop_assert_eq!(items, expected);
        prop_assert_eq!(reader.offset(), complete as u64);
        prop_assert_eq!(reader.pending_bytes(), (data.len() - complete) as u64);
    }
}
