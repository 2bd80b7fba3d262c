//! Changing what the history holds, under its lock: damage put aside (its bytes copied to a
//! `history.ledger.damaged-…` file beside it, the history cut back or rewritten without them)
//! and `--prune-before` (blocks before the date dropped). A rewrite goes to a temporary file
//! that replaces the history by a rename, so a crash leaves the old file or the new one,
//! never half of either.

use std::fs::OpenOptions;
use std::io::Write;
use std::ops::Range;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::block;
use super::file::{FILE_MAGIC, OpenError, lock, read_from, sibling};
use super::scan::{Piece, Pieces};

/// What a prune did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Pruned {
    /// Records kept.
    pub(crate) kept: u64,
    /// Records dropped.
    pub(crate) dropped: u64,
    /// Bytes of the history before and after.
    pub(crate) bytes_before: u64,
    /// Bytes after.
    pub(crate) bytes_after: u64,
    /// Where damage found on the way was put.
    pub(crate) aside: Option<PathBuf>,
}

fn io(e: OpenError) -> std::io::Error {
    match e {
        OpenError::Io { source, .. } => source,
        e @ OpenError::NotHistory(_) => std::io::Error::other(e.to_string()),
    }
}

/// A good piece of the history: its bytes, and the block (`None`: a newer costtop's).
type Good = (Range<usize>, Option<Piece>);

/// The history's pieces as byte ranges of the file: the good ones (blocks, newer blocks) and
/// the bad ones (damage, an unfinished block). The caller holds the lock.
fn split(bytes: &[u8]) -> (Vec<Good>, Vec<Range<usize>>) {
    let base = FILE_MAGIC.len() as u64;
    let local = |r: &Range<u64>| (r.start - base) as usize..(r.end - base) as usize;
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for piece in Pieces::new(bytes, base, true) {
        match &piece {
            Piece::Block { offset, header, .. } => {
                let r = *offset..offset + header.block_len();
                good.push((local(&r), Some(piece)));
            }
            Piece::Newer { range, .. } => good.push((local(range), None)),
            Piece::Damaged { range, .. } | Piece::Incomplete { range } => bad.push(local(range)),
        }
    }
    (good, bad)
}

/// Copies `bad` ranges of `bytes` to a new file beside `path`; returns its path.
fn keep_aside(path: &Path, bytes: &[u8], bad: &[Range<usize>]) -> std::io::Result<PathBuf> {
    let stamp = Utc::now().format("%Y%m%dT%H%M%S");
    let aside = sibling(path, &format!(".damaged-{stamp}-{}", std::process::id()));
    let mut out = OpenOptions::new().create(true).append(true).open(&aside)?;
    for r in bad {
        out.write_all(&bytes[r.clone()])?;
    }
    out.sync_all()?;
    Ok(aside)
}

/// Replaces `path` by a file of the header and `parts`, through a temporary file and a rename.
fn replace(path: &Path, parts: &[&[u8]]) -> std::io::Result<u64> {
    let tmp = sibling(path, &format!(".rewrite-{}", std::process::id()));
    let mut out = std::fs::File::create(&tmp)?;
    out.write_all(FILE_MAGIC)?;
    let mut len = FILE_MAGIC.len() as u64;
    for part in parts {
        out.write_all(part)?;
        len += part.len() as u64;
    }
    out.sync_all()?;
    drop(out);
    std::fs::rename(&tmp, path)?;
    Ok(len)
}

/// Puts the history's damaged and unfinished ranges aside, if it has any (the caller holds
/// the lock); returns where they went.
pub(crate) fn put_damage_aside(path: &Path) -> std::io::Result<Option<PathBuf>> {
    let Some((bytes, _)) = read_from(path, 0).map_err(io)? else {
        return Ok(None);
    };
    let (good, bad) = split(&bytes);
    if bad.is_empty() {
        return Ok(None);
    }
    let aside = keep_aside(path, &bytes, &bad)?;
    let last_good = good.last().map_or(0, |(r, _)| r.end);
    if bad.iter().all(|r| r.start >= last_good) {
        // Only the end is bad (a crash mid-append): cut it off.
        let cut = FILE_MAGIC.len() as u64 + bad[0].start as u64;
        OpenOptions::new().write(true).open(path)?.set_len(cut)?;
    } else {
        let parts: Vec<&[u8]> = good.iter().map(|(r, _)| &bytes[r.clone()]).collect();
        replace(path, &parts)?;
    }
    tracing::warn!(
        "history {}: {} damaged range(s) put aside in {}",
        path.display(),
        bad.len(),
        aside.display()
    );
    Ok(Some(aside))
}

/// Drops every record before `cutoff` from the history (damage found on the way is put
/// aside); waits up to a minute for the lock.
pub(crate) fn prune_before(path: &Path, cutoff: DateTime<Utc>) -> std::io::Result<Pruned> {
    let Some(_lock) = lock(path, std::time::Duration::from_secs(60))? else {
        return Err(std::io::Error::other(
            "another costtop holds the history's lock; try again",
        ));
    };
    let Some((bytes, meta)) = read_from(path, 0).map_err(io)? else {
        return Ok(Pruned::default());
    };
    let cut = cutoff.timestamp_millis();
    let (good, bad) = split(&bytes);
    let mut pruned = Pruned {
        bytes_before: meta.len(),
        ..Pruned::default()
    };
    if !bad.is_empty() {
        pruned.aside = Some(keep_aside(path, &bytes, &bad)?);
    }
    let mut rebuilt: Vec<Vec<u8>> = Vec::new();
    let mut parts: Vec<Range<usize>> = Vec::new();
    for (range, piece) in good {
        let Some(Piece::Block {
            header, records, ..
        }) = piece
        else {
            parts.push(range); // a newer costtop's block: not ours to judge
            continue;
        };
        if header.first_ms >= cut {
            pruned.kept += u64::from(header.count);
            parts.push(range);
        } else if header.last_ms < cut {
            pruned.dropped += u64::from(header.count);
        } else {
            let (keep, drop): (Vec<_>, Vec<_>) = records
                .into_iter()
                .partition(|r| r.timestamp.timestamp_millis() >= cut);
            pruned.kept += keep.len() as u64;
            pruned.dropped += drop.len() as u64;
            if !keep.is_empty() {
                rebuilt.push(block::encode(&keep)?);
            }
        }
    }
    let mut all: Vec<&[u8]> = parts.iter().map(|r| &bytes[r.clone()]).collect();
    all.extend(rebuilt.iter().map(Vec::as_slice));
    pruned.bytes_after = replace(path, &all)?;
    Ok(pruned)
}
