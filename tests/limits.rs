//! Hostile files through the real `scan`: each limit refusal names the file and the place,
//! and the rest of the file is still read where that is safe.

mod common;

use std::fs;

use common::*;

#[test]
fn a_giant_message_is_refused_by_name_and_place_and_its_neighbours_are_stored() {
    let env = Env::new();
    fs::create_dir_all(env.path("in")).unwrap();
    let path = env.path("in/hostile.xml");
    let t = 1_700_000_000_000i64;
    let giant = "逾".repeat(400_000); // 1.2 MB of text, over the 1 MiB limit
    fs::write(
        &path,
        backup(&[
            sms("95384", t, "第一条"),
            sms("95384", t + 1000, &giant),
            sms("95384", t + 2000, "第三条"),
        ]),
    )
    .unwrap();
    let out = env.run(&["scan", path.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(env.count("SELECT count(*) FROM message"), 2, "{err}");
    assert!(err.contains("hostile.xml"), "{err}");
    assert!(err.contains("message 2"), "{err}");
    assert!(err.contains("limit exceeded"), "{err}");
    assert!(err.contains("over the limit of 1048576"), "{err}");
}

#[test]
fn a_file_nested_a_million_deep_is_refused_at_the_depth_limit_after_its_messages() {
    let env = Env::new();
    fs::create_dir_all(env.path("in")).unwrap();
    let path = env.path("in/deep.xml");
    let t = 1_700_000_000_000i64;
    let mut text = format!(
        "{HEAD}<smses count=\"1\">\n{}",
        sms("95384", t, "在深处之前")
    );
    text.push_str(&"<x>".repeat(1_000_000));
    fs::write(&path, text).unwrap();
    let out = env.run(&["scan", path.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(env.count("SELECT count(*) FROM message"), 1, "{err}");
    assert!(err.contains("deep.xml"), "{err}");
    assert!(err.contains("nested more than 64 deep"), "{err}");
}
