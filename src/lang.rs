//! The one language type: the concrete language a person reads a page, an alert, a report
//! or a notice in. The setting it comes from is `config::Language` (with `auto`).

use serde::Serialize;

use crate::config::{Config, Language};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    ZhCn,
    ZhTw,
    En,
}

impl Lang {
    /// The configured language; `auto` follows the system locale (LC_ALL, LC_MESSAGES,
    /// LANG): what the person's desktop speaks.
    pub fn from_config(config: &Config) -> Lang {
        Lang::of_setting(config.language).unwrap_or_else(Lang::of_locale)
    }

    /// The configured language; `auto` follows `text` (an alert speaks its message's
    /// language).
    pub fn for_text(setting: Language, text: &str) -> Lang {
        Lang::of_setting(setting).unwrap_or_else(|| Lang::of_script(text))
    }

    fn of_setting(setting: Language) -> Option<Lang> {
        match setting {
            Language::ZhCn => Some(Lang::ZhCn),
            Language::ZhTw => Some(Lang::ZhTw),
            Language::En => Some(Lang::En),
            Language::Auto => None,
        }
    }

    fn of_locale() -> Lang {
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|v| !v.is_empty())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !locale.starts_with("zh") {
            Lang::En
        } else if ["zh_tw", "zh_hk", "zh_mo", "zh-tw", "zh-hk", "zh_hant"]
            .iter()
            .any(|p| locale.starts_with(p))
        {
            Lang::ZhTw
        } else {
            Lang::ZhCn
        }
    }

    /// Chinese when the text has Han characters (traditional when it uses characters only
    /// the traditional script has), English otherwise.
    pub fn of_script(text: &str) -> Lang {
        // Characters written differently in the two scripts (shared ones tell nothing).
        const TRADITIONAL: &str = "們這個還帳貸請繫電話銀詐騙與會員額費號碼專辦戶財務償資訊";
        const SIMPLIFIED: &str = "们这个还账贷请电话银诈骗与会员额费号码专办户财务偿资讯";
        let (mut han, mut trad, mut simp) = (0usize, 0usize, 0usize);
        for c in text.chars() {
            if ('\u{4e00}'..='\u{9fff}').contains(&c) {
                han += 1;
                if TRADITIONAL.contains(c) {
                    trad += 1;
                } else if SIMPLIFIED.contains(c) {
                    simp += 1;
                }
            }
        }
        if han == 0 {
            Lang::En
        } else if trad > simp {
            Lang::ZhTw
        } else {
            Lang::ZhCn
        }
    }

    /// The BCP 47 tag (`zh-CN`, `zh-TW`, `en`).
    pub fn code(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }

    /// The language of a BCP 47 tag as [`Lang::code`] writes it.
    pub fn from_code(code: &str) -> Option<Lang> {
        [Lang::ZhCn, Lang::ZhTw, Lang::En]
            .into_iter()
            .find(|l| l.code() == code)
    }

    pub fn is_chinese(self) -> bool {
        self != Lang::En
    }
}

/// A category's name as every page, alert and report shows it.
pub fn category_name(c: crate::model::Category, lang: Lang) -> &'static str {
    use crate::model::Category as C;
    match (lang, c) {
        (Lang::ZhCn, C::Scam) => "疑似诈骗",
        (Lang::ZhCn, C::Overdue) => "逾期通知",
        (Lang::ZhCn, C::Harassment) => "违规催收",
        (Lang::ZhCn, C::Reminder) => "还款提醒",
        (Lang::ZhCn, C::Other) => "其他短信",
        (Lang::ZhTw, C::Scam) => "疑似詐騙",
        (Lang::ZhTw, C::Overdue) => "逾期通知",
        (Lang::ZhTw, C::Harassment) => "違規催收",
        (Lang::ZhTw, C::Reminder) => "還款提醒",
        (Lang::ZhTw, C::Other) => "其他簡訊",
        (Lang::En, C::Scam) => "Likely scam",
        (Lang::En, C::Overdue) => "Overdue notice",
        (Lang::En, C::Harassment) => "Illegal debt collection",
        (Lang::En, C::Reminder) => "Payment reminder",
        (Lang::En, C::Other) => "Other message",
    }
}

impl Serialize for Lang {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_speaks_its_script_and_a_setting_wins_over_it() {
        assert_eq!(Lang::of_script("您的借款已逾期"), Lang::ZhCn);
        assert_eq!(Lang::of_script("您的借款已逾期，請聯繫專員"), Lang::ZhTw);
        assert_eq!(Lang::of_script("Your loan is overdue"), Lang::En);
        assert_eq!(Lang::for_text(Language::En, "您的借款"), Lang::En);
        assert_eq!(Lang::for_text(Language::Auto, "您的借款"), Lang::ZhCn);
    }
}
