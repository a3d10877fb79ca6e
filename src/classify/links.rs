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
        r"(?i)(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?\.)+(?:[a-z]{2,24}))(?::\d+)?(?:/[\x21-\x7e]*)?|(?i)https?:/{1,2}(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?(?:/[\x21-\x7e]*)?|(?i)https?:/{0,2}([a-z0-9][a-z0-9-]{1,62})/[\x21-\x7e]+",
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
    // Country and cheap domains smishing favours. Not `it`, `to`, `my`, `one` or `best`:
    // "done.It was", "oh.my" and "Thanks.Best" are words run together, not hosts.
    "au", "ca", "de", "fr", "es", "nl", "ru", "su", "ws", "cx", "sh", "cam", "buzz", "sbs", "cfd",
    "bond", "mobi", "tv", "cloud", "pw", "bet", "vn", "ph", "sg", "ng", "ke", "za", "br", "mx",
    "nz", "ie",
    // Not a top-level domain at all: only a forged `.com` is written so (`wap.ccbnik.con`).
    "con",
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

/// A phone number written in a message ("请致电 400-123-4567", "call 1-888-555-0100").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Number {
    /// As written.
    pub text: String,
    /// Digits only (with a leading `+` when written with one), as senders are normalised.
    pub digits: String,
    pub kind: super::sender::SenderKind,
}

/// A phone number; `*` stands for a digit someone masked (reports and screenshots show
/// `138****1234`, `0777000****`), which still tells what kind of number it is.
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\+?\(?\d[\d ().\-*]{3,18}[\d*]").expect("valid number regex"));

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\d{4}[-./]\d{1,2}[-./]\d{1,2}( \d{1,2})?$|^\d{1,2}[-./]\d{1,2}[-./](\d{4}|\d{2})( \d{1,2})?$|^(19|20)\d\d(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])$")
        .expect("valid date regex")
});
/// `1234.56`: an amount, whatever stands around it.
static DECIMAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d+\.\d{1,2}$").expect("valid decimal regex"));
static NORTH_AMERICAN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\+?1[ .-])?\(?[2-9]\d\d\)?[ .-]\d{3}[ .-]\d{4}$|^\+?1[ .-]?\(?8\d\d")
        .expect("valid")
});
static TOLL_FREE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\+?1[ -]?)?\(?8(00|33|44|55|66|77|88)\)?").expect("valid"));

/// The text with each `o` that stands between two digits made a `0`, or None when it has
/// none (the usual case).
fn letter_o_as_zero(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let is_o_between = |i: usize| {
        bytes[i] == b'o'
            && i > 0
            && bytes[i - 1].is_ascii_digit()
            && bytes.get(i + 1).is_some_and(u8::is_ascii_digit)
    };
    if !(0..bytes.len()).any(is_o_between) {
        return None;
    }
    let mut out = bytes.to_vec();
    for (i, b) in out.iter_mut().enumerate() {
        if is_o_between(i) {
            *b = b'0';
        }
    }
    // Only ASCII `o` became ASCII `0`: still UTF-8.
    String::from_utf8(out).ok()
}

