//! Weekly (or any-range) summaries of the history, as Markdown, self-contained HTML and JSON.
//!
//! [`Report::build`] gathers everything from the store once (totals, per lender, scams with
//! their reasons, harassment and rule breaches with times, what to do next); the renderers
//! only format it. The daemon calls [`write_weekly`] at the configured time.

pub mod context;
pub mod html;
pub mod json;
pub mod markdown;
pub mod schedule;
pub mod svg;
pub mod week;

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};
use serde::Serialize;

use crate::config::{Config, Language};
use crate::model::{Category, Reason};
use crate::paths::Paths;
use crate::store::Store;
use crate::store::history::{Entry, Filter};
pub use context::Context;
pub use schedule::WeeklySchedule;
pub use week::Period;

/// The language of a report or explanation. zh-TW currently uses the zh-CN texts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Lang {
    #[serde(rename = "zh-CN")]
    Zh,
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// The configured language; `auto` follows the system locale (LC_ALL, LC_MESSAGES, LANG).
    pub fn from_config(config: &Config) -> Lang {
        match config.language {
            Language::ZhCn | Language::ZhTw => Lang::Zh,
            Language::En => Lang::En,
            Language::Auto => {
                let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
                    .iter()
                    .filter_map(|v| std::env::var(v).ok())
                    .find(|v| !v.is_empty())
                    .unwrap_or_default();
                if locale.to_ascii_lowercase().starts_with("zh") {
                    Lang::Zh
                } else {
                    Lang::En
                }
            }
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }
}

/// The short name people know a lender by (ids from PRODUCT.md), else the registry's name;
/// unknown ids are shown as they are.
pub fn lender_name(id: &str, _lang: Lang) -> String {
    let name = match id {
        "webank" => "微众银行",
        "meituan" => "美团",
        "alipay" => "支付宝",
        "jd" => "京东金融",
        "duxiaoman" => "度小满",
        "xiaomi" => "小米金融",
        "zhaolian" => "招联金融",
        "mashang" => "马上消费金融",
        "qifu" => "奇富科技",
        "fenqile" => "分期乐",
        "pingan" => "平安普惠",
        "huanbei" => "还呗",
        "paipaidai" => "拍拍贷",
        "boccfc" => "中银消费金融",
        "icbc" => "工商银行",
        "ccb" => "建设银行",
        "boc" => "中国银行",
        "abc" => "农业银行",
        "bocom" => "交通银行",
        "cmb" => "招商银行",
        "ceb" => "光大银行",
        "cib" => "兴业银行",
        "citic" => "中信银行",
        "cmbc" => "民生银行",
        "spdb" => "浦发银行",
        "gdb" => "广发银行",
        "hxb" => "华夏银行",
        "psbc" => "邮储银行",
        "pab" => "平安银行",
        // Lenders without a short name here: the registry's name, or the id itself.
        other => {
            return crate::classify::registry::Registry::shipped()
                .get(other)
                .map_or_else(|| other.to_string(), |l| l.display("zh-CN").to_string());
        }
    };
    name.to_string()
}

/// The category's name in the report's language.
pub fn category_name(c: Category, lang: Lang) -> &'static str {
    match (lang, c) {
        (Lang::Zh, Category::Scam) => "诈骗",
        (Lang::Zh, Category::Overdue) => "逾期通知",
        (Lang::Zh, Category::Harassment) => "违规催收",
        (Lang::Zh, Category::Reminder) => "还款提醒",
        (Lang::Zh, Category::Other) => "其他",
        (Lang::En, Category::Scam) => "scam",
        (Lang::En, Category::Overdue) => "overdue notice",
        (Lang::En, Category::Harassment) => "harassment",
        (Lang::En, Category::Reminder) => "reminder",
        (Lang::En, Category::Other) => "other",
    }
}

