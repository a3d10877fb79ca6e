//! What the person reads: a headline and advice in the message's language, like a
//! knowledgeable friend would put it. Contact details come from the registry only — a number
//! or link inside the message is never repeated as something to use.

use std::sync::LazyLock;

use regex::Regex;

use super::normalize::Normalized;
use super::person::{Account, AccountProof};
use super::registry::LenderDef;
use super::sender::SenderKind;
use crate::model::{Category, Reason};

/// The language to answer in: the message's own.
pub fn language(n: &Normalized) -> &'static str {
    if !n.has_cjk {
        "en"
    } else if n.traditional {
        "zh-TW"
    } else {
        "zh-CN"
    }
}

fn pick<'a>(lang: &str, zh: &'a str, tw: &'a str, en: &'a str) -> &'a str {
    match lang {
        "zh-CN" => zh,
        "zh-TW" => tw,
        _ => en,
    }
}

pub fn kind_text(lang: &str, kind: SenderKind) -> String {
    let (zh, tw, en) = match kind {
        SenderKind::PersonalMobile => ("个人手机号", "個人手機號", "a personal mobile number"),
        SenderKind::VirtualMobile => (
            "虚拟运营商号段（170/171等）的手机号",
            "虛擬營運商號段的手機號",
            "a virtual-operator mobile number",
        ),
        SenderKind::Landline => ("固定电话", "市話", "a landline"),
        SenderKind::Foreign => ("境外号码", "境外號碼", "a foreign number"),
        SenderKind::ServiceNumber => (
            "95 开头的服务号",
            "95 開頭的服務號",
            "a 95xxx service number",
        ),
        SenderKind::Gateway => (
            "106 开头的短信通道号",
            "106 開頭的簡訊通道號",
            "a 106 SMS gateway code",
        ),
        SenderKind::Alphanumeric => ("字母发件人", "字母發件人", "an alphanumeric sender"),
        _ => ("未知号码", "未知號碼", "an unknown number"),
    };
    pick(lang, zh, tw, en).to_string()
}

pub fn official_sender_text(lang: &str, l: &LenderDef) -> String {
    match lang {
        "en" => format!("comes from an official number of {}", l.display(lang)),
        "zh-TW" => format!("來自{}的官方號碼", l.display(lang)),
        _ => format!("来自{}的官方号码", l.display(lang)),
    }
}

pub fn official_but_risky_text(lang: &str, l: &LenderDef) -> String {
    match lang {
        "en" => format!(
            "comes from a number of {}, but official numbers can be forged, and no lender asks \
             for a private contact, screen sharing, codes or a transfer",
            l.display(lang)
        ),
        "zh-TW" => format!(
            "號碼看似{}的官方號碼，但官方號碼可以被偽造（偽基站、境外改號）；正規機構從不要求加私人聯繫方式、共享螢幕、提供驗證碼或轉帳",
            l.display(lang)
        ),
        _ => format!(
            "号码看似{}的官方号码，但官方号码可以被伪造（伪基站、境外改号）；正规机构从不要求加私人联系方式、共享屏幕、提供验证码或转账",
            l.display(lang)
        ),
    }
}

pub fn risky_request_text(lang: &str) -> String {
    pick(
        lang,
        "正规贷款机构、银行和政府部门从不要求加私人联系方式、共享屏幕、提供验证码或转账到“安全账户”、个人账户",
        "正規貸款機構、銀行與政府機關從不要求加私人聯繫方式、共享螢幕、提供驗證碼或轉帳到個人帳戶",
        "no lender, bank or public office asks for a private contact, screen sharing, codes or a transfer to a 'safe' or personal account",
    )
    .to_string()
}

pub fn not_lender_sender_text(lang: &str, l: &LenderDef, kind: SenderKind) -> String {
    let k = kind_text(lang, kind);
    match lang {
        "en" => format!(
            "names {} but comes from {k}, not from its official numbers",
            l.display(lang)
        ),
        "zh-TW" => format!("自稱{}，卻來自{k}，不是官方號碼", l.display(lang)),
        _ => format!("自称{}，却来自{k}，不是官方号码", l.display(lang)),
    }
}

