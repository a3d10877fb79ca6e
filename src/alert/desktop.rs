//! Desktop notifications: the text of an alert in the user's language, and showing it over
//! the session bus with notify-rust (async; never blocks the runtime).
//!
//! The summary is plain text. The body may be rendered as markup by the notification server,
//! so everything in it that came from a message (sender, text, headline, advice) is escaped.
//! Without a notification server the failure is logged once; the alerts stay pending and are
//! tried again later.

use crate::config::Language;
use crate::model::Category;
use crate::words;

use super::{Item, Notice};

pub use super::bus::{Button, DEFAULT, Desktop, Invoked, NOT_SCAM, TRUST, Target, Unavailable};

/// One notification, ready to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendered {
    pub summary: String,
    /// Body in notification markup (message text escaped).
    pub body: String,
    pub urgency: Urgency,
    /// What the buttons (and a click) do, where the notification server has buttons; the
    /// first is the click ("default").
    pub buttons: Vec<Button>,
    /// What the notice is about, for its buttons.
    pub target: Option<Target>,
    /// A line for the body where the server has no buttons: how to open the page.
    pub without_buttons: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Urgency {
    Low,
    Normal,
    Critical,
}

/// Urgency by category: a scam is critical (act before clicking anything).
pub fn urgency(category: Category) -> Urgency {
    match category {
        Category::Scam => Urgency::Critical,
        Category::Harassment | Category::Overdue => Urgency::Normal,
        Category::Reminder | Category::Other => Urgency::Low,
    }
}

/// Escapes text for the notification markup subset (`&`, `<`, `>`); bidirectional
/// controls, which would reorder a sender's name or the text after them, are shown as
/// escapes (`\u{202e}`), as on the terminal (`crate::untrusted`).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c if crate::untrusted::is_bidi_control(c) => {
                crate::untrusted::push_visible(&mut out, c)
            }
            c => out.push(c),
        }
    }
    out
}

pub use crate::lang::Lang;

/// The concrete language of an alert: the configured one, or (auto) the message's own.
pub fn resolve_language(config: Language, text: &str) -> Lang {
    Lang::for_text(config, text)
}

use crate::lang::category_name;

/// A lender as the alert names it: in Chinese as the reports do (the registry's
/// Traditional name for a Traditional reader), in English with its id beside the Chinese
/// name people know it by.
fn lender_name(id: &str, lang: Lang) -> String {
    match (lang, crate::classify::registry::short_name(id)) {
        (Lang::En, Some(zh)) => format!("{zh} ({id})"),
        (Lang::En, None) => id.to_string(),
        _ => crate::report::lender_name(id, lang),
    }
}

/// What to do, when the engine gave no advice of its own.
fn default_advice(c: Category, lender: Option<&str>, lang: Lang) -> String {
    let key = match c {
        Category::Scam => "alert.advice.scam",
        Category::Overdue => "alert.advice.overdue",
        Category::Harassment => "alert.advice.harassment",
        Category::Reminder => "alert.advice.reminder",
        Category::Other => return String::new(),
    };
    let who = lender.map_or_else(
        || words::text(lang, "alert.advice.someone", &[]),
        |l| lender_name(l, lang),
    );
    words::text(lang, key, &[("lender", &who)])
}

fn excerpt(text: &str, max_chars: usize) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let mut out: String = one_line.chars().take(max_chars).collect();
    if one_line.chars().count() > max_chars {
        out.push('…');
    }
    out
}

fn sender_label(sender: &str, lang: Lang) -> String {
    if sender.trim().is_empty() {
        words::text(lang, "alert.unknown_sender", &[])
    } else {
        sender.trim().to_string()
    }
}

/// The language for a group: the configured one, or the language most of its messages use.
fn group_language(config: Language, items: &[Item]) -> Lang {
    if config != Language::Auto {
        return resolve_language(config, "");
    }
    let (mut zh, mut tw, mut en) = (0, 0, 0);
    for i in items {
        match Lang::of_script(&i.body) {
            Lang::ZhCn => zh += 1,
            Lang::ZhTw => tw += 1,
            Lang::En => en += 1,
        }
    }
    if en > zh + tw {
        Lang::En
    } else if tw > zh {
        Lang::ZhTw
    } else {
        Lang::ZhCn
    }
}

