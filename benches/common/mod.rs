//! What the benches share.

/// The files named on the command line, without the flags cargo adds (`--bench`).
pub fn file_args() -> Vec<String> {
    std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect()
}