/// Phone numbers in a text: runs of 5 to 15 digits (spaces, dashes and brackets between
/// them allowed), not amounts (`元`, `$`, a decimal point), card tails (`尾号`), dates or
/// codes (`验证码`), at most eight.
pub fn numbers(text: &str) -> Vec<Number> {
    let mut out = Vec::new();
    if !text.bytes().any(|b| b.is_ascii_digit()) {
        return out;
    }
    // `(855) 8O8-4781`: a letter o between digits is a zero written so that filters miss
    // the number. Same length, so offsets into `scan` are offsets into `text`.
    let digitised = letter_o_as_zero(text);
    let scan = digitised.as_deref().unwrap_or(text);
    for m in NUMBER.find_iter(scan) {
        let before = &scan[..m.start()];
        let after = &scan[m.end()..];
        let masked = m.as_str().chars().filter(|&c| c == '*').count();
        let digits: String = m
            .as_str()
            .chars()
            .filter_map(|c| match c {
                '0'..='9' => Some(c),
                '*' => Some('0'),
                _ => None,
            })
            .collect();
        if !(5..=15).contains(&digits.len()) || masked * 2 > digits.len() {
            continue;
        }
        let amount_after = [
            "元", "块", "万", "rmb", "usd", "%", "年", "月", "日", "天", "期", "笔", "次", "分",
            "个", "小时",
        ]
        .iter()
        .any(|u| after.trim_start().starts_with(u));
        let tail = before.trim_end();
        let amount_before = [
            "¥",
            "￥",
            "$",
            "£",
            "€",
            "rs",
            "rs.",
            "inr",
            "尾号",
            "卡号",
            "编号",
            "单号",
            "订单",
            "验证码",
            "码",
            "ending",
            "ending in",
            "card",
            "account",
            "a/c",
            "ref",
            "no.",
        ]
        .iter()
        .any(|u| tail.ends_with(u));
        // `INV-2026-001`, `TKT-2026-0042`, `Case#123456`: the tail of an identifier.
        let mut back = before.chars().rev();
        let identifier = matches!(back.next(), Some('-' | '#' | '_' | '/'))
            && back.next().is_some_and(|c| c.is_ascii_alphanumeric());
        if amount_after
            || amount_before
            || identifier
            || before.ends_with(['.', ':']) && digits.len() < 7
        {
            continue;
        }
        if DATE.is_match(m.as_str().trim()) || DECIMAL.is_match(m.as_str().trim()) {
            continue;
        }
        let plus = m.as_str().starts_with('+');
        let normalized = if masked > 0 {
            digits.clone()
        } else {
            crate::store::normalize_sender(m.as_str())
        };
        let chinese_hotline =
            digits.len() == 10 && (digits.starts_with("400") || digits.starts_with("800"));
        let kind = if NORTH_AMERICAN.is_match(m.as_str()) && !chinese_hotline {
            // 1-888-…, (800) …: toll-free lines are hotlines; other North American numbers
            // cannot be told apart from here.
            if TOLL_FREE.is_match(m.as_str()) {
                super::sender::SenderKind::Hotline
            } else {
                super::sender::SenderKind::Other
            }
        } else {
            super::sender::classify_sender(if plus && masked == 0 {
                m.as_str()
            } else {
                &digits
            })
        };
        // Short runs are codes, prices or times unless they are service numbers.
        if digits.len() < 7 && kind != super::sender::SenderKind::ServiceNumber {
            continue;
        }
        out.push(Number {
            text: text[m.range()].trim().to_string(),
            digits: normalized,
            kind,
        });
        if out.len() == 8 {
            break;
        }
    }
    out
}

