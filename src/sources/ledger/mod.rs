//! The ledger: a small on-disk cache of priced records per file, for commands that run often
//! and briefly (`costtop statusline`, `check`, `hook`). For each file it keeps the size,
//! modification time and identity seen, the offset read up to (the end of the last complete
//! line, or block for the history) and the records found, so the next call reads only the
//! bytes appended since ([`cache`]); [`local`] reads the files a call needs through it,
//! [`spend`] counts each record once and says where a budget stands.

mod cache;
mod local;
mod record;
mod spend;

pub(crate) use cache::{Ledger, default_path, fingerprint};
pub(crate) use local::{Reading, keep_fresh, read, session_files};
pub(crate) use record::Names;
pub(crate) use spend::{Deduped, Scoped, standing};
