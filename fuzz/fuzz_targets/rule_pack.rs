//! Arbitrary text as a user rule file (TOML rule pack and lender registry) → Engine; when it
//! loads, the engine must classify without panicking.
#![no_main]

use dunwatch::classify::{Engine, Input};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(engine) = Engine::from_texts(vec![("user.toml".to_string(), text.to_string())]) else {
        return;
    };
    for (sender, body) in [
        ("95384", "【微众银行】您的微粒贷借款已逾期3天，请登录微信“微粒贷”还款。"),
        ("+8617012345678", "你已被立案，点击 t.cn/abc 处理，否则通知你家人和单位"),
        ("", text),
    ] {
        let v = engine.classify(&Input::at(sender, body, Some(1_700_000_000_000)));
        assert!(!v.score.is_nan(), "score is NaN");
    }
});
