//! Desktop notifications: the text of an alert in the user's language, and showing it over
//! the session bus with notify-rust (async; never blocks the runtime).
//!
//! The summary is plain text. The body may be rendered as markup by the notification server,
//! so everything in it that came from a message (sender, text, headline, advice) is escaped.
//! Without a notification server the failure is logged once; the alerts stay pending and are
//! tried again later.

use crate::config::Language;
use crate::model::Category;

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

/// Display names of the lender ids fixed in PRODUCT.md; other ids are shown as they are.
fn lender_name(id: &str, lang: Lang) -> String {
    let Some(zh) = crate::classify::registry::short_name(id) else {
        return id.to_string();
    };
    match lang {
        Lang::En => format!("{zh} ({id})"),
        Lang::ZhCn => zh.to_string(),
        Lang::ZhTw => to_traditional(zh),
    }
}

/// Enough simplified → traditional mapping for the lender names above.
fn to_traditional(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '众' => '眾',
            '银' => '銀',
            '团' => '團',
            '宝' => '寶',
            '东' => '東',
            '满' => '滿',
            '联' => '聯',
            '马' => '馬',
            '费' => '費',
            '乐' => '樂',
            '还' => '還',
            '呗' => '唄',
            '贷' => '貸',
            '设' => '設',
            '农' => '農',
            '业' => '業',
            '兴' => '興',
            '广' => '廣',
            '发' => '發',
            '华' => '華',
            '储' => '儲',
            '国' => '國',
            '邮' => '郵',
            c => c,
        })
        .collect()
}