pub fn extract(text: &str) -> Vec<Link> {
    let mut out = Vec::new();
    if !may_hold_link(text) {
        return out;
    }
    for cap in URL.captures_iter(text) {
        let whole = cap.get(0).expect("match").as_str();
        let has_scheme = whole.to_ascii_lowercase().starts_with("http");
        // A scheme before a host with its dots taken out (`http:owly/nPyL3`) is still a
        // link: smishing breaks hosts so that filters looking for one miss it.
        let host = match (cap.get(1), cap.get(2), cap.get(3)) {
            (Some(h), _, _) | (None, None, Some(h)) => h.as_str().to_ascii_lowercase(),
            (None, Some(ip), _) => ip.as_str().to_string(),
            _ => continue,
        };
        let tld = host.rsplit('.').next().unwrap_or("");
        // A bare `www.` host is a link whatever its top-level domain (`www.mk2y.sh`).
        if !has_scheme
            && !host.starts_with("www.")
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
/// scheme (`http://1.2.3.4`, `http:owly/x`). Most messages have neither, and this one pass
/// over the bytes spares them the search.
fn may_hold_link(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| (w[0] == b'.' && w[1].is_ascii_alphabetic()) || w == b":/" || w == b"p:")
}

/// True when `host` is `official` or a subdomain of it.
pub fn host_matches(host: &str, official: &str) -> bool {
    !official.is_empty()
        && host
            .strip_suffix(official)
            .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

/// The label a host is named by: `dhanboost` for `www.dhanboost.com`, `axis` for
/// `ccm.axis.bank.in` (second-level suffixes such as `com.cn`, `co.uk`, `bank.in` skipped).
pub fn brand_label(host: &str) -> &str {
    const SECOND_LEVEL: &[&str] = &["com", "co", "net", "org", "gov", "edu", "bank", "ac"];
    let mut labels: Vec<&str> = host.split('.').collect();
    labels.pop();
    if labels.len() >= 2 && SECOND_LEVEL.contains(labels.last().unwrap_or(&"")) {
        labels.pop();
    }
    labels.last().copied().unwrap_or("")
}

/// A link straight to an Android or Windows program (`….apk`): no bank, courier or friend
/// sends one by SMS; it is how phone trojans spread.
pub fn is_app_package(link_text: &str) -> bool {
    let path = link_text
        .split(['?', '#'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    path.contains('/')
        && [".apk", ".exe", ".xapk", ".apks"]
            .iter()
            .any(|x| path.ends_with(x))
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
    fn a_number_with_the_letter_o_for_a_zero_is_still_a_number_quoted_as_written() {
        let found = numbers("call us at (855) 8o8-4781. thank you");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].digits, "8558084781");
        assert_eq!(found[0].text, "(855) 8o8-4781");
        assert!(numbers("room 2o, floor 3").is_empty());
    }

    #[test]
    fn phone_numbers_are_found_and_amounts_tails_and_codes_are_not() {
        let found: Vec<_> = numbers(
            "尾号1234消费8800.00元，如非本人请致电400-123-4567或13800000000，验证码123456，call 1-888-555-0100, 95588",
        )
        .into_iter()
        .map(|n| (n.digits, n.kind))
        .collect();
        use crate::classify::sender::SenderKind::*;
        assert_eq!(
            found,
            vec![
                ("4001234567".to_string(), Hotline),
                ("13800000000".to_string(), PersonalMobile),
                ("18885550100".to_string(), Hotline),
                ("95588".to_string(), ServiceNumber),
            ]
        );
        assert!(numbers("2026-12-01 共计2380.50元 12月5日").is_empty());
    }

    #[test]
    fn invoice_and_ticket_numbers_are_not_phone_numbers() {
        assert!(numbers("invoice INV-2026-001 and Ticket #TKT-2026-0042, Case#123456").is_empty());
        assert_eq!(numbers("call 1-800-555-0100 or +1-800-555-0100").len(), 2);
    }

    #[test]
    fn day_first_dates_with_an_hour_are_not_phone_numbers() {
        assert!(numbers("your card was used on 29-11-2016 15:04:43 at a store").is_empty());
        assert!(numbers("made on 08/02/17 11:17:37 if unauthorised").is_empty());
        assert_eq!(numbers("call 0800 542 0825 now").len(), 1);
    }

    #[test]
    fn a_raw_ip_link_written_with_one_slash_is_still_a_link() {
        let hosts: Vec<_> = extract("Log in via the secure link http:/95.141.32.7:81/default.aspx")
            .into_iter()
            .map(|l| l.host)
            .collect();
        assert_eq!(hosts, vec!["95.141.32.7".to_string()]);
    }

    #[test]
    fn a_scheme_before_a_host_without_its_dots_is_still_a_link() {
        let hosts: Vec<_> = extract("Please log in via the secure link http:owly/nPyL308KyWG now")
            .into_iter()
            .map(|l| l.host)
            .collect();
        assert_eq!(hosts, vec!["owly".to_string()]);
        assert!(extract("Tip: http: is a scheme, https/ok is a word").is_empty());
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
        assert_eq!(brand_label("www.dhanboost.com"), "dhanboost");
        assert_eq!(brand_label("ccm.axis.bank.in"), "axis");
        assert_eq!(brand_label("n.95508.com.cn"), "95508");
    }
}
