//! Files the tests write: appending to a growing log, and copies of fixture folders with a fixed
//! modification time (batch results carry none of their own).

use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

/// Appends `text` to `path`, creating the file and its folder if missing.
pub fn append(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(text.as_bytes()).expect("append");
}

/// Copies the folder `from` to `to`, every file modified at `mtime`.
pub fn copy_tree(from: &Path, to: &Path, mtime: SystemTime) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk the fixtures");
        let dest = to.join(entry.path().strip_prefix(from).expect("below the root"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &dest).expect("copy");
            std::fs::File::options()
                .write(true)
                .open(&dest)
                .and_then(|f| f.set_modified(mtime))
                .expect("set the modification time");
        }
    }
}
