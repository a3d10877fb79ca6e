//! Inline SVG charts for the HTML report: plain shapes and text, no scripts, no external
//! fonts or images, so the report opens anywhere, offline. Every label is escaped.

use std::fmt::Write;

use super::html::escape;
use super::{DayRow, Lang, LenderRow, category_name};
use crate::model::Category;

/// One colour per category, readable on white and distinct for common colour blindness.
pub fn colour(c: Category) -> &'static str {
    match c {
        Category::Scam => "#d62728",
        Category::Harassment => "#7b3294",
        Category::Overdue => "#e08214",
        Category::Reminder => "#2b83ba",
        Category::Other => "#9e9e9e",
    }
}

fn legend(out: &mut String, lang: Lang, x0: f64, y: f64) {
    let mut x = x0;
    for c in Category::DEBT {
        let name = category_name(c, lang);
        let _ = write!(
            out,
            r#"<rect x="{x:.1}" y="{:.1}" width="12" height="12" fill="{}"/><text x="{:.1}" y="{:.1}" class="lg">{}</text>"#,
            y - 10.0,
            colour(c),
            x + 16.0,
            y,
            escape(name)
        );
        x += 30.0
            + 8.0
                * name
                    .chars()
                    .map(|ch| if ch.is_ascii() { 1.0 } else { 1.8 })
                    .sum::<f64>();
    }
}

/// Debt-related messages per day, stacked by category.
pub fn daily_chart(days: &[DayRow], lang: Lang) -> String {
    let (w, h) = (760.0_f64, 260.0_f64);
    let (left, right, top, bottom) = (40.0, 10.0, 30.0, 40.0);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let total = |d: &DayRow| -> u64 {
        Category::DEBT
            .iter()
            .map(|c| d.by_category.get(c).copied().unwrap_or(0))
            .sum()
    };
    let max = days.iter().map(total).max().unwrap_or(0).max(1);
    let ticks = nice_ticks(max);
    let top_value = *ticks.last().unwrap_or(&max) as f64;
    let mut out = String::new();
    let title = if lang == Lang::Zh {
        "每天的借款相关短信（按类别）"
    } else {
        "Debt-related messages per day, by category"
    };
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{}"><style>text{{font:11px sans-serif;fill:#333}}.lg{{font-size:12px}}</style>"#,
        escape(title)
    );
    legend(&mut out, lang, left, 16.0);
    for t in &ticks {
        let y = top + plot_h - (*t as f64 / top_value) * plot_h;
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" text-anchor="end">{t}</text>"##,
            w - right,
            left - 4.0,
            y + 4.0
        );
    }
    let n = days.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.7).max(1.0);
    // Label every day in a week, fewer in long ranges.
    let every = (days.len() / 14).max(1);
    for (i, d) in days.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let mut y = top + plot_h;
        for c in Category::DEBT {
            let v = d.by_category.get(&c).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let bh = v as f64 / top_value * plot_h;
            y -= bh;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{y:.1}" width="{bar:.1}" height="{bh:.1}" fill="{}"><title>{} {}: {v}</title></rect>"#,
                colour(c),
                escape(&d.date),
                escape(category_name(c, lang))
            );
        }
        if i % every == 0 {
            let label = d.date.get(5..).unwrap_or(&d.date);
            let _ = write!(
                out,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                x + bar / 2.0,
                top + plot_h + 16.0,
                escape(label)
            );
        }
    }
    let _ = write!(
        out,
        r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="#999"/></svg>"##,
        w - right,
        top + plot_h,
        top + plot_h
    );
    out
}

/// Messages per lender, one horizontal bar each, stacked by category.
pub fn lender_chart(lenders: &[LenderRow], lang: Lang) -> String {
    let rows = lenders.len().max(1) as f64;
    let (w, row_h, top, left, right) = (760.0_f64, 26.0_f64, 34.0_f64, 150.0_f64, 40.0_f64);
    let h = top + rows * row_h + 10.0;
    let plot_w = w - left - right;
    let max = lenders.iter().map(|l| l.total).max().unwrap_or(0).max(1) as f64;
    let title = if lang == Lang::Zh {
        "各贷款机构的短信（按类别）"
    } else {
        "Messages per lender, by category"
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{}"><style>text{{font:12px sans-serif;fill:#333}}.lg{{font-size:12px}}</style>"#,
        escape(title)
    );
    legend(&mut out, lang, left, 16.0);
    if lenders.is_empty() {
        let _ = write!(
            out,
            r#"<text x="{left}" y="{:.1}">{}</text>"#,
            top + 16.0,
            if lang == Lang::Zh {
                "没有提到贷款机构的短信"
            } else {
                "No message named a lender"
            }
        );
    }
    for (i, l) in lenders.iter().enumerate() {
        let y = top + i as f64 * row_h;
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            left - 8.0,
            y + 15.0,
            escape(&l.name)
        );
        let mut x = left;
        for c in Category::DEBT {
            let v = l.by_category.get(&c).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let bw = v as f64 / max * plot_w;
            let _ = write!(
                out,
                r#"<rect x="{x:.1}" y="{:.1}" width="{bw:.1}" height="18" fill="{}"><title>{} {}: {v}</title></rect>"#,
                y + 2.0,
                colour(c),
                escape(&l.name),
                escape(category_name(c, lang))
            );
            x += bw;
        }
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}">{}</text>"#,
            x + 6.0,
            y + 15.0,
            l.total
        );
    }
    out.push_str("</svg>");
    out
}

/// Axis ticks from 0 to a round number at or above `max`.
fn nice_ticks(max: u64) -> Vec<u64> {
    let step = match max {
        0..=5 => 1,
        6..=10 => 2,
        11..=25 => 5,
        26..=50 => 10,
        _ => {
            let raw = max / 5;
            let mag = 10u64.pow(raw.max(1).ilog10());
            raw.div_ceil(mag) * mag
        }
    };
    let mut out = vec![0];
    let mut v = 0;
    while v < max {
        v += step;
        out.push(v);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_reach_the_maximum_in_round_steps() {
        assert_eq!(nice_ticks(3), vec![0, 1, 2, 3]);
        assert_eq!(nice_ticks(7), vec![0, 2, 4, 6, 8]);
        assert_eq!(*nice_ticks(1234).last().unwrap(), 1500);
    }
}
