//! The report as one self-contained HTML page: inline CSS and SVG, no scripts, no external
//! assets (it is opened from disk, maybe offline, and must not call anywhere). The page is
//! `src/templates/report.html.j2`; the template engine escapes every value it prints
//! ([`crate::templates`]).

use anyhow::Result;

use super::Report;
use super::page::Page;

pub fn render(r: &Report) -> Result<String> {
    crate::templates::render(crate::templates::REPORT_HTML, Page::of(r, true))
}

#[cfg(test)]
mod tests {
    use super::super::{Lang, sample};
    use super::*;

    #[test]
    fn report_html_escapes_markup_in_sender_and_body_through_the_template_engine() {
        let r = sample(
            Lang::En,
            "<b onmouseover=\"x()\">95588</b>",
            "<script>alert('x')</script> & <img src=x>",
            "L",
        );
        let html = render(&r).unwrap();
        assert!(!html.contains("<script") && !html.contains("<img") && !html.contains("<b "));
        assert!(
            html.contains("<b>&lt;b onmouseover=&quot;x()&quot;&gt;95588&lt;&#x2f;b&gt;</b>"),
            "{html}"
        );
        assert!(html.contains(
            "<div class=\"body\">&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt; &amp; &lt;img src=x&gt;</div>"
        ));
        // The reason quotes the body: escaped the same way.
        assert!(html.contains(" 「&lt;script&gt;"), "{html}");
    }

    #[test]
    fn report_html_shows_bidi_overrides_in_the_sender_as_visible_escapes() {
        let r = sample(Lang::ZhCn, "95\u{202e}588", "body\u{2066}x", "L\u{202e}");
        let html = render(&r).unwrap();
        assert!(
            !html.contains(['\u{202e}', '\u{2066}']),
            "a bidi control reached the page"
        );
        assert!(html.contains("<b>95\\u{202e}588</b>"), "{html}");
        assert!(html.contains("body\\u{2066}x"), "{html}");
        // In the lender chart's label too.
        assert!(
            html.contains("text-anchor=\"end\">L\\u{202e}</text>"),
            "{html}"
        );
    }

    #[test]
    fn report_html_charts_escape_lender_names() {
        let r = sample(Lang::En, "95588", "body", "</text><script>x</script>");
        let html = render(&r).unwrap();
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains(
            "<title>&lt;&#x2f;text&gt;&lt;script&gt;x&lt;&#x2f;script&gt; Likely scam: 1</title>"
        ));
    }
}