/// The text of a notice.
pub fn render(notice: &Notice, language: Language) -> Rendered {
    match notice {
        Notice::Single(item) => render_single(item, resolve_language(language, &item.body)),
        Notice::Grouped(items) => render_group(items, group_language(language, items), false),
        Notice::Digest(items) => render_group(items, group_language(language, items), true),
    }
}

fn render_single(item: &Item, lang: Lang) -> Rendered {
    let cat = category_name(item.category, lang);
    let summary = if !item.headline.trim().is_empty() {
        excerpt(&item.headline, 80)
    } else {
        match item.lender.as_deref() {
            Some(l) => words::text(
                lang,
                "alert.single.lender",
                &[("category", cat), ("lender", &lender_name(l, lang))],
            ),
            None => words::text(
                lang,
                "alert.single.sender",
                &[
                    ("category", cat),
                    ("sender", &sender_label(&item.sender, lang)),
                ],
            ),
        }
    };
    // Plain text, but a sender's or headline's bidi controls and newlines would still
    // reorder or split it.
    let summary = crate::untrusted::one_line(&summary).into_owned();
    let advice = if item.advice.trim().is_empty() {
        default_advice(item.category, item.lender.as_deref(), lang)
    } else {
        item.advice.clone()
    };
    // Markup: the values are escaped as they are filled in; the catalog's words are ours.
    let mut body = words::text(
        lang,
        "alert.single.body",
        &[
            ("sender", &escape_markup(&sender_label(&item.sender, lang))),
            ("text", &escape_markup(&excerpt(&item.body, 140))),
        ],
    );
    if !advice.is_empty() {
        body.push('\n');
        body.push_str(&escape_markup(&advice));
    }
    let mut buttons = vec![Button::details(lang)];
    if item.category == Category::Scam {
        buttons.push(Button::not_scam(lang));
        buttons.push(Button::trust(lang));
    }
    Rendered {
        summary,
        body,
        urgency: urgency(item.category),
        buttons,
        target: Some(Target::Message {
            id: item.message_id,
            sender: item.sender.clone(),
        }),
        without_buttons: open_page_hint(lang),
    }
}

/// How to open the review page, for servers without buttons.
fn open_page_hint(lang: Lang) -> String {
    words::text(lang, "alert.open_page", &[])
}

fn render_group(items: &[Item], lang: Lang, digest: bool) -> Rendered {
    use std::collections::BTreeMap;
    let mut counts: BTreeMap<Category, usize> = BTreeMap::new();
    for i in items {
        *counts.entry(i.category).or_default() += 1;
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(c, n)| {
            let name = category_name(*c, lang);
            words::text(
                lang,
                "alert.group.count",
                &[("count", &n.to_string()), ("category", name)],
            )
        })
        .collect();
    let n = items.len();
    let key = if digest {
        "alert.group.digest"
    } else {
        "alert.group.summary"
    };
    // "1 message", "2 messages": the catalog's plural forms.
    let summary = words::count(lang, key, n as u64, &[]);
    let mut body =
        escape_markup(&parts.join(words::Catalog::of(lang).word("alert.group.separator")));
    // The most urgent first, a few lines each; the history has the rest.
    let mut sorted: Vec<&Item> = items.iter().collect();
    sorted.sort_by_key(|i| std::cmp::Reverse(urgency(i.category)));
    const SHOWN: usize = 4;
    for i in sorted.iter().take(SHOWN) {
        body.push('\n');
        // Filled first and escaped as a whole, sender and text with it.
        body.push_str(&escape_markup(&words::text(
            lang,
            "alert.group.line",
            &[
                ("category", category_name(i.category, lang)),
                ("sender", &sender_label(&i.sender, lang)),
                ("text", &excerpt(&i.body, 50)),
            ],
        )));
    }
    if n > SHOWN {
        body.push('\n');
        body.push_str(&words::text(
            lang,
            "alert.group.more",
            &[("count", &(n - SHOWN).to_string())],
        ));
    }
    if counts.contains_key(&Category::Scam) {
        body.push('\n');
        body.push_str(&escape_markup(&default_advice(Category::Scam, None, lang)));
    }
    Rendered {
        summary,
        body,
        buttons: vec![Button::details(lang)],
        target: Some(Target::Inbox {
            since_ms: items.iter().filter_map(|i| i.ts_ms).min(),
        }),
        without_buttons: open_page_hint(lang),
        urgency: items
            .iter()
            .map(|i| urgency(i.category))
            .max()
            .unwrap_or(Urgency::Normal),
    }
}

