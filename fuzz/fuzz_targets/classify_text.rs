//! Arbitrary message text: normalisation, link extraction and the full classification with
//! the shipped rules. First line is the sender, the rest the body.
#![no_main]

use std::sync::LazyLock;

use dunwatch::classify::normalize::{is_cjk, normalize, to_simplified};
use dunwatch::classify::{Engine, Input, links};
use libfuzzer_sys::fuzz_target;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::builtin().expect("shipped rules load"));

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (sender, body) = text.split_once('\n').unwrap_or(("", &text));
    let n = normalize(body);
    // Every CJK character survives normalisation, in order (Traditional ones as Simplified);
    // 丶 is the word-splitting dot normalisation removes on purpose.
    let cjk = |c: char| is_cjk(c) && c != '丶';
    let before: Vec<char> = body
        .chars()
        .filter(|&c| cjk(c))
        .map(|c| to_simplified(c).unwrap_or(c))
        .collect();
    let after: Vec<char> = n.text.chars().filter(|&c| cjk(c)).collect();
    assert_eq!(before, after);
    for link in links::extract(body) {
        assert!(!link.host.is_empty());
        assert!(body.contains(&link.text));
    }
    let ts_ms = data.first().map(|&b| i64::from(b) * 86_400_000 * 97 - 3_000_000_000_000);
    let v = ENGINE.classify(&Input::at(sender, body, ts_ms));
    let _ = (v.headline, v.advice);
});
