//! Links in a message: full URLs and bare hosts (`mt-yuefu.cc/pay`, `t.cn/abc`).

use std::sync::LazyLock;

use regex::Regex;

/// A link found in the text, with its lowercase host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub text: String,
    pub host: String,
}

static URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.)+(?:[a-z]{2,24}))(?::\d+)?(?:/[\x21-\x7e]*)?|(?i)https?://(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?(?:/[\x21-\x7e]*)?",
    )
    .expect("valid link regex")
});

/// Top-level domains that count as a bare host without a scheme (avoids `3.5元` or
/// `file.txt` being read as links).
const BARE_TLDS: &[&str] = &[
    "com", "cn", "net", "org", "cc", "top", "xyz", "vip", "info", "io", "co", "me", "app", "link",
    "site", "online", "club", "shop", "id", "in", "uk", "us", "ly", "gl", "ink", "pro", "biz",
    "tk", "ml", "ga", "cf", "gq", "hk", "tw", "asia", "work", "fun", "icu", "live", "store",
    "tech", "today", "ren", "wang", "win", "bid", "loan", "example",
];

/// Hosts that only shorten links: the real destination is hidden.
pub const SHORTENERS: &[&str] = &[
    "t.cn",
    "dwz.cn",
    "url.cn",
    "suo.im",
    "bit.ly",
    "tinyurl.com",
    "s.id",
    "t.co",
    "goo.gl",
    "is.gd",
    "rebrand.ly",
    "cutt.ly",
    "ow.ly",
    "w.url.cn",
    "u.nu",
    "0x3.me",
    "tb.cn",
    "m.tb.cn",
];

pub fn extract(text: &str) -> Vec<Link> {
    let mut out = Vec::new();
    if !may_hold_link(text) {
        return out;
    }
    for cap in URL.captures_iter(text) {
        let whole = cap.get(0).expect("match").as_str();
        let has_scheme = whole.to_ascii_lowercase().starts_with("http");
        let host = match (cap.get(1), cap.get(2)) {
            (Some(h), _) => h.as_str().to_ascii_lowercase(),
            (None, Some(ip)) => ip.as_str().to_string(),
            _ => continue,
        };
        let tld = host.rsplit('.').next().unwrap_or("");
        if !has_scheme
            && !BARE_TLDS.contains(&tld)
            && !host.chars().all(|c| c.is_ascii_digit() || c == '.')
        {
            continue;
        }
        out.push(Link {
            text: whole.to_string(),
            host,
        });
    }
    out
}

/// Every link the pattern finds has a dot followed by a letter (the top-level domain) or a
/// scheme (`http://1.2.3.4`). Most messages have neither, and this one pass over the bytes
/// spares them the search.
fn may_hold_link(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| (w[0] == b'.' && w[1].is_ascii_alphabetic()) || w == b":/")
}

/// True when `host` is `official` or a subdomain of it.
pub fn host_matches(host: &str, official: &str) -> bool {
    !official.is_empty()
        && host
            .strip_suffix(official)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

pub fn is_shortener(host: &str) -> bool {
    SHORTENERS.iter().any(|s| host_matches(host, s))
}

pub fn is_ip(host: &str) -> bool {
    host.split('.').count() == 4
        && host
            .split('.')
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_bare_hosts_are_found() {
        let l = extract(
            "点击 mt-yuefu.cc/pay 或 https://xxx-credit-repay.com/a?b=1 查看 t.cn/A6x 与 http://188.214.30.217/ITRefund",
        );
        let hosts: Vec<_> = l.iter().map(|l| l.host.as_str()).collect();
        assert_eq!(
            hosts,
            vec![
                "mt-yuefu.cc",
                "xxx-credit-repay.com",
                "t.cn",
                "188.214.30.217"
            ]
        );
    }

    #[test]
    fn amounts_and_file_names_are_not_links() {
        assert!(extract("应还1,234.56元，余额3.5元 see file.txt").is_empty());
    }

    #[test]
    fn texts_without_a_dot_before_a_letter_or_a_scheme_hold_no_link() {
        for text in ["付款3.5元,谢谢", "no link here", "", "a.", "请拨打95188"] {
            assert!(!may_hold_link(text), "{text}");
            assert!(URL.find(text).is_none(), "{text}");
        }
        assert!(may_hold_link("见 t.cn/abc"));
        assert!(may_hold_link("HTTP://1.2.3.4/x"));
    }

    #[test]
    fn subdomains_match_their_official_host() {
        assert!(host_matches("n.95508.com", "95508.com"));
        assert!(!host_matches("jd-finance.cn", "jd.com"));
        assert!(!host_matches("evil-jd.com", "jd.com"));
        assert!(is_shortener("t.cn") && is_ip("188.214.30.217"));
    }
}
