//! Arbitrary bytes as a file in the watched folder: detect the format from the content, then
//! read it with whichever reader claims it — the path every file takes in `scan` and the
//! daemon. Readers added to `ingest::read_file` are covered without changing this target.
#![no_main]

use dunwatch::ingest::detect;
use libfuzzer_sys::fuzz_target;

#[path = "reader.rs"]
mod reader;

fuzz_target!(|data: &[u8]| {
    let path = reader::write_input(data);
    // Detection reads only the head, and agrees with sniffing the bytes directly except for
    // ZIP archives and SQLite databases, which it opens to look inside. A database another
    // program holds is an error; nothing else is.
    let head = &data[..data.len().min(detect::SNIFF_BYTES)];
    let format = match detect::detect(path) {
        Ok(f) => f,
        Err(e) => {
            assert!(head.starts_with(b"SQLite format 3\0"), "{e}");
            return;
        }
    };
    if !head.starts_with(b"PK\x03\x04") && !head.starts_with(b"SQLite format 3\0") {
        assert_eq!(format, detect::sniff(head));
    }
    let Some(format) = format else { return };
    reader::read_written(path, format, data.len());
});
