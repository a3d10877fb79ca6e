//! The report as one self-contained HTML page: inline CSS and SVG, no scripts, no external
//! assets (it is opened from disk, maybe offline, and must not call anywhere). Every piece of
//! message text, sender and lender name goes through [`escape`].

use std::fmt::Write;

use super::{Item, Lang, Report, category_name, svg};
use crate::model::Category;

/// Escapes text for HTML element content and quoted attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than line breaks and tabs are not valid HTML text.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            // Bidirectional controls would reorder the text around them: shown as escapes,
            // as on the terminal (`crate::untrusted`).
            c if crate::untrusted::is_bidi_control(c) => {
                crate::untrusted::push_visible(&mut out, c)
            }
            c => out.push(c),
        }
    }
    out
}

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Zh { zh } else { en }
}

const STYLE: &str = r#"
body{font-family:-apple-system,"Segoe UI","Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;max-width:860px;margin:2em auto;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.5em;margin-bottom:.2em}h2{font-size:1.15em;border-bottom:1px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
.period{color:#555}.summary{font-size:1.15em;background:#f4f6f8;border-left:4px solid #2b83ba;padding:.6em .9em}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:left}td.n{text-align:right}
.cat{display:inline-block;border-radius:3px;color:#fff;padding:0 .4em;font-size:.85em}
.msg{border:1px solid #e3e3e3;border-radius:4px;padding:.5em .8em;margin:.6em 0;page-break-inside:avoid}
.meta{color:#555;font-size:.9em}.body{white-space:pre-wrap;word-break:break-word;margin:.3em 0;background:#fafafa;padding:.3em .5em}
.reasons{margin:.2em 0 0 1.2em;padding:0;font-size:.9em}.rule{font-family:monospace;color:#444}
.mark{color:#7b3294;font-size:.85em}footer{color:#888;font-size:.85em;margin-top:2em}
@media print{body{margin:0}.msg{border-color:#bbb}}
"#;

fn badge(c: Category, lang: Lang) -> String {
    format!(
        r#"<span class="cat" style="background:{}">{}</span>"#,
        svg::colour(c),
        escape(category_name(c, lang))
    )
}

fn items(out: &mut String, lang: Lang, list: &[Item], empty: &str) {
    if list.is_empty() {
        let _ = writeln!(out, "<p>{}</p>", escape(empty));
        return;
    }
    for i in list {
        let _ = write!(
            out,
            r#"<div class="msg"><div class="meta">{} · <b>{}</b> · {}{} {} · #{}</div>"#,
            escape(if i.time.is_empty() {
                t(lang, "无时间", "no time")
            } else {
                &i.time
            }),
            escape(&i.sender),
            i.lender_name
                .as_deref()
                .map(|n| format!("{} · ", escape(n)))
                .unwrap_or_default(),
            badge(i.category, lang),
            if i.marked_by_user {
                format!(
                    r#"<span class="mark">{}</span>"#,
                    t(lang, "（你标注的类别）", "(your correction)")
                )
            } else {
                String::new()
            },
            i.id
        );
        let _ = write!(out, r#"<div class="body">{}</div>"#, escape(&i.body));
        if !i.reasons.is_empty() {
            out.push_str(r#"<ul class="reasons">"#);
            for r in &i.reasons {
                let _ = write!(out, r#"<li><span class="rule">{}</span>"#, escape(&r.rule));
                if !r.description.is_empty() {
                    let _ = write!(out, " — {}", escape(&r.description));
                }
                if !r.evidence.is_empty() {
                    let _ = write!(out, " 「{}」", escape(&r.evidence));
                }
                out.push_str("</li>");
            }
            out.push_str("</ul>");
        }
        out.push_str("</div>\n");
    }
}

pub fn render(r: &Report) -> String {
    let lang = r.language;
    let mut out = String::with_capacity(16 * 1024);
    let title = format!(
        "{} {}",
        t(lang, "dunwatch 催收短信周报", "dunwatch summary"),
        r.period.label()
    );
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n",
        lang.code(),
        escape(&title)
    );
    let _ = writeln!(out, "<h1>{}</h1>", escape(&title));
    let _ = writeln!(
        out,
        r#"<p class="period">{}: {} – {} ({}){}</p>"#,
        t(lang, "时段", "Period"),
        r.period.first_day,
        r.period.last_day,
        escape(&r.period.timezone),
        if r.period.kind == "week" {
            t(lang, "，周一至周日", ", Monday to Sunday")
        } else {
            ""
        }
    );
    let _ = writeln!(out, r#"<p class="summary">{}</p>"#, escape(&r.summary));

    let _ = writeln!(out, "<h2>{}</h2><table>", t(lang, "总计", "Totals"));
    for c in Category::ALL {
        let _ = writeln!(
            out,
            r#"<tr><td>{}</td><td class="n">{}</td></tr>"#,
            badge(c, lang),
            r.totals[&c]
        );
    }
    out.push_str("</table>\n");
    if r.corrected_by_user > 0 {
        let _ = writeln!(
            out,
            "<p>{}: {}</p>",
            t(
                lang,
                "其中经你更正类别的短信",
                "Messages whose category you corrected"
            ),
            r.corrected_by_user
        );
    }
    out.push_str(&svg::daily_chart(&r.daily, lang));

    let _ = writeln!(out, "<h2>{}</h2>", t(lang, "按贷款机构", "By lender"));
    out.push_str(&svg::lender_chart(&r.lenders, lang));
    if !r.lenders.is_empty() {
        let _ = write!(
            out,
            "<table><tr><th>{}</th><th>{}</th>",
            t(lang, "机构", "Lender"),
            t(lang, "合计", "Total")
        );
        for c in Category::DEBT {
            let _ = write!(out, "<th>{}</th>", escape(category_name(c, lang)));
        }
        out.push_str("</tr>\n");
        for l in &r.lenders {
            let _ = write!(
                out,
                r#"<tr><td>{} <span class="meta">{}</span></td><td class="n">{}</td>"#,
                escape(&l.name),
                escape(&l.lender),
                l.total
            );
            for c in Category::DEBT {
                let _ = write!(
                    out,
                    r#"<td class="n">{}</td>"#,
                    l.by_category.get(&c).copied().unwrap_or(0)
                );
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</table>\n");
    }

    let none = t(lang, "没有。", "None.");
    let _ = writeln!(
        out,
        "<h2>{}</h2>",
        t(lang, "识别出的诈骗短信", "Scams identified")
    );
    items(&mut out, lang, &r.scams, none);
    if !r.no_account.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>",
            t(
                lang,
                "来自你没有登记借款的机构的逾期通知",
                "Overdue notices from lenders you have no account with"
            )
        );
        items(&mut out, lang, &r.no_account, none);
    }
    if !r.doubtful.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>",
            t(lang, "存疑的逾期通知", "Doubtful overdue notices")
        );
        items(&mut out, lang, &r.doubtful, none);
    }
    let _ = writeln!(out, "<h2>{}</h2>", t(lang, "违规催收", "Harassment"));
    items(&mut out, lang, &r.harassment, none);
    let _ = writeln!(
        out,
        "<h2>{}</h2>",
        t(
            lang,
            "违反时间或频次规定的催收",
            "Collection outside the time and frequency rules"
        )
    );
    items(&mut out, lang, &r.breaches, none);
    if !r.undated.is_empty() {
        let _ = writeln!(
            out,
            "<h2>{}</h2>",
            t(
                lang,
                "没有时间的短信（本期导入，备份里的时间无法读取）",
                "Messages without a time (imported this period; the backup gave no time dunwatch could read)"
            )
        );
        items(&mut out, lang, &r.undated, none);
    }

    let _ = writeln!(
        out,
        "<h2>{}</h2><ul>",
        t(lang, "接下来怎么做", "What to do next")
    );
    if r.next_steps.is_empty() {
        let _ = writeln!(
            out,
            "<li>{}</li>",
            t(lang, "本期无需处理。", "Nothing to do for this period.")
        );
    }
    for s in &r.next_steps {
        let _ = writeln!(out, "<li>{}</li>", escape(s));
    }
    let _ = writeln!(
        out,
        "</ul><h3>{}</h3><table>",
        t(lang, "核实与投诉渠道", "Where to check and complain")
    );
    for c in &r.channels {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td><b>{}</b></td><td>{}</td></tr>",
            escape(&c.name),
            escape(&c.contact),
            escape(&c.use_for)
        );
    }
    let _ = writeln!(
        out,
        "</table><footer>{} {} · dunwatch {}</footer></body></html>",
        t(lang, "生成于", "Generated"),
        escape(&r.generated),
        env!("CARGO_PKG_VERSION")
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }
}