pub fn link_text(lang: &str, what: &str) -> String {
    let (zh, tw, en) = match what {
        "official" => (
            "链接指向官方网站",
            "連結指向官方網站",
            "the link goes to the lender's own site",
        ),
        "ip" => (
            "链接是一串 IP 地址，不是正规网站",
            "連結是 IP 位址，不是正規網站",
            "the link is a bare IP address",
        ),
        "apk" => (
            "链接直接下载安装包（.apk）：正规机构和熟人不会用短信发安装包，这是手机木马的常见传播方式",
            "連結直接下載安裝檔（.apk）：這是手機木馬的常見傳播方式",
            "the link downloads an app package (.apk): this is how phone trojans spread",
        ),
        "shortener" => (
            "短链接，看不到真实去向",
            "短網址，看不到真實去向",
            "a shortened link hides where it goes",
        ),
        "unofficial" => (
            "链接不是该机构的官方网站",
            "連結不是該機構的官方網站",
            "the link is not one of the lender's sites",
        ),
        _ => (
            "催款短信里带着来路不明的链接",
            "催款簡訊帶著來路不明的連結",
            "a debt message with a link to an unknown site",
        ),
    };
    pick(lang, zh, tw, en).to_string()
}

pub fn lookalike_text(lang: &str, l: &LenderDef) -> String {
    match lang {
        "en" => format!("the link imitates {} but is not its site", l.display(lang)),
        "zh-TW" => format!("連結仿冒{}，不是其官方網站", l.display(lang)),
        _ => format!("链接仿冒{}，不是其官方网站", l.display(lang)),
    }
}

pub fn split_text(lang: &str) -> String {
    pick(
        lang,
        "在敏感词中间插入空格或符号（躲避运营商拦截），正规机构不会这样写",
        "在敏感詞中間插入空格或符號（躲避攔截），正規機構不會這樣寫",
        "sensitive words are broken up with spaces or symbols to dodge filters",
    )
    .to_string()
}

pub fn night_text(lang: &str) -> String {
    pick(
        lang,
        "在 22:00–08:00 之间发送催收短信，违反催收规定",
        "在 22:00–08:00 之間發送催收簡訊",
        "collection message sent between 22:00 and 08:00",
    )
    .to_string()
}

/// How dunwatch knows of the person's account, in a few words.
fn proof_words(lang: &str, p: &AccountProof) -> String {
    match p {
        AccountProof::Declared => pick(lang, "你已确认", "你已確認", "you said so").to_string(),
        AccountProof::Seen { message_id, .. } => {
            let id = message_id.map(|i| format!(" #{i}")).unwrap_or_default();
            match lang {
                "en" => {
                    format!("a disbursal, bill or repayment from its official number, message{id}")
                }
                "zh-TW" => format!("官方號碼發來的放款、帳單或還款簡訊{id}"),
                _ => format!("官方号码发来的放款、账单或还款短信{id}"),
            }
        }
    }
}

pub fn account_have_text(lang: &str, l: &LenderDef, p: &AccountProof) -> String {
    let name = l.display(lang);
    let how = proof_words(lang, p);
    match lang {
        "en" => format!("you have an account with {name} ({how})"),
        "zh-TW" => format!("你在{name}有借款帳戶（{how}）"),
        _ => format!("你在{name}有借款账户（{how}）"),
    }
}

pub fn account_none_text(lang: &str, l: &LenderDef, declared: bool) -> String {
    let name = l.display(lang);
    match (lang, declared) {
        ("en", true) => format!("you said you have no account with {name}"),
        ("en", false) => format!(
            "nothing shows you have an account with {name}: no disbursal, bill or repayment from it in your messages, and you have not added it (dunwatch lenders add)"
        ),
        ("zh-TW", true) => format!("你說過你在{name}沒有借款"),
        ("zh-TW", false) => format!(
            "沒有跡象顯示你在{name}有借款：簡訊裡沒有它的放款、帳單或還款記錄，你也沒有登記過"
        ),
        (_, true) => format!("你说过你在{name}没有借款"),
        (_, false) => format!(
            "没有迹象显示你在{name}有借款：短信里没有它的放款、账单或还款记录，你也没有登记过（dunwatch lenders add）"
        ),
    }
}