/// What to do, when the engine gave no advice of its own.
fn default_advice(c: Category, lender: Option<&str>, lang: Lang) -> String {
    let name = lender.map(|l| lender_name(l, lang));
    match lang {
        Lang::ZhCn => {
            let who = name.unwrap_or_else(|| "借款平台".to_string());
            match c {
                Category::Scam => format!(
                    "不要回电、不要点链接、不要转账。核实请用{who}的官方App或官方客服电话，不要用短信里的号码或链接。"
                ),
                Category::Overdue => format!("请在{who}官方App中核实并还款；如已还款可忽略。"),
                Category::Harassment => "这条催收短信可能违规，已保存为证据。可向放贷机构投诉，或拨打金融消费者投诉热线 12378。".to_string(),
                Category::Reminder => format!("请按时在{who}官方App中还款。"),
                Category::Other => String::new(),
            }
        }
        Lang::ZhTw => {
            let who = name.unwrap_or_else(|| "借款平臺".to_string());
            match c {
                Category::Scam => format!(
                    "不要回電、不要點連結、不要轉帳。核實請用{who}的官方App或官方客服電話，不要用簡訊裡的號碼或連結。"
                ),
                Category::Overdue => format!("請在{who}官方App中核實並還款；如已還款可忽略。"),
                Category::Harassment => "這則催收簡訊可能違規，已保存為證據。可向放貸機構投訴，或撥打金融消費者投訴熱線 12378。".to_string(),
                Category::Reminder => format!("請按時在{who}官方App中還款。"),
                Category::Other => String::new(),
            }
        }
        Lang::En => {
            let who = name.unwrap_or_else(|| "the lender".to_string());
            match c {
                Category::Scam => format!(
                    "Do not call back, click links or transfer money. Check with {who} through its official app or hotline, never the number or link in the message."
                ),
                Category::Overdue => format!(
                    "Check and pay in the official app of {who}; ignore this if you already paid."
                ),
                Category::Harassment => "This collection message may break the rules and was kept as evidence. You can complain to the lender or call the financial consumer hotline 12378.".to_string(),
                Category::Reminder => format!("Pay on time in the official app of {who}."),
                Category::Other => String::new(),
            }
        }
    }
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
        match lang {
            Lang::En => "unknown sender".into(),
            Lang::ZhCn => "未知号码".into(),
            Lang::ZhTw => "未知號碼".into(),
        }
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
    let lender = item.lender.as_deref().map(|l| lender_name(l, lang));
    let summary = if !item.headline.trim().is_empty() {
        excerpt(&item.headline, 80)
    } else {
        match (lang, &lender) {
            (Lang::En, Some(l)) => format!("{cat}: {l}"),
            (Lang::En, None) => format!("{cat} from {}", sender_label(&item.sender, lang)),
            (_, Some(l)) => format!("{cat}：{l}"),
            (_, None) => format!("{cat}：{}", sender_label(&item.sender, lang)),
        }
    };
    // Plain text, but a sender's or headline's bidi controls and newlines would still
    // reorder or split it.
    let summary = crate::untrusted::one_line(&summary).into_owned();
    let from = match lang {
        Lang::En => "From",
        Lang::ZhCn => "发件人",
        Lang::ZhTw => "寄件人",
    };
    let advice = if item.advice.trim().is_empty() {
        default_advice(item.category, item.lender.as_deref(), lang)
    } else {
        item.advice.clone()
    };
    let mut body = format!(
        "{from} {}: “{}”",
        escape_markup(&sender_label(&item.sender, lang)),
        escape_markup(&excerpt(&item.body, 140))
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
    match lang {
        Lang::En => "Review it: dunwatch ui".into(),
        Lang::ZhCn => "查看详情：运行 dunwatch ui".into(),
        Lang::ZhTw => "查看詳情：執行 dunwatch ui".into(),
    }
}

fn render_group(items: &[Item], lang: Lang, digest: bool) -> Rendered {
    use std::collections::BTreeMap;
    let mut counts: BTreeMap<Category, usize> = BTreeMap::new();
    for i in items {
        *counts.entry(i.category).or_default() += 1;
    }
    let parts: Vec<String> = counts
        .iter()
        .map(|(c, n)| match lang {
            Lang::En => format!("{n} {}", category_name(*c, lang).to_lowercase()),
            _ => format!("{n} 条{}", category_name(*c, lang)),
        })
        .collect();
    let n = items.len();
    let summary = match (lang, digest) {
        (Lang::En, false) => format!("{n} new debt-collection messages need attention"),
        (Lang::En, true) => format!("While you were away: {n} debt-collection messages"),
        (Lang::ZhCn, false) => format!("{n} 条新的催收相关短信需要注意"),
        (Lang::ZhCn, true) => format!("免打扰期间收到 {n} 条催收相关短信"),
        (Lang::ZhTw, false) => format!("{n} 則新的催收相關簡訊需要注意"),
        (Lang::ZhTw, true) => format!("勿擾期間收到 {n} 則催收相關簡訊"),
    };
    let sep = if lang == Lang::En { ", " } else { "，" };
    let mut body = escape_markup(&parts.join(sep));
    // The most urgent first, a few lines each; the history has the rest.
    let mut sorted: Vec<&Item> = items.iter().collect();
    sorted.sort_by_key(|i| std::cmp::Reverse(urgency(i.category)));
    const SHOWN: usize = 4;
    for i in sorted.iter().take(SHOWN) {
        body.push('\n');
        body.push_str(&escape_markup(&format!(
            "• {} {}: {}",
            category_name(i.category, lang),
            sender_label(&i.sender, lang),
            excerpt(&i.body, 50)
        )));
    }
    if n > SHOWN {
        body.push('\n');
        body.push_str(&match lang {
            Lang::En => format!("… and {} more", n - SHOWN),
            Lang::ZhCn => format!("……还有 {} 条", n - SHOWN),
            Lang::ZhTw => format!("……還有 {} 則", n - SHOWN),
        });
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
    let (title, open) = match lang {
        Lang::ZhCn => ("dunwatch 每周摘要", "报告"),
        Lang::ZhTw => ("dunwatch 每週摘要", "報告"),
        Lang::En => ("dunwatch weekly summary", "Report"),
    };
    Rendered {
        summary: title.to_string(),
        body: format!(
            "{}\n{open}: {}",
            escape_markup(summary),
            escape_markup(&path.display().to_string())
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
    let summary = match lang {
        Lang::ZhCn | Lang::ZhTw => format!("dunwatch：{n} 个备份未能完整读取"),
        Lang::En if n == 1 => "dunwatch: 1 backup could not be read fully".to_string(),
        Lang::En => format!("dunwatch: {n} backups could not be read fully"),
    };
    let mut lines = Vec::new();
    for p in problems.iter().take(PROBLEMS_NAMED) {
        let name = std::path::Path::new(&p.path)
            .file_name()
            .map_or_else(|| p.path.clone(), |n| n.to_string_lossy().into_owned());
        let why =
            ProblemCause::from_id(&p.cause).map_or(p.cause.as_str(), |c| cause_words(c, lang));
        let sep = if lang.is_chinese() { "：" } else { ": " };
        lines.push(format!("• {}{sep}{why}", escape_markup(&name)));
    }
    if n > PROBLEMS_NAMED {
        lines.push(match lang {
            Lang::ZhCn | Lang::ZhTw => format!("……还有 {} 个", n - PROBLEMS_NAMED),
            Lang::En => format!("… and {} more", n - PROBLEMS_NAMED),
        });
    }
    lines.push(
        match lang {
            Lang::ZhCn | Lang::ZhTw => "已读到的短信都已保存。",
            Lang::En => "The messages read so far are stored.",
        }
        .to_string(),
    );
    let hint = match lang {
        Lang::ZhCn | Lang::ZhTw => {
            "运行 dunwatch ui（或 dunwatch doctor）可查看完整列表和出错位置。"
        }
        Lang::En => {
            "Run `dunwatch ui` (or `dunwatch doctor`) for the whole list and where each went wrong."
        }
    };
    Rendered {
        summary,
        body: lines.join("\n"),
        urgency: Urgency::Normal,
        buttons: vec![Button::details(lang)],
        target: Some(Target::Problems),
        without_buttons: hint.to_string(),
    }
}

/// Why a backup was not read fully, in a few words a person can act on.
pub fn cause_words(cause: crate::import::ProblemCause, lang: Lang) -> &'static str {
    use crate::import::ProblemCause as C;
    let zh = lang.is_chinese();
    match (cause, zh) {
        (C::Truncated, true) => "文件不完整：同步可能没有完成，或文件已损坏",
        (C::Truncated, false) => "cut off: the sync may not have finished, or the file is damaged",
        (C::Encoding, true) => "含有无法识别的字符",
        (C::Encoding, false) => "has bytes that are not text",
        (C::Syntax, true) => "格式已损坏",
        (C::Syntax, false) => "its structure is broken",
        (C::Limit, true) => "超出安全上限，没有读取",
        (C::Limit, false) => "over a safety limit, not read",
        (C::Unsupported, true) => "格式不受支持",
        (C::Unsupported, false) => "in a format dunwatch does not read",
        (C::Io, true) => "无法读取（权限或磁盘问题）",
        (C::Io, false) => "could not be read (permissions or disk)",
        (C::Records, true) => "部分短信无法读取，其余已导入",
        (C::Records, false) => "some messages could not be read; the rest were imported",
        (C::Skipped, true) => "是指向监视文件夹以外的链接，没有读取",
        (C::Skipped, false) => "a link to outside the watched folders, not followed",
        (C::Folder, true) => "文件夹无法打开，其中的备份没有读取",
        (C::Folder, false) => "a folder that could not be opened; the backups in it were not read",
    }
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
        assert_eq!(d.summary, "While you were away: 1 debt-collection messages");
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
