//! What the report templates (`src/templates/report.*.j2`) are rendered with: the report
//! itself and the few things a template cannot work out (category names in the report's
//! language, their colours and order). Its words are the catalog's (`word(key)`).

use std::collections::BTreeMap;

use serde::Serialize;

use super::{Lang, Report, category_name, svg};
use crate::model::Category;

#[derive(Serialize)]
pub(super) struct CategoryView {
    key: &'static str,
    name: &'static str,
    colour: &'static str,
}

#[derive(Serialize)]
pub(super) struct Page<'a> {
    r: &'a Report,
    /// The language of the templates' `word(key)` (`zh-CN`).
    lang: &'static str,
    period_label: String,
    version: &'static str,
    /// By key (`scam`), for a message's category.
    category: BTreeMap<&'static str, CategoryView>,
    /// All five, in the report's order (a map would sort them by name).
    categories: Vec<CategoryView>,
    debt_categories: Vec<CategoryView>,
    daily_chart: Option<svg::Chart>,
    lender_chart: Option<svg::Chart>,
}

fn view(c: Category, lang: Lang) -> CategoryView {
    CategoryView {
        key: c.as_str(),
        name: category_name(c, lang),
        colour: svg::colour(c),
    }
}

impl<'a> Page<'a> {
    /// `charts` for HTML: the SVG charts' layout.
    pub(super) fn of(r: &'a Report, charts: bool) -> Page<'a> {
        let lang = r.language;
        Page {
            r,
            lang: lang.code(),
            period_label: r.period.label(),
            version: env!("CARGO_PKG_VERSION"),
            category: Category::ALL
                .iter()
                .map(|&c| (c.as_str(), view(c, lang)))
                .collect(),
            categories: Category::ALL.iter().map(|&c| view(c, lang)).collect(),
            debt_categories: Category::DEBT.iter().map(|&c| view(c, lang)).collect(),
            daily_chart: charts.then(|| svg::daily_chart(&r.daily, lang)),
            lender_chart: charts.then(|| svg::lender_chart(&r.lenders, lang)),
        }
    }
}