/// What to do about a notice from a lender the person has no account with. `official`: the
/// notice came from the lender's own number, so the rest of the advice does not already
/// warn against the message's numbers and links.
fn no_account_advice(lang: &str, l: &LenderDef, official: bool) -> String {
    let name = l.display(lang);
    let hotline = l
        .trusted_hotlines()
        .next()
        .map(|h| match lang {
            "en" => format!(" and call {name}'s official line {h}"),
            "zh-TW" => format!("，並撥打{name}官方客服 {h} 核實"),
            _ => format!("，并拨打{name}官方客服 {h} 核实"),
        })
        .unwrap_or_default();
    let never = if official {
        pick(
            lang,
            "；不要拨打短信里的号码，也不要点其中的链接",
            "；不要撥打簡訊裡的號碼或點其中的連結",
            "; never the number or link in the message",
        )
    } else {
        ""
    };
    match lang {
        "en" => format!(
            "You have no account with {name} that dunwatch knows of. This may be a mistaken number, someone using your identity, or a scam: check your personal credit report with the Credit Reference Center of the People's Bank of China (pbccrc.org.cn, or your own country's credit bureau){hotline}{never}. "
        ),
        "zh-TW" => format!(
            "dunwatch 不知道你在{name}有借款。可能是發錯號碼、有人冒用你的身分借款，或是詐騙：請查詢你的個人信用報告（大陸：人民銀行徵信中心 pbccrc.org.cn；台灣：聯合徵信中心）{hotline}{never}。"
        ),
        _ => format!(
            "dunwatch 不知道你在{name}有借款。可能是发错号码、有人冒用你的身份借款，或是诈骗：请到中国人民银行征信中心（官网 pbccrc.org.cn，或云闪付、银行App的征信查询）查询个人信用报告{hotline}{never}。"
        ),
    }
}

pub fn count_numbers_text(lang: &str, n: usize) -> String {
    match lang {
        "en" => format!("{n} numbers"),
        "zh-TW" => format!("{n} 個號碼"),
        _ => format!("{n} 个号码"),
    }
}

pub fn campaign_text(lang: &str, n: usize) -> String {
    match lang {
        "en" => format!(
            "the same text, numbers aside, came from {n} different senders within days: a bulk campaign, not a lender writing to its customer"
        ),
        "zh-TW" => format!(
            "同樣的文字（數字除外）幾天內從 {n} 個不同號碼發來：這是群發，不是貸款機構單獨通知你"
        ),
        _ => format!(
            "同样的文字（数字除外）几天内从 {n} 个不同号码发来：这是群发，不是贷款机构单独通知你"
        ),
    }
}

pub fn frequent_text(lang: &str, n: u32, day: jiff::civil::Date, max: u32) -> String {
    match lang {
        "en" => format!(
            "{n} collection messages from the same collector on {day}: more than the {max} a day the collection guidelines allow"
        ),
        "zh-TW" => {
            format!("{day} 當天收到同一催收方的 {n} 則催收簡訊，超過催收規範每天 {max} 次的限制")
        }
        _ => format!("{day} 当天收到同一催收方的 {n} 条催收短信，超过催收规范每天 {max} 次的限制"),
    }
}

pub fn scam_sender_text(lang: &str, first: Option<i64>, zone: &jiff::tz::TimeZone) -> String {
    let date = first
        .and_then(|t| jiff::Timestamp::from_millisecond(t).ok())
        .map(|t| t.to_zoned(zone.clone()).date().to_string());
    match (lang, date) {
        ("en", Some(d)) => {
            format!("this number's first message to you about money, on {d}, was a scam")
        }
        ("en", None) => "this number's first message to you about money was a scam".to_string(),
        ("zh-TW", Some(d)) => format!("這個號碼第一次發給你的（{d}）就是詐騙簡訊"),
        ("zh-TW", None) => "這個號碼第一次發給你的就是詐騙簡訊".to_string(),
        (_, Some(d)) => format!("这个号码第一次给你发的（{d}）就是诈骗短信"),
        (_, None) => "这个号码第一次给你发的就是诈骗短信".to_string(),
    }
}

