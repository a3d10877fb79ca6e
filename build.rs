//! Generates the Traditional → Simplified character table used by text normalisation
//! (`src/classify/normalize.rs`) from OpenCC's `t2s` data (Apache-2.0), at build time, so
//! that the program carries a 30 KB sorted table instead of the converter and its
//! dictionaries.

use std::fmt::Write as _;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;

/// The CJK blocks normalisation treats as CJK (`is_cjk` in src/classify/normalize.rs),
/// ascending: Extension A, the unified block, compatibility ideographs, Extensions B–H.
const BLOCKS: [std::ops::RangeInclusive<u32>; 4] = [
    0x3400..=0x4DBF,
    0x4E00..=0x9FFF,
    0xF900..=0xFAFF,
    0x20000..=0x323AF,
];

fn in_blocks(c: char) -> bool {
    BLOCKS.iter().any(|r| r.contains(&(c as u32)))
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    let t2s = table(
        BuiltinConfig::T2s,
        "/// Traditional → Simplified, one character to one, from OpenCC t2s (build.rs).\n\
         pub static OPENCC_T2S: &[(char, char)] = &[\n",
    );
    let out = std::path::Path::new(&std::env::var("OUT_DIR").unwrap()).join("opencc_t2s.rs");
    std::fs::write(out, t2s).expect("write the tables");
}

fn table(config: BuiltinConfig, header: &str) -> String {
    let cc = OpenCC::from_config(config).expect("OpenCC's built-in config");
    let mut table = String::from(header);
    let mut buf = [0u8; 4];
    let (mut n, mut last) = (0, '\0');
    // Ascending, so the table is sorted for binary search.
    for cp in BLOCKS.iter().flat_map(|r| r.clone()) {
        let Some(c) = char::from_u32(cp) else {
            continue;
        };
        let out = cc.convert(c.encode_utf8(&mut buf));
        let mut chars = out.chars();
        // Only one-to-one mappings into the same blocks: normalisation keeps every
        // character's place, and a CJK character stays CJK (the property tests caught
        // `勑` → `𠡠` when Extension B was not counted as CJK).
        if let (Some(s), None) = (chars.next(), chars.next())
            && s != c
            && in_blocks(s)
        {
            assert!(c > last, "table must be sorted");
            last = c;
            writeln!(table, "    ('{c}', '{s}'),").unwrap();
            n += 1;
        }
    }
    table.push_str("];\n");
    assert!(n > 2000, "OpenCC gave only {n} characters to convert");
    table
}
