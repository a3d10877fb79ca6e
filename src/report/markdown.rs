//! The report as Markdown. Message text is escaped so that it cannot turn into links,
//! headings, tables or HTML when the file is rendered.

use std::fmt::Write;

use super::{Item, Lang, Report, category_name};
use crate::model::Category;

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Zh { zh } else { en }
}

/// Escapes text for Markdown: one line, no markup, no raw HTML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '!' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn items(out: &mut String, lang: Lang, list: &[Item], empty: &str) {
    if list.is_empty() {
        let _ = writeln!(out, "{empty}\n");
        return;
    }
    for i in list {
        let who = i.lender_name.as_deref().unwrap_or("-");
        let mark = if i.marked_by_user {
            t(lang, "（你标注的）", " (your correction)")
        } else {
            ""
        };
        let _ = writeln!(
            out,
            "- **{}** · {} · {} · {}{mark} · #{}",
            escape(if i.time.is_empty() {
                t(lang, "无时间", "no time")
            } else {
                &i.time
            }),
            escape(&i.sender),
            escape(who),
            category_name(i.category, lang),
            i.id
        );
        let _ = writeln!(out, "  > {}", escape(&i.body));
        for r in &i.reasons {
            let what = if r.description.is_empty() {
                String::new()
            } else {
                format!(" — {}", escape(&r.description))
            };
            let ev = if r.evidence.is_empty() {
                String::new()
            } else {
                format!(" 「{}」", escape(&r.evidence))
            };
            let _ = writeln!(out, "  - `{}`{what}{ev}", r.rule.replace('`', "'"));
        }
    }
    out.push('\n');
}

pub fn render(r: &Report) -> String {
    let lang = r.language;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# {} {}\n",
        t(lang, "dunwatch 催收短信周报", "dunwatch summary"),
        r.period.label()
    );
    let _ = writeln!(
        out,
        "{}: {} – {} ({}){}\n",
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
    let _ = writeln!(out, "**{}**\n", escape(&r.summary));

    let _ = writeln!(out, "## {}\n", t(lang, "总计", "Totals"));
    let _ = writeln!(
        out,
        "| {} | {} |",
        t(lang, "类别", "Category"),
        t(lang, "条数", "Messages")
    );
    let _ = writeln!(out, "| --- | ---: |");
    for c in Category::ALL {
        let _ = writeln!(out, "| {} | {} |", category_name(c, lang), r.totals[&c]);
    }
    if r.corrected_by_user > 0 {
        let _ = writeln!(
            out,
            "\n{}: {}",
            t(
                lang,
                "其中经你更正类别的短信",
                "Messages whose category you corrected"
            ),
            r.corrected_by_user
        );
    }
    out.push('\n');

    let _ = writeln!(out, "## {}\n", t(lang, "按贷款机构", "By lender"));
    if r.lenders.is_empty() {
        let _ = writeln!(
            out,
            "{}\n",
            t(
                lang,
                "没有提到贷款机构的短信。",
                "No message named a lender."
            )
        );
    } else {
        let _ = write!(
            out,
            "| {} | {} |",
            t(lang, "机构", "Lender"),
            t(lang, "合计", "Total")
        );
        for c in Category::DEBT {
            let _ = write!(out, " {} |", category_name(c, lang));
        }
        let _ = write!(out, "\n| --- | ---: |");
        for _ in Category::DEBT {
            out.push_str(" ---: |");
        }
        out.push('\n');
        for l in &r.lenders {
            let _ = write!(
                out,
                "| {} ({}) | {} |",
                escape(&l.name),
                escape(&l.lender),
                l.total
            );
            for c in Category::DEBT {
                let _ = write!(out, " {} |", l.by_category.get(&c).copied().unwrap_or(0));
            }
            out.push('\n');
        }
        out.push('\n');
    }

    let _ = writeln!(
        out,
        "## {}\n",
        t(lang, "识别出的诈骗短信", "Scams identified")
    );
    items(&mut out, lang, &r.scams, t(lang, "没有。", "None."));
    if !r.no_account.is_empty() {
        let _ = writeln!(
            out,
            "## {}\n",
            t(
                lang,
                "来自你没有登记借款的机构的逾期通知",
                "Overdue notices from lenders you have no account with"
            )
        );
        items(&mut out, lang, &r.no_account, "");
    }
    if !r.doubtful.is_empty() {
        let _ = writeln!(
            out,
            "## {}\n",
            t(lang, "存疑的逾期通知", "Doubtful overdue notices")
        );
        items(&mut out, lang, &r.doubtful, "");
    }
    let _ = writeln!(out, "## {}\n", t(lang, "违规催收", "Harassment"));
    items(&mut out, lang, &r.harassment, t(lang, "没有。", "None."));
    let _ = writeln!(
        out,
        "## {}\n",
        t(
            lang,
            "违反时间或频次规定的催收",
            "Collection outside the time and frequency rules"
        )
    );
    items(&mut out, lang, &r.breaches, t(lang, "没有。", "None."));
    if !r.undated.is_empty() {
        let _ = writeln!(
            out,
            "## {}\n",
            t(
                lang,
                "没有时间的短信（本期导入，备份里的时间无法读取）",
                "Messages without a time (imported this period; the backup gave no time dunwatch could read)"
            )
        );
        items(&mut out, lang, &r.undated, "");
    }

    let _ = writeln!(out, "## {}\n", t(lang, "接下来怎么做", "What to do next"));
    if r.next_steps.is_empty() {
        let _ = writeln!(
            out,
            "{}\n",
            t(lang, "本期无需处理。", "Nothing to do for this period.")
        );
    }
    for s in &r.next_steps {
        let _ = writeln!(out, "- {}", escape(s));
    }
    let _ = writeln!(
        out,
        "\n### {}\n",
        t(lang, "核实与投诉渠道", "Where to check and complain")
    );
    for c in &r.channels {
        let _ = writeln!(
            out,
            "- **{}**: {} — {}",
            escape(&c.name),
            escape(&c.contact),
            escape(&c.use_for)
        );
    }
    let _ = writeln!(
        out,
        "\n_{} {}_",
        t(lang, "生成于", "Generated"),
        escape(&r.generated)
    );
    out
}