/// The notification that a weekly summary was written: its opening sentence and where the
/// file is.
pub fn render_weekly(summary: &str, path: &std::path::Path, lang: Lang) -> Rendered {
    Rendered {
        summary: words::text(lang, "alert.weekly.title", &[]),
        body: words::text(
            lang,
            "alert.weekly.body",
            &[
                ("summary", &escape_markup(summary)),
                ("path", &escape_markup(&path.display().to_string())),
            ],
        ),
        urgency: Urgency::Low,
        buttons: vec![Button::open_report(lang)],
        target: Some(Target::Report(path.to_path_buf())),
        without_buttons: String::new(),
    }
}

/// How many files a problems notice names before "and N more".
const PROBLEMS_NAMED: usize = 3;

/// The notice that backups could not be read fully: how many, the first few by file name
/// with why in a few words, and where the whole list is.
pub fn render_problems(problems: &[crate::store::problems::ImportProblem], lang: Lang) -> Rendered {
    use crate::import::ProblemCause;
    let n = problems.len();
    let summary = words::count(lang, "alert.problems.summary", n as u64, &[]);
    let mut lines = Vec::new();
    for p in problems.iter().take(PROBLEMS_NAMED) {
        let name = std::path::Path::new(&p.path)
            .file_name()
            .map_or_else(|| p.path.clone(), |n| n.to_string_lossy().into_owned());
        let why =
            ProblemCause::from_id(&p.cause).map_or(p.cause.as_str(), |c| cause_words(c, lang));
        lines.push(words::text(
            lang,
            "alert.problems.line",
            &[
                ("file", &escape_markup(&name)),
                ("cause", &escape_markup(why)),
            ],
        ));
    }
    if n > PROBLEMS_NAMED {
        lines.push(words::text(
            lang,
            "alert.problems.more",
            &[("count", &(n - PROBLEMS_NAMED).to_string())],
        ));
    }
    lines.push(words::text(lang, "alert.problems.stored", &[]));
    Rendered {
        summary,
        body: lines.join("\n"),
        urgency: Urgency::Normal,
        buttons: vec![Button::details(lang)],
        target: Some(Target::Problems),
        without_buttons: words::text(lang, "alert.problems.hint", &[]),
    }
}