/// One message as a report lists it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: i64,
    /// Local time, `2026-11-18 23:15`.
    pub time: String,
    pub ts: Option<String>,
    pub sender: String,
    pub category: Category,
    /// True when the category is the user's own correction (`dunwatch mark`).
    pub marked_by_user: bool,
    pub lender: Option<String>,
    pub lender_name: Option<String>,
    pub body: String,
    pub headline: String,
    /// The engine's reasons, then the history's.
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LenderRow {
    pub lender: String,
    pub name: String,
    pub total: u64,
    pub by_category: BTreeMap<Category, u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DayRow {
    pub date: String,
    pub by_category: BTreeMap<Category, u64>,
}

/// A place to verify or complain.
#[derive(Debug, Clone, Serialize)]
pub struct Channel {
    pub name: String,
    pub contact: String,
    pub use_for: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub language: Lang,
    pub period: Period,
    /// RFC 3339.
    pub generated: String,
    /// The one sentence the report opens with.
    pub summary: String,
    /// Messages in the period per category (all five).
    pub totals: BTreeMap<Category, u64>,
    /// Messages in the four debt categories.
    pub debt_total: u64,
    /// How many of the period's messages carry the user's own category.
    pub corrected_by_user: u64,
    pub lenders: Vec<LenderRow>,
    pub scams: Vec<Item>,
    /// Overdue notices the history casts doubt on (no loan with that lender, campaign).
    pub doubtful: Vec<Item>,
    pub harassment: Vec<Item>,
    /// Other collection messages (not already under harassment) that broke the time or
    /// frequency rules.
    pub breaches: Vec<Item>,
    /// Distinct collectors (lender, or sender when none) that harassed or broke the rules.
    pub rule_breakers: Vec<String>,
    pub next_steps: Vec<String>,
    pub channels: Vec<Channel>,
    pub daily: Vec<DayRow>,
}

fn has_rule(reasons: &[Reason], rules: &[&str]) -> bool {
    reasons.iter().any(|r| rules.contains(&r.rule.as_str()))
}

impl Report {
    /// Reads the period's messages and the history context from `store`.
    pub fn build(store: &Store, period: Period, lang: Lang) -> Result<Report> {
        let ctx = Context::build(store, period.tz.clone(), lang)?;
        let filter = Filter {
            since_ms: Some(period.start_ms()?),
            until_ms: Some(period.end_ms()?),
            ..Filter::default()
        };
        let mut entries: Vec<Entry> = store.history(&filter)?;
        // Oldest first reads best in a report.
        entries.reverse();

        let mut totals: BTreeMap<Category, u64> = Category::ALL.iter().map(|c| (*c, 0)).collect();
        let mut lenders: BTreeMap<String, LenderRow> = BTreeMap::new();
        let mut daily: BTreeMap<String, DayRow> = period
            .days()
            .into_iter()
            .map(|d| {
                let date = d.to_string();
                let row = DayRow {
                    date: date.clone(),
                    by_category: Category::ALL.iter().map(|c| (*c, 0)).collect(),
                };
                (date, row)
            })
            .collect();
        let (mut scams, mut doubtful, mut harassment, mut breaches) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut breakers: BTreeSet<String> = BTreeSet::new();
        let mut genuine_overdue_lenders: BTreeSet<String> = BTreeSet::new();
        let mut genuine_overdue_ids: BTreeSet<String> = BTreeSet::new();
        let mut genuine_overdue = 0u64;
        let mut corrected = 0u64;

        for e in entries {
            if e.direction != crate::model::Direction::In {
                continue;
            }
            *totals.entry(e.category).or_default() += 1;
            if e.engine_category.is_some() {
                corrected += 1;
            }
            if let Some(day) = e.ts_ms.and_then(|t| period.day_of(t))
                && let Some(row) = daily.get_mut(&day.to_string())
            {
                *row.by_category.entry(e.category).or_default() += 1;
            }
            if e.category == Category::Other {
                continue;
            }
            if let Some(l) = &e.lender {
                let row = lenders.entry(l.clone()).or_insert_with(|| LenderRow {
                    lender: l.clone(),
                    name: lender_name(l, lang),
                    total: 0,
                    by_category: BTreeMap::new(),
                });
                row.total += 1;
                *row.by_category.entry(e.category).or_default() += 1;
            }
            let mut reasons = e.reasons.clone();
            reasons.extend(ctx.reasons(&e));
            let item = Item {
                id: e.id,
                time: e
                    .ts_ms
                    .and_then(|t| jiff::Timestamp::from_millisecond(t).ok())
                    .map(|t| {
                        t.to_zoned(period.tz.clone())
                            .strftime("%Y-%m-%d %H:%M")
                            .to_string()
                    })
                    .unwrap_or_default(),
                ts: e.ts.clone(),
                sender: e.sender.clone(),
                category: e.category,
                marked_by_user: e.engine_category.is_some(),
                lender: e.lender.clone(),
                lender_name: e.lender.as_deref().map(|l| lender_name(l, lang)),
                body: e.body.clone(),
                headline: e.headline.clone(),
                reasons,
            };
            let collector = e.lender.clone().map_or_else(
                || format!("sender {}", crate::store::normalize_sender(&e.sender)),
                |l| lender_name(&l, lang),
            );
            let breach = has_rule(
                &item.reasons,
                &[context::RULE_NIGHT, context::RULE_FREQUENT],
            );
            if breach || e.category == Category::Harassment {
                breakers.insert(collector);
            }
            // Harassment is listed once, under harassment, with its breach reasons.
            if breach && e.category != Category::Harassment {
                breaches.push(item.clone());
            }
            match e.category {
                Category::Scam => scams.push(item),
                Category::Harassment => harassment.push(item),
                Category::Overdue => {
                    if has_rule(
                        &item.reasons,
                        &[context::RULE_NO_PRIOR_LOAN, context::RULE_CAMPAIGN],
                    ) {
                        doubtful.push(item);
                    } else {
                        genuine_overdue += 1;
                        if let Some(name) = &item.lender_name {
                            genuine_overdue_lenders.insert(name.clone());
                        }
                        if let Some(id) = &item.lender {
                            genuine_overdue_ids.insert(id.clone());
                        }
                    }
                }
                Category::Reminder | Category::Other => {}
            }
        }

        let mut lenders: Vec<LenderRow> = lenders.into_values().collect();
        lenders.sort_by(|a, b| b.total.cmp(&a.total).then(a.lender.cmp(&b.lender)));
        let debt_total = Category::DEBT.iter().map(|c| totals[c]).sum();
        let rule_breakers: Vec<String> = breakers.into_iter().collect();
        let genuine_overdue_lenders: Vec<String> = genuine_overdue_lenders.into_iter().collect();
        let summary = summary_sentence(
            lang,
            &period,
            &Counts {
                debt_total,
                genuine_overdue,
                genuine_overdue_lenders: genuine_overdue_lenders.clone(),
                doubtful: doubtful.len() as u64,
                scams: scams.len() as u64,
                breakers: rule_breakers.len() as u64,
            },
        );
        let next_steps = next_steps(
            lang,
            &scams,
            &doubtful,
            &harassment,
            &breaches,
            &genuine_overdue_lenders,
            &official_contacts(&genuine_overdue_ids, lang),
        );
        Ok(Report {
            language: lang,
            generated: crate::store::history::rfc3339(crate::store::now_ms()),
            summary,
            totals,
            debt_total,
            corrected_by_user: corrected,
            lenders,
            scams,
            doubtful,
            harassment,
            breaches,
            rule_breakers,
            next_steps,
            channels: channels(lang),
            daily: daily.into_values().collect(),
            period,
        })
    }
}

struct Counts {
    debt_total: u64,
    genuine_overdue: u64,
    genuine_overdue_lenders: Vec<String>,
    doubtful: u64,
    scams: u64,
    breakers: u64,
}

fn join_names(names: &[String], lang: Lang) -> String {
    match (names.len(), lang) {
        (0, _) => String::new(),
        (1, _) => names[0].clone(),
        (_, Lang::Zh) => {
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

/// "This week: 2 genuine overdue notices from 美团 and 微众银行, 3 scams stopped, 1 collector
/// broke the rules".
fn summary_sentence(lang: Lang, period: &Period, c: &Counts) -> String {
    let names = join_names(&c.genuine_overdue_lenders, lang);
    match lang {
        Lang::Zh => {
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
            if c.doubtful > 0 {
                parts.push(format!("{} 条逾期通知存疑", c.doubtful));
            }
            parts.push(format!("拦下 {} 条诈骗短信", c.scams));
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
            if c.doubtful > 0 {
                parts.push(plural(
                    c.doubtful,
                    "doubtful overdue notice",
                    "doubtful overdue notices",
                ));
            }
            parts.push(format!("{} stopped", plural(c.scams, "scam", "scams")));
            parts.push(format!(
                "{} the rules",
                plural(c.breakers, "collector broke", "collectors broke")
            ));
            format!("{head}: {}.", parts.join(", "))
        }
    }
}

fn next_steps(
    lang: Lang,
    scams: &[Item],
    doubtful: &[Item],
    harassment: &[Item],
    breaches: &[Item],
    overdue_lenders: &[String],
    official: &[String],
) -> Vec<String> {
    let zh = lang == Lang::Zh;
    let mut out = Vec::new();
    if !scams.is_empty() {
        out.push(if zh {
            "诈骗短信：不要回电、不要点链接、不要转账，也不要把验证码告诉任何人。核实借款只用贷款机构官方App或官方客服（不要用短信里的号码）。被骗或险些被骗，请向 12321 举报短信，已转账请立即拨打 110 报警。".to_string()
        } else {
            "Scam texts: do not call back, click links, transfer money or share codes. Check any loan only in the lender's official app or official hotline, never with a number from the message. Report the texts; if you paid anything, call the police at once.".to_string()
        });
    }
    if !doubtful.is_empty() {
        let names: Vec<String> = doubtful
            .iter()
            .filter_map(|i| i.lender_name.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let names = join_names(&names, lang);
        out.push(if zh {
            format!("存疑的逾期通知（{names}）：你的历史记录里没有这家机构的借款短信。请在官方App里确认是否真有借款；若没有，可能是冒名借款或诈骗，请联系官方客服并查询个人征信报告。")
        } else {
            format!("Doubtful overdue notices ({names}): your history has no loan messages from this lender. Check in its official app whether the loan exists; if not, it may be identity misuse or a scam: contact the official customer service and check your credit report.")
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
fn official_contacts(ids: &BTreeSet<String>, lang: Lang) -> Vec<String> {
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
                    Lang::Zh => format!("官方客服 {joined}"),
                    Lang::En => format!("official hotline {joined}"),
                });
            }
            Some(match lang {
                Lang::Zh => format!("{name}：{}", parts.join("，")),
                Lang::En => format!("{name}: {}", parts.join(", ")),
            })
        })
        .collect()
}

/// The complaint channels, which do not depend on the lender.
fn channels(lang: Lang) -> Vec<Channel> {
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
    match lang {
        Lang::Zh => china_zh,
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
    }
}

/// The formats a report can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Md,
    Html,
    Json,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Md => "md",
            Format::Html => "html",
            Format::Json => "json",
        }
    }
}

impl Report {
    pub fn render(&self, format: Format) -> Result<String> {
        Ok(match format {
            Format::Md => markdown::render(self),
            Format::Html => html::render(self),
            Format::Json => json::render(self)?,
        })
    }
}

/// Writes `text` to `path`, readable by the user only, replacing it atomically.
pub fn write_private(path: &Path, text: &str) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        crate::paths::create_private_dir(dir)?;
    }
    let tmp = path.with_extension("tmp-dunwatch");
    {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts
            .open(&tmp)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// Writes the summary of the last complete Monday–Sunday week (local time) into the reports
/// dir as HTML (plus the same report as Markdown beside it) and returns the HTML file's path.
/// The daemon calls this at `reports.weekly` and then notifies with [`Report::summary`]; use
/// [`weekly`] to get both.
pub fn write_weekly(
    store: &Store,
    config: &Config,
    paths: &Paths,
    now: jiff::Timestamp,
) -> Result<PathBuf> {
    Ok(weekly(store, config, paths, now)?.0)
}

/// Like [`write_weekly`], also returning the report (for the notification text).
pub fn weekly(
    store: &Store,
    config: &Config,
    paths: &Paths,
    now: jiff::Timestamp,
) -> Result<(PathBuf, Report)> {
    let tz = config.phone_tz()?;
    let period = Period::previous_week(now, tz);
    let report = Report::build(store, period, Lang::from_config(config))?;
    let html = weekly_path(config, paths, &report.period);
    if let Some(dir) = html.parent() {
        crate::paths::create_private_dir(dir)?;
    }
    write_private(&html, &report.render(Format::Html)?)?;
    write_private(&html.with_extension("md"), &report.render(Format::Md)?)?;
    Ok((html, report))
}

/// Where the weekly summary for `period` is (or will be) written: the HTML file in the
/// reports dir. The daemon looks for it to know whether a week's summary was already written.
pub fn weekly_path(config: &Config, paths: &Paths, period: &Period) -> PathBuf {
    config.reports_dir(paths).join(format!(
        "dunwatch-week-{}_{}.html",
        period.first_day, period.last_day
    ))
}
