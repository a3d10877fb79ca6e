//! The report as Markdown, `src/templates/report.md.j2`. The template engine escapes every
//! value it prints ([`crate::templates`]) so that message text cannot turn into links,
//! headings, tables or HTML when the file is rendered.

use anyhow::Result;

use super::Report;
use super::page::Page;

pub fn render(r: &Report) -> Result<String> {
    crate::templates::render(crate::templates::REPORT_MD, Page::of(r, false))
}

#[cfg(test)]
mod tests {
    use super::super::{Lang, sample};
    use super::*;

    #[test]
    fn markdown_report_escapes_markdown_in_message_text() {
        let r = sample(
            Lang::En,
            "**95588**",
            "[还款](http://evil.example) <img src=x>\n# 逾期 | `x` _y_ \u{202e}",
            "L|1",
        );
        let md = render(&r).unwrap();
        let body = "\\[还款\\](http://evil.example) &lt;img src=x&gt; \\# 逾期 \\| \\`x\\` \\_y\\_ \\u{202e}";
        assert!(md.contains(&format!("  > {body}\n")), "{md}");
        assert!(
            md.contains("- **2026-11-16 10:00** · \\*\\*95588\\*\\* · L\\|1 · Likely scam · #1\n"),
            "{md}"
        );
        // A rule is a code span, where a backslash would show: written as it is.
        assert!(
            md.contains(&format!("  - `scam.link` 「{body}」\n")),
            "{md}"
        );
        assert!(md.contains("| L\\|1 (x) | 1 | 1 | 0 | 0 | 0 |\n"), "{md}");
        assert!(!md.contains('\u{202e}'));
    }
}