/// "Like messages you marked as scam: 贷款 · 额度".
pub fn learned_text(lang: &str, c: Category, words: &[String]) -> String {
    let words = words.join(" · ");
    let (zh, tw, en) = match c {
        Category::Scam => ("诈骗", "詐騙", "a scam"),
        Category::Overdue => ("逾期通知", "逾期通知", "an overdue notice"),
        Category::Harassment => ("违规催收", "違規催收", "harassment"),
        Category::Reminder => ("账务提醒", "帳務提醒", "a reminder"),
        Category::Other => ("普通短信", "普通簡訊", "ordinary"),
    };
    match lang {
        "en" => format!("like messages you marked as {en}: {words}"),
        "zh-TW" => format!("和你標記為{tw}的簡訊相似：{words}"),
        _ => format!("和你标记为{zh}的短信相似：{words}"),
    }
}

fn blocked_words(lang: &str) -> &'static str {
    pick(
        lang,
        "你已屏蔽这个号码（dunwatch block），它发来的短信都按诈骗保存。",
        "你已封鎖這個號碼（dunwatch block），它發來的簡訊都按詐騙保存。",
        "You blocked this sender (dunwatch block): its messages are kept as scams. ",
    )
}

pub struct Context<'a> {
    pub lang: &'a str,
    pub category: Category,
    pub lender: Option<&'a LenderDef>,
    pub sender: &'a str,
    pub kind: SenderKind,
    pub official_sender: bool,
    pub body: &'a str,
    pub reasons: &'a [Reason],
    /// The person's account with `lender`, when the history is at hand.
    pub account: Option<&'a Account>,
    /// The person blocked the sender.
    pub blocked: bool,
}

static DAYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:逾期|超期)\s*(\d{1,4})\s*天|(\d{1,4})\s*days? (?:past due|overdue|late)")
        .expect("valid")
});
static AMOUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(\d[\d,]*(?:\.\d{1,2})?)\s*元|[$£€¥￥]\s?(\d[\d,]*(?:\.\d{1,2})?)").expect("valid")
});

/// Where to check and whom to call: the registry's channel and trusted hotline.
fn verify_line(lang: &str, l: &LenderDef) -> String {
    let hotline = l.trusted_hotlines().next();
    let channel = l.channel_for(lang);
    let name = l.display(lang);
    match (lang, hotline, channel) {
        ("en", Some(h), Some(c)) => {
            format!("To check, call {name}'s official line {h} or look in {c}.")
        }
        ("en", Some(h), None) => format!("To check, call {name}'s official line {h}."),
        ("en", None, Some(c)) => format!("To check, look in {c}."),
        ("zh-TW", Some(h), Some(c)) => format!("核實請打{name}官方客服 {h}，或在{c}裡查看。"),
        ("zh-TW", None, Some(c)) => format!("核實請在{c}裡查看。"),
        (_, Some(h), Some(c)) => format!("核实请打{name}官方客服 {h}，或在{c}里查看。"),
        (_, Some(h), None) => format!("核实请打{name}官方客服 {h}。"),
        (_, None, Some(c)) => format!("核实请在{c}里查看。"),
        (_, None, None) => String::new(),
    }
}

pub fn advise(c: &Context<'_>) -> (String, String) {
    let (headline, mut advice) = advise_message(c);
    let lang = c.lang;
    // What the person told dunwatch comes first: it is what they most need to hear.
    let mut first = String::new();
    if c.blocked {
        first.push_str(blocked_words(lang));
    }
    if let (Some(l), Some(account)) = (c.lender, c.account)
        && matches!(c.category, Category::Overdue | Category::Harassment)
    {
        // Not for a scam: whether the person has a loan there changes nothing about what
        // to do with a scam, and "perhaps a mistaken number" would soften the warning.
        match account {
            Account::Have(p) => {
                first.push_str(&account_have_text(lang, l, p));
                first.push_str(if lang == "en" { ". " } else { "。" });
            }
            Account::None { .. } => {
                first.push_str(&no_account_advice(lang, l, c.official_sender));
            }
        }
    }
    if !first.is_empty() {
        if lang != "en" && !first.ends_with('。') {
            first.push('\n');
        }
        advice.insert_str(0, &first);
    }
    (headline, advice)
}