/// Why a backup was not read fully, in a few words a person can act on.
pub fn cause_words(cause: crate::import::ProblemCause, lang: Lang) -> &'static str {
    use crate::import::ProblemCause as C;
    let key = match cause {
        C::Truncated => "alert.cause.truncated",
        C::Encoding => "alert.cause.encoding",
        C::Syntax => "alert.cause.syntax",
        C::Limit => "alert.cause.limit",
        C::Unsupported => "alert.cause.unsupported",
        C::Io => "alert.cause.io",
        C::Records => "alert.cause.records",
        C::Skipped => "alert.cause.skipped",
        C::Folder => "alert.cause.folder",
    };
    words::Catalog::of(lang).word(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(sender: &str, body: &str, category: Category, lender: Option<&str>) -> Item {
        Item {
            message_id: 1,
            held: false,
            sender: sender.into(),
            body: body.into(),
            ts_ms: None,
            category,
            lender: lender.map(Into::into),
            headline: String::new(),
            advice: String::new(),
        }
    }

    #[test]
    fn message_text_is_escaped_in_the_body_only() {
        let it = item(
            "<b>10690000</b>",
            "您的微粒贷已逾期 <a href=\"http://x.cn\">点此</a> & 速还",
            Category::Scam,
            Some("webank"),
        );
        let r = render(&Notice::Single(it), Language::Auto);
        assert!(
            r.body
                .contains("&lt;a href=\"http://x.cn\"&gt;点此&lt;/a&gt; &amp; 速还"),
            "{}",
            r.body
        );
        assert!(r.body.contains("&lt;b&gt;10690000&lt;/b&gt;"), "{}", r.body);
        assert!(!r.body.contains("<a"), "{}", r.body);
        assert_eq!(r.summary, "疑似诈骗：微众银行");
        assert_eq!(r.urgency, Urgency::Critical);
        assert!(r.body.contains("不要转账"), "{}", r.body);
    }

    #[test]
    fn a_hostile_sender_is_escaped_in_every_alert_body_and_language() {
        // Markup, a placeholder of the catalog's and a bidi override in the sender.
        let sender = "<a href=\"x\">{text}</a>&\u{202e}";
        for setting in [Language::ZhCn, Language::ZhTw, Language::En] {
            let one = item(sender, "逾期 {sender}", Category::Scam, None);
            let group = vec![one.clone(), item("95588", "逾期", Category::Overdue, None)];
            for notice in [Notice::Single(one), Notice::Grouped(group)] {
                let r = render(&notice, setting);
                assert!(
                    r.body
                        .contains("&lt;a href=\"x\"&gt;{text}&lt;/a&gt;&amp;\\u{202e}"),
                    "{setting:?}: {}",
                    r.body
                );
                assert!(!r.body.contains('<') && !r.body.contains('\u{202e}'));
                // The message text, not the sender's `{text}`, is where the text goes.
                assert!(r.body.contains("逾期 {sender}"), "{}", r.body);
            }
        }
    }

    #[test]
    fn language_follows_the_message_or_the_config() {
        let en = item(
            "+15550100",
            "Final notice: your loan is overdue",
            Category::Overdue,
            None,
        );
        let r = render(&Notice::Single(en.clone()), Language::Auto);
        assert_eq!(r.summary, "Overdue notice from +15550100");
        assert_eq!(r.urgency, Urgency::Normal);
        let r = render(&Notice::Single(en), Language::ZhCn);
        assert!(r.summary.starts_with("逾期通知"), "{}", r.summary);
        let tw = item(
            "0912",
            "您的貸款已逾期，請儘快還款",
            Category::Overdue,
            Some("webank"),
        );
        let r = render(&Notice::Single(tw), Language::Auto);
        assert_eq!(r.summary, "逾期通知：微眾銀行");
        assert!(r.body.starts_with("寄件人"), "{}", r.body);
        let labels: Vec<&str> = r.buttons.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["詳情"]);
        let scam = item("0912", "您的貸款已逾期，請點擊連結", Category::Scam, None);
        let r = render(&Notice::Single(scam), Language::Auto);
        let labels: Vec<&str> = r.buttons.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["詳情", "不是詐騙", "信任此號碼"]);
        assert!(r.body.contains("不要轉帳"), "{}", r.body);
        assert_eq!(r.without_buttons, "查看詳情：執行 dunwatch ui");
    }

    #[test]
    fn a_traditional_reader_gets_each_lender_by_its_traditional_name() {
        assert_eq!(lender_name("alipay", Lang::ZhTw), "支付寶（花唄/借唄）");
        assert_eq!(lender_name("huanbei", Lang::ZhTw), "還唄");
        assert_eq!(lender_name("gdb", Lang::ZhTw), "廣發銀行");
        assert_eq!(lender_name("alipay", Lang::ZhCn), "支付宝");
        assert_eq!(lender_name("alipay", Lang::En), "支付宝 (alipay)");
        assert_eq!(lender_name("nosuch", Lang::ZhTw), "nosuch");
    }

    #[test]
    fn engine_headline_and_advice_win_over_the_defaults() {
        let mut it = item(
            "95384",
            "微粒贷已逾期 3 天",
            Category::Overdue,
            Some("webank"),
        );
        it.headline = "微众银行：微粒贷已逾期 3 天".into();
        it.advice = "请在微信“微粒贷”中还款 & 核实".into();
        let r = render(&Notice::Single(it), Language::Auto);
        assert_eq!(r.summary, "微众银行：微粒贷已逾期 3 天");
        assert!(
            r.body.ends_with("请在微信“微粒贷”中还款 &amp; 核实"),
            "{}",
            r.body
        );
    }

    #[test]
    fn grouped_alert_counts_categories_and_is_as_urgent_as_its_worst() {
        let mut items: Vec<Item> = (0..6)
            .map(|i| {
                item(
                    &format!("1069{i}"),
                    "您的借款已逾期",
                    Category::Overdue,
                    None,
                )
            })
            .collect();
        items.push(item(
            "17088886666",
            "征信修复 <加微信>",
            Category::Scam,
            None,
        ));
        let r = render(&Notice::Grouped(items), Language::Auto);
        assert_eq!(r.summary, "7 条新的催收相关短信需要注意");
        assert!(
            r.body.starts_with("1 条疑似诈骗，6 条逾期通知"),
            "{}",
            r.body
        );
        assert!(r.body.contains("&lt;加微信&gt;"), "{}", r.body);
        assert!(r.body.contains("还有 3 条"), "{}", r.body);
        assert_eq!(r.urgency, Urgency::Critical);
        let d = render(
            &Notice::Digest(vec![item("1", "overdue", Category::Overdue, None)]),
            Language::En,
        );
        assert_eq!(d.summary, "While you were away: 1 debt-collection message");
    }

    #[test]
    fn an_english_digest_and_group_say_one_message_and_many_messages() {
        let one = vec![item("1", "overdue", Category::Overdue, None)];
        let two = vec![
            item("1", "overdue", Category::Overdue, None),
            item("2", "overdue", Category::Overdue, None),
        ];
        let d1 = render(&Notice::Digest(one), Language::En);
        assert_eq!(d1.summary, "While you were away: 1 debt-collection message");
        assert!(d1.body.starts_with("Overdue notice: 1"), "{}", d1.body);
        let d2 = render(&Notice::Digest(two.clone()), Language::En);
        assert_eq!(
            d2.summary,
            "While you were away: 2 debt-collection messages"
        );
        assert!(d2.body.starts_with("Overdue notice: 2"), "{}", d2.body);
        let g = render(&Notice::Grouped(two), Language::En);
        assert_eq!(g.summary, "2 new debt-collection messages need attention");
    }

    #[test]
    fn problems_notice_names_the_first_files_escaped_and_counts_the_rest() {
        let problem = |path: &str, cause: &str| crate::store::problems::ImportProblem {
            path: path.into(),
            cause: cause.into(),
            detail: String::new(),
            first_seen_ms: 0,
            last_seen_ms: 0,
            told: false,
        };
        let problems = [
            problem("/w/<i>a&b.xml", "truncated"),
            problem("/w/b.csv", "records"),
            problem("/w/c\u{202e}lmx.xml", "syntax"),
            problem("/w/d.xml", "io"),
        ];
        let zh = render_problems(&problems, Lang::ZhCn);
        assert_eq!(zh.summary, "dunwatch：4 个备份未能完整读取");
        assert!(
            zh.body.contains("&lt;i&gt;a&amp;b.xml：文件不完整"),
            "{}",
            zh.body
        );
        assert!(!zh.body.contains('\u{202e}'), "{}", zh.body);
        assert!(zh.body.contains("……还有 1 个"), "{}", zh.body);
        assert!(!zh.body.contains("d.xml"), "{}", zh.body);
        let en = render_problems(&problems[1..2], Lang::En);
        assert_eq!(en.summary, "dunwatch: 1 backup could not be read fully");
        assert!(
            en.body.contains("b.csv: some messages could not be read"),
            "{}",
            en.body
        );
    }
}
