//! What a report says in its own words, in the report's language: the sentence it opens
//! with, the next steps, the lenders' official contacts and the complaint channels.

use std::collections::BTreeSet;

use super::{Channel, Item, Lang, Period, lender_name};

pub(super) struct Counts {
    pub(super) debt_total: u64,
    pub(super) genuine_overdue: u64,
    pub(super) genuine_overdue_lenders: Vec<String>,
    pub(super) doubtful: u64,
    pub(super) no_account: u64,
    pub(super) scams: u64,
    pub(super) breakers: u64,
}

fn join_names(names: &[String], lang: Lang) -> String {
    match (names.len(), lang) {
        (0, _) => String::new(),
        (1, _) => names[0].clone(),
        (_, Lang::ZhCn | Lang::ZhTw) => {
            let (last, rest) = names.split_last().expect("non-empty");
            format!("{}和{last}", rest.join("、"))
        }
        (_, Lang::En) => {
            let (last, rest) = names.split_last().expect("non-empty");
            format!("{} and {last}", rest.join(", "))
        }
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

/// "This week: 2 genuine overdue notices from 美团 and 微众银行, 3 scams identified, 1 collector
/// broke the rules".
pub(super) fn summary_sentence(lang: Lang, period: &Period, c: &Counts) -> String {
    let names = join_names(&c.genuine_overdue_lenders, lang);
    match lang {
        Lang::ZhCn | Lang::ZhTw => {
            // The weekly summary is read on the Monday after: name the week, not "this week".
            let head = if period.kind == "week" {
                format!("{} 至 {} 这一周", period.first_day, period.last_day)
            } else {
                format!("{} 至 {}", period.first_day, period.last_day)
            };
            if c.debt_total == 0 {
                return format!("{head}：没有收到与借款、催收有关的短信。");
            }
            let mut parts = Vec::new();
            if c.genuine_overdue > 0 {
                if names.is_empty() {
                    parts.push(format!("{} 条真实逾期通知", c.genuine_overdue));
                } else {
                    parts.push(format!("{names}发来 {} 条真实逾期通知", c.genuine_overdue));
                }
            }
            if c.no_account > 0 {
                parts.push(format!(
                    "{} 条逾期通知来自你没有登记借款的机构",
                    c.no_account
                ));
            }
            if c.doubtful > 0 {
                parts.push(format!("{} 条逾期通知存疑", c.doubtful));
            }
            parts.push(format!("识别出 {} 条诈骗短信", c.scams));
            parts.push(format!("{} 个催收方违反催收规定", c.breakers));
            format!("{head}：{}。", parts.join("，"))
        }
        Lang::En => {
            let head = if period.kind == "week" {
                format!("The week of {} to {}", period.first_day, period.last_day)
            } else {
                format!("From {} to {}", period.first_day, period.last_day)
            };
            if c.debt_total == 0 {
                return format!("{head}: no messages about loans or debt collection.");
            }
            let mut parts = Vec::new();
            if c.genuine_overdue > 0 {
                let mut s = plural(
                    c.genuine_overdue,
                    "genuine overdue notice",
                    "genuine overdue notices",
                );
                if !names.is_empty() {
                    s.push_str(&format!(" from {names}"));
                }
                parts.push(s);
            }
            if c.no_account > 0 {
                parts.push(format!(
                    "{} from lenders you have no account with",
                    plural(c.no_account, "overdue notice", "overdue notices")
                ));
            }
            if c.doubtful > 0 {
                parts.push(plural(
                    c.doubtful,
                    "doubtful overdue notice",
                    "doubtful overdue notices",
                ));
            }
            parts.push(format!("{} identified", plural(c.scams, "scam", "scams")));
            parts.push(format!(
                "{} the rules",
                plural(c.breakers, "collector broke", "collectors broke")
            ));
            format!("{head}: {}.", parts.join(", "))
        }
    }
}

/// The report's lists that the next steps speak of.
#[derive(Clone, Copy)]
pub(super) struct Sections<'a> {
    pub(super) scams: &'a [Item],
    pub(super) doubtful: &'a [Item],
    pub(super) no_account: &'a [Item],
    pub(super) harassment: &'a [Item],
    pub(super) breaches: &'a [Item],
}

pub(super) fn next_steps(
    lang: Lang,
    sections: &Sections<'_>,
    overdue_lenders: &[String],
    official: &[String],
) -> Vec<String> {
    let Sections {
        scams,
        doubtful,
        no_account,
        harassment,
        breaches,
    } = *sections;
    let zh = lang.is_chinese();
    let mut out = Vec::new();
    if !scams.is_empty() {
        out.push(if zh {
            "诈骗短信：不要回电、不要点链接、不要转账，也不要把验证码告诉任何人。核实借款只用贷款机构官方App或官方客服（不要用短信里的号码）。被骗或险些被骗，请向 12321 举报短信，已转账请立即拨打 110 报警。".to_string()
        } else {
            "Scam texts: do not call back, click links, transfer money or share codes. Check any loan only in the lender's official app or official hotline, never with a number from the message. Report the texts; if you paid anything, call the police at once.".to_string()
        });
    }
    let names_of = |items: &[Item]| {
        let names: Vec<String> = items
            .iter()
            .filter_map(|i| i.lender_name.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        join_names(&names, lang)
    };
    if !no_account.is_empty() {
        let names = names_of(no_account);
        out.push(if zh {
            format!("来自你没有登记借款的机构的逾期通知（{names}）：可能是发错号码、有人冒用你的身份借款，或是诈骗。请到中国人民银行征信中心（pbccrc.org.cn）查询个人信用报告，并拨打该机构官方客服核实（不要用短信里的号码）。如果你确实在这家机构借过款，用 dunwatch lenders add 登记，以后的通知就不会再这样提示。")
        } else {
            format!("Overdue notices from lenders you have no account with ({names}): perhaps a mistaken number, someone using your identity, or a scam. Check your credit report with the PBOC Credit Reference Center (pbccrc.org.cn) and call the lender's official hotline, never the number in the message. If you do have a loan there, add it with `dunwatch lenders add`.")
        });
    }
    if !doubtful.is_empty() {
        let names = names_of(doubtful);
        out.push(if zh {
            format!("存疑的逾期通知（{names}）：同样的文字从多个号码发来，或发件号码以前发过诈骗短信。请在官方App里确认是否真有欠款，不要用短信里的号码或链接。")
        } else {
            format!("Doubtful overdue notices ({names}): the same text came from several numbers, or the sender sent you a scam before. Check in the lender's official app whether you owe anything; never use the number or link in the message.")
        });
    }
    if !overdue_lenders.is_empty() {
        let names = join_names(overdue_lenders, lang);
        out.push(if zh {
            format!("真实逾期（{names}）：请在官方App里还款，或拨打App“联系我们”里的官方客服协商还款，避免影响征信。")
        } else {
            format!("Genuine overdue notices ({names}): pay in the official app, or call the official customer service listed in the app to agree a plan, before your credit record suffers.")
        });
        out.extend(official.iter().cloned());
    }
    if !harassment.is_empty() || !breaches.is_empty() {
        out.push(if zh {
            "违规催收：保留证据（dunwatch evidence --out 目录 导出短信和校验值），向贷款机构官方客服投诉，并向 12378（银行、消费金融投诉热线）投诉；受到人身威胁请拨打 110。".to_string()
        } else {
            "Rule-breaking collection: keep the evidence (dunwatch evidence --out DIR exports the messages with a hash), complain to the lender's official customer service and to the regulator; call the police if you are threatened.".to_string()
        });
    }
    out
}

/// How to reach each lender officially, from the shipped registry (only hotlines of high or
/// medium confidence): one line per lender that has such facts.
pub(super) fn official_contacts(ids: &BTreeSet<String>, lang: Lang) -> Vec<String> {
    let registry = crate::classify::registry::Registry::shipped();
    ids.iter()
        .filter_map(|id| registry.get(id))
        .filter_map(|l| {
            let channel = l.channel_for(lang.code());
            let hotlines: Vec<&str> = l.trusted_hotlines().collect();
            if channel.is_none() && hotlines.is_empty() {
                return None;
            }
            let name = lender_name(&l.id, lang);
            let mut parts = Vec::new();
            if let Some(c) = channel {
                parts.push(c.to_string());
            }
            if !hotlines.is_empty() {
                let joined = hotlines.join(" / ");
                parts.push(match lang {
                    Lang::ZhCn | Lang::ZhTw => format!("官方客服 {joined}"),
                    Lang::En => format!("official hotline {joined}"),
                });
            }
            Some(match lang {
                Lang::ZhCn | Lang::ZhTw => format!("{name}：{}", parts.join("，")),
                Lang::En => format!("{name}: {}", parts.join(", ")),
            })
        })
        .collect()
}

/// The complaint channels, which do not depend on the lender. In English, China's come first
/// when the messages are mostly Chinese (`china_first`), the US and UK ones otherwise.
pub(super) fn channels(lang: Lang, china_first: bool) -> Vec<Channel> {
    let ch = |name: &str, contact: &str, use_for: &str| Channel {
        name: name.into(),
        contact: contact.into(),
        use_for: use_for.into(),
    };
    let china_zh = vec![
        ch(
            "国家金融监督管理总局消费者投诉热线",
            "12378",
            "银行、消费金融公司的违规催收和服务投诉",
        ),
        ch(
            "12321 网络不良与垃圾信息举报受理中心",
            "12321（网站 www.12321.cn）",
            "诈骗短信、骚扰短信举报",
        ),
        ch("公安机关", "110", "受到威胁、被诈骗或已转账"),
        ch(
            "人民法院诉讼服务热线",
            "12368",
            "核实自称“法院”的短信和案号",
        ),
    ];
    let mut english = match lang {
        Lang::ZhCn | Lang::ZhTw => return china_zh,
        Lang::En => vec![
            ch(
                "US Federal Trade Commission",
                "reportfraud.ftc.gov",
                "scams and fake debt collectors (US)",
            ),
            ch(
                "US Consumer Financial Protection Bureau",
                "consumerfinance.gov/complaint",
                "debt collection that breaks the rules (US)",
            ),
            ch(
                "Action Fraud",
                "actionfraud.police.uk · 0300 123 2040",
                "fraud and scam texts (UK); forward spam texts to 7726",
            ),
            ch(
                "China: NFRA consumer hotline",
                "12378",
                "banks and consumer-finance companies, illegal collection (mainland China)",
            ),
            ch(
                "China: 12321 spam report centre",
                "12321 (www.12321.cn)",
                "scam and spam SMS (mainland China)",
            ),
            ch(
                "Police",
                "110 (China) · 911 (US) · 999 (UK)",
                "threats and fraud",
            ),
        ],
    };
    if china_first {
        // Stable: the Chinese channels in their order, then the others in theirs.
        english.sort_by_key(|c| !c.name.starts_with("China"));
    }
    english
}
