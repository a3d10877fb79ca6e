//! [`Report::build`]: one pass over the period's messages from the store, counting and
//! sorting them into what the report lists.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Result;

use super::wording::{Counts, Sections, channels, next_steps, official_contacts, summary_sentence};
use super::{Context, DayRow, Item, Lang, LenderRow, Period, Report, context, lender_name};
use crate::classify::Engine;
use crate::model::{Category, Reason};
use crate::store::Store;
use crate::store::history::{Entry, Filter};

fn has_rule(reasons: &[Reason], rules: &[&str]) -> bool {
    reasons.iter().any(|r| rules.contains(&r.rule.as_str()))
}

impl Report {
    /// Reads the period's messages and the history context from `store`.
    pub fn build(store: &Store, engine: &Engine, period: Period, lang: Lang) -> Result<Report> {
        let ctx = Context::build(store, engine, period.tz.clone())?;
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
        let (mut scams, mut doubtful, mut no_account, mut harassment, mut breaches) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
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
            let item = item_of(&e, &ctx, &period, lang);
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
                        &[context::RULE_CAMPAIGN, context::RULE_SCAM_SENDER],
                    ) {
                        doubtful.push(item);
                    } else if has_rule(&item.reasons, &[context::RULE_NO_ACCOUNT]) {
                        // Perhaps genuine, perhaps not the person's loan: listed apart, with
                        // what to check.
                        no_account.push(item);
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

        // Messages without a time belong to no day of the period: those imported during
        // it are listed apart, so that nothing about debt goes unreported.
        let undated: Vec<Item> = store
            .history(&Filter {
                undated: true,
                ..filter
            })?
            .into_iter()
            .rev()
            .filter(|e| e.direction == crate::model::Direction::In && e.category != Category::Other)
            .map(|e| item_of(&e, &ctx, &period, lang))
            .collect();

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
                no_account: no_account.len() as u64,
                scams: scams.len() as u64,
                breakers: rule_breakers.len() as u64,
            },
        );
        let next_steps = next_steps(
            lang,
            &Sections {
                scams: &scams,
                doubtful: &doubtful,
                no_account: &no_account,
                harassment: &harassment,
                breaches: &breaches,
            },
            &genuine_overdue_lenders,
            &official_contacts(&genuine_overdue_ids, lang),
        );
        let channels = channels(
            lang,
            mostly_chinese(&[&scams, &doubtful, &no_account, &harassment]),
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
            no_account,
            harassment,
            breaches,
            undated,
            rule_breakers,
            next_steps,
            channels,
            daily: daily.into_values().collect(),
            period,
        })
    }
}

/// Whether most messages the report lists are in Chinese: then China's complaint channels
/// come first, whatever language the report is written in.
fn mostly_chinese(sections: &[&Vec<Item>]) -> bool {
    let (mut chinese, mut all) = (0usize, 0usize);
    for item in sections.iter().flat_map(|s| s.iter()) {
        all += 1;
        chinese += usize::from(crate::lang::Lang::of_script(&item.body).is_chinese());
    }
    all == 0 || chinese * 2 >= all
}

/// A message as the report lists it, with its reasons in the light of the history.
fn item_of(e: &Entry, ctx: &Context, period: &Period, lang: Lang) -> Item {
    Item {
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
        reasons: ctx.current_reasons(e),
    }
}