fn advise_message(c: &Context<'_>) -> (String, String) {
    let lang = c.lang;
    let name = c.lender.map(|l| l.display(lang).to_string());
    let top = c
        .reasons
        .first()
        .map(|r| r.description.as_str())
        .unwrap_or("");
    match c.category {
        Category::Scam => {
            let headline = match (lang, &name) {
                ("en", Some(n)) => format!("Likely scam: a message pretending to be {n}"),
                ("en", None) => "Likely scam".to_string(),
                ("zh-TW", Some(n)) => format!("疑似詐騙：冒充{n}的簡訊"),
                ("zh-TW", None) => "疑似詐騙簡訊".to_string(),
                (_, Some(n)) => format!(
                    "疑似诈骗：冒充{n}的{}",
                    if c.body.contains("逾期") {
                        "逾期短信"
                    } else {
                        "短信"
                    }
                ),
                (_, None) => "疑似诈骗短信".to_string(),
            };
            let mut advice = String::new();
            if let Some(l) = c.lender
                && !c.official_sender
                && !c.sender.is_empty()
            {
                advice.push_str(&match lang {
                    "en" => format!(
                        "The sender {} is {}, not an official number of {}. ",
                        c.sender,
                        kind_text(lang, c.kind),
                        l.display(lang)
                    ),
                    "zh-TW" => format!(
                        "發件人 {} 是{}，不是{}的官方號碼；",
                        c.sender,
                        kind_text(lang, c.kind),
                        l.display(lang)
                    ),
                    _ => format!(
                        "发件人 {} 是{}，不是{}的官方号码；",
                        c.sender,
                        kind_text(lang, c.kind),
                        l.display(lang)
                    ),
                });
            }
            // The first reason that is not the sender (already said above).
            let top = c
                .reasons
                .iter()
                .find(|r| !r.rule.starts_with("sender."))
                .map_or("", |r| r.description.as_str());
            if !top.is_empty() {
                advice.push_str(top);
                advice.push_str(if lang == "en" { ". " } else { "。\n" });
            }
            advice.push_str(pick(
                lang,
                "不要回电、不要点链接、不要转账、不要说出验证码。",
                "不要回電、不要點連結、不要轉帳、不要說出驗證碼。",
                "Do not call back, do not click the link, do not pay, never share a code. ",
            ));
            match c.lender {
                Some(l) => advice.push_str(&verify_line(lang, l)),
                None => advice.push_str(pick(
                    lang,
                    "已经转账的，立即拨打 110 报警；拿不准可拨打国家反诈专线 96110 咨询。",
                    "已經轉帳請立即報警；台灣可撥 165 反詐騙專線。",
                    "If you already paid, contact your bank and report it (FTC at reportfraud.ftc.gov in the US, Action Fraud in the UK).",
                )),
            }
            (headline, advice)
        }
        Category::Overdue => {
            let days = DAYS
                .captures(c.body)
                .and_then(|m| m.get(1).or(m.get(2)))
                .map(|m| m.as_str().to_string());
            let amount = AMOUNT
                .captures(c.body)
                .and_then(|m| m.get(1).or(m.get(2)))
                .map(|m| m.as_str().to_string());
            let who = name
                .clone()
                .unwrap_or_else(|| pick(lang, "欠款通知", "欠款通知", "Debt notice").to_string());
            let headline = match lang {
                "en" => {
                    let mut h = format!("{who}: payment overdue");
                    if let Some(d) = &days {
                        h.push_str(&format!(" by {d} days"));
                    }
                    if let Some(a) = &amount {
                        h.push_str(&format!(" ({a})"));
                    }
                    h
                }
                _ => {
                    let mut h = format!("{who}：{}", pick(lang, "已逾期", "已逾期", ""));
                    if let Some(d) = &days {
                        h.push_str(&format!(" {d} 天"));
                    }
                    if let Some(a) = &amount {
                        h.push_str(&format!("（{a} 元）"));
                    }
                    h
                }
            };
            let mut advice = String::new();
            match (c.lender, c.official_sender) {
                (Some(l), true) => {
                    advice.push_str(&match lang {
                        "en" => format!("From {}, an official number of {}. ", c.sender, l.display(lang)),
                        "zh-TW" => format!("來自官方號碼 {}，與{}的簡訊簽名一致。", c.sender, l.display(lang)),
                        _ => format!("来自官方号码 {}，与{}的短信签名一致。", c.sender, l.display(lang)),
                    });
                    if let Some(ch) = l.channel_for(lang) {
                        advice.push_str(&match lang {
                            "en" => format!("Pay in {ch}; ignore this if you have already paid."),
                            "zh-TW" => format!("請在{ch}中還款；如已還款可忽略。"),
                            _ => format!("请在{ch}中还款；如已还款可忽略。"),
                        });
                    }
                }
                (Some(l), false) => {
                    advice.push_str(pick(
                        lang,
                        "发件号码不在官方号码名单里：不要回拨短信里的号码，也不要点其中的链接。",
                        "發件號碼不在官方名單裡：不要回撥簡訊裡的號碼。",
                        "The sender is not on the lender's list of official numbers: do not call numbers or open links from the message. ",
                    ));
                    advice.push_str(&verify_line(lang, l));
                }
                (None, _) => advice.push_str(pick(
                    lang,
                    "先在你借款的官方 App 或银行卡背面的客服电话核实是否真的欠款，不要用短信里的号码或链接。",
                    "先在官方 App 或卡背面的客服電話核實，不要用簡訊裡的號碼或連結。",
                    "Check with the lender through its official app or the number on your card or statement, not the contact details in the message.",
                )),
            }
            (headline, advice)
        }
        Category::Harassment => {
            let headline = match (lang, &name) {
                ("en", _) => format!(
                    "Collection that breaks the rules{}",
                    name.as_ref().map(|n| format!(" ({n})")).unwrap_or_default()
                ),
                ("zh-TW", _) => format!(
                    "違規催收{}",
                    name.as_ref()
                        .map(|n| format!("（{n}）"))
                        .unwrap_or_default()
                ),
                (_, Some(n)) => format!("违规催收：{n}相关欠款"),
                (_, None) => "违规催收短信".to_string(),
            };
            let mut advice = String::new();
            if !top.is_empty() {
                advice.push_str(top);
                advice.push_str(if lang == "en" { ". " } else { "。\n" });
            }
            advice.push_str(pick(
                lang,
                "催收不得骚扰你的家人和同事、不得威胁恐吓、不得在 22:00–08:00 催收。这条短信已保存为证据；可向 12378（银行保险消费者投诉热线）投诉，向 12321 举报骚扰短信，遇到人身威胁请拨打 110。",
                "催收不得騷擾家人同事、不得威脅恐嚇。這則簡訊已保存為證據；遇到人身威脅請報警（110），詐騙可撥 165。",
                "Collectors may not threaten you or contact your family or employer about the debt. This message is kept as evidence; complain to the CFPB or FTC (US) or the Financial Ombudsman / FCA (UK), and call the police if you are threatened. ",
            ));
            if let Some(l) = c.lender {
                let v = verify_line(lang, l);
                if !v.is_empty() {
                    advice.push_str(pick(
                        lang,
                        "如确有欠款，请走官方渠道协商：",
                        "如確有欠款，請走官方管道協商：",
                        "If you do owe money, deal with the lender directly. ",
                    ));
                    advice.push_str(&v);
                }
            }
            (headline, advice)
        }
        Category::Reminder => {
            let headline = match (lang, &name) {
                ("en", Some(n)) => format!("{n}: account notice"),
                ("en", None) => "Account notice".to_string(),
                ("zh-TW", Some(n)) => format!("{n}：帳務提醒"),
                (_, Some(n)) => format!("{n}：账务提醒"),
                (_, None) => pick(lang, "账务提醒", "帳務提醒", "Account notice").to_string(),
            };
            let advice = match c.lender.and_then(|l| l.channel_for(lang)) {
                Some(ch) => match lang {
                    "en" => format!("A routine notice. Details are in {ch}."),
                    "zh-TW" => format!("正常的帳務提醒，詳情可在{ch}查看。"),
                    _ => format!("正常的账务提醒，详情可在{ch}查看。"),
                },
                None => pick(
                    lang,
                    "正常的账务提醒，无需处理。",
                    "正常的帳務提醒。",
                    "A routine notice.",
                )
                .to_string(),
            };
            (headline, advice)
        }
        Category::Other => (String::new(), String::new()),
    }
}
