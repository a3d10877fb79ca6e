//! The two SVG charts of the HTML report, as shapes: this module does the geometry, the
//! template `charts.svg.j2` writes the elements (and escapes every label). Plain shapes and
//! text, no scripts, no external fonts or images, so the report opens anywhere, offline.

use serde::Serialize;

use super::{DayRow, Lang, LenderRow, category_name};
use crate::model::Category;
use crate::words::Catalog;

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

/// One chart: its size, its accessible title, the font size of its labels and its shapes
/// in drawing order.
#[derive(Debug, Clone, Serialize)]
pub struct Chart {
    pub width: String,
    pub height: String,
    pub title: &'static str,
    pub font: &'static str,
    pub shapes: Vec<Shape>,
}

/// Coordinates are written as the page shows them (`12.5`), so the template only prints.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Shape {
    Rect {
        x: String,
        y: String,
        width: String,
        height: String,
        fill: &'static str,
        /// The tooltip; none for the legend's swatches.
        title: Option<String>,
    },
    Text {
        x: String,
        y: String,
        anchor: Option<&'static str>,
        class: Option<&'static str>,
        text: String,
    },
    Line {
        x1: String,
        x2: String,
        y1: String,
        y2: String,
        stroke: &'static str,
    },
}

/// A coordinate to one decimal.
fn n(v: f64) -> String {
    format!("{v:.1}")
}

fn text(x: f64, y: f64, anchor: Option<&'static str>, text: String) -> Shape {
    Shape::Text {
        x: n(x),
        y: n(y),
        anchor,
        class: None,
        text,
    }
}

fn legend(shapes: &mut Vec<Shape>, lang: Lang, x0: f64, y: f64) {
    let mut x = x0;
    for c in Category::DEBT {
        let name = category_name(c, lang);
        shapes.push(Shape::Rect {
            x: n(x),
            y: n(y - 10.0),
            width: "12".into(),
            height: "12".into(),
            fill: colour(c),
            title: None,
        });
        shapes.push(Shape::Text {
            x: n(x + 16.0),
            y: n(y),
            anchor: None,
            class: Some("lg"),
            text: name.to_string(),
        });
        x += 30.0
            + 8.0
                * name
                    .chars()
                    .map(|ch| if ch.is_ascii() { 1.0 } else { 1.8 })
                    .sum::<f64>();
    }
}

/// Debt-related messages per day, stacked by category.
pub fn daily_chart(days: &[DayRow], lang: Lang) -> Chart {
    let (w, h) = (760.0_f64, 260.0_f64);
    let (left, right, top, bottom) = (40.0_f64, 10.0, 30.0, 40.0);
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
    let mut shapes = Vec::new();
    legend(&mut shapes, lang, left, 16.0);
    let rule = |shapes: &mut Vec<Shape>, y: f64, stroke| {
        shapes.push(Shape::Line {
            x1: left.to_string(),
            x2: n(w - right),
            y1: n(y),
            y2: n(y),
            stroke,
        });
    };
    for t in &ticks {
        let y = top + plot_h - (*t as f64 / top_value) * plot_h;
        rule(&mut shapes, y, "#e5e5e5");
        shapes.push(text(left - 4.0, y + 4.0, Some("end"), t.to_string()));
    }
    let slot = plot_w / days.len().max(1) as f64;
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
            shapes.push(Shape::Rect {
                x: n(x),
                y: n(y),
                width: n(bar),
                height: n(bh),
                fill: colour(c),
                title: Some(format!("{} {}: {v}", d.date, category_name(c, lang))),
            });
        }
        if i % every == 0 {
            let label = d.date.get(5..).unwrap_or(&d.date);
            shapes.push(text(
                x + bar / 2.0,
                top + plot_h + 16.0,
                Some("middle"),
                label.to_string(),
            ));
        }
    }
    rule(&mut shapes, top + plot_h, "#999");
    Chart {
        width: w.to_string(),
        height: h.to_string(),
        title: Catalog::of(lang).word("report.chart.daily"),
        font: "11px",
        shapes,
    }
}

/// Messages per lender, one horizontal bar each, stacked by category.
pub fn lender_chart(lenders: &[LenderRow], lang: Lang) -> Chart {
    let rows = lenders.len().max(1) as f64;
    let (w, row_h, top, left, right) = (760.0_f64, 26.0_f64, 34.0_f64, 150.0_f64, 40.0_f64);
    let h = top + rows * row_h + 10.0;
    let plot_w = w - left - right;
    let max = lenders.iter().map(|l| l.total).max().unwrap_or(0).max(1) as f64;
    let mut shapes = Vec::new();
    legend(&mut shapes, lang, left, 16.0);
    if lenders.is_empty() {
        shapes.push(Shape::Text {
            x: left.to_string(),
            y: n(top + 16.0),
            anchor: None,
            class: None,
            text: Catalog::of(lang).text("report.chart.no_lender", &[]),
        });
    }
    for (i, l) in lenders.iter().enumerate() {
        let y = top + i as f64 * row_h;
        shapes.push(text(left - 8.0, y + 15.0, Some("end"), l.name.clone()));
        let mut x = left;
        for c in Category::DEBT {
            let v = l.by_category.get(&c).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let bw = v as f64 / max * plot_w;
            shapes.push(Shape::Rect {
                x: n(x),
                y: n(y + 2.0),
                width: n(bw),
                height: "18".into(),
                fill: colour(c),
                title: Some(format!("{} {}: {v}", l.name, category_name(c, lang))),
            });
            x += bw;
        }
        shapes.push(text(x + 6.0, y + 15.0, None, l.total.to_string()));
    }
    Chart {
        width: w.to_string(),
        height: h.to_string(),
        title: Catalog::of(lang).word("report.chart.lenders"),
        font: "12px",
        shapes,
    }
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
