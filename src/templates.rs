//! The one template engine behind every page dunwatch writes: the weekly report as HTML
//! (with its SVG charts) and as Markdown, and the evidence export's messages.html. The
//! templates are the files in `src/templates/`, built into the binary.
//!
//! Escaping happens here, once, as the engine prints a value, never in a template or at a
//! call site: a template that prints `{{ item.body }}` cannot forget it. A template's name
//! decides how ([`escaping`]): `.html` and `.svg` get minijinja's HTML escaping, `.md`
//! Markdown escaping ([`markdown_text`]), and any other name has no escaping at all and so
//! cannot print anything. On pages, text written by strangers also has its bidirectional
//! controls shown as visible escapes (`\u{202e}`), as on the terminal
//! ([`crate::untrusted::push_visible`]): an override would reorder what follows it.
//!
//! Whitespace: `trim_blocks` and `lstrip_blocks` are on, so a line may end with a
//! `{% tag %}` (or start with an indented one) without adding a line break to the page;
//! `{% tag +%}` keeps the line break, `-}}` drops the one after a value, and the file's own
//! last line break is kept. The pages come out byte for byte as they did when they were
//! written with `format!`, apart from the escaping of `'` and `/`.

use std::sync::LazyLock;

use anyhow::{Result, anyhow};
use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Kwargs, Serde};
use minijinja::{
    AutoEscape, Environment, Error, ErrorKind, HtmlEscape, Output, State, UndefinedBehavior, Value,
};
use serde::Serialize;

use crate::lang::Lang;
use crate::untrusted::{is_bidi_control, push_visible};

pub const REPORT_HTML: &str = "report.html.j2";
pub const REPORT_MD: &str = "report.md.j2";
pub const EVIDENCE_HTML: &str = "evidence.html.j2";

/// Every template, by the name that decides its escaping.
const TEMPLATES: [(&str, &str); 4] = [
    (REPORT_HTML, include_str!("templates/report.html.j2")),
    ("charts.svg.j2", include_str!("templates/charts.svg.j2")),
    (REPORT_MD, include_str!("templates/report.md.j2")),
    (EVIDENCE_HTML, include_str!("templates/evidence.html.j2")),
];

const MARKDOWN: &str = "markdown";

/// Built once; a template that does not parse is an error of every render (and of the tests).
static ENVIRONMENT: LazyLock<Result<Environment<'static>, Error>> = LazyLock::new(environment);

/// Renders the template `name` with `context` (serialized through serde).
pub fn render(name: &str, context: impl Serialize) -> Result<String> {
    let env = ENVIRONMENT
        .as_ref()
        .map_err(|e| anyhow!("the page templates do not load: {e:#}"))?;
    env.get_template(name)
        .and_then(|t| t.render(Value::from(Serde(context))))
        .map_err(|e| anyhow!("cannot render {name}: {e:#}"))
}

fn environment() -> Result<Environment<'static>, Error> {
    let mut env = Environment::new();
    configure(&mut env)?;
    env.add_function("word", word);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// The rules every environment of dunwatch's follows (the reports' here, the review page's in
/// `ui::view`): whitespace, strict fields, escaping by name through [`print`], and no filter
/// that could print around it.
pub fn configure(env: &mut Environment<'static>) -> Result<(), Error> {
    env.set_syntax(
        SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()?,
    );
    // A misspelt field fails the render (and the tests) instead of printing nothing; an
    // `{% if %}` on a field that serde skipped when empty is still allowed.
    env.set_undefined_behavior(UndefinedBehavior::SemiStrict);
    env.set_auto_escape_callback(escaping);
    env.set_formatter(print);
    // These would let a template print text that did not pass through `print`: `safe`
    // unescaped, `escape` and `format` HTML-escaped but with bidi overrides left in.
    for filter in ["safe", "escape", "e", "format"] {
        env.remove_filter(filter);
    }
    env.add_filter("code", code_span);
    Ok(())
}

/// How a template's output is escaped, from its name (a final `.j2` does not count).
fn escaping(name: &str) -> AutoEscape {
    let name = name.strip_suffix(".j2").unwrap_or(name);
    match name.rsplit('.').next() {
        Some("html" | "svg") => AutoEscape::Html,
        Some("md") => AutoEscape::Custom(MARKDOWN.into()),
        // Fails closed: `print` refuses a format it does not know.
        _ => AutoEscape::Custom("none".into()),
    }
}

/// The formatter: how every `{{ value }}` reaches a page.
fn print(out: &mut Output, state: &mut State, value: &Value) -> Result<(), Error> {
    // Markup built by a macro or the `code` filter from parts that were printed here.
    if value.is_safe() {
        return out
            .write_str(value.as_str().unwrap_or_default())
            .map_err(Error::from);
    }
    // An absent lender or contact shows as nothing, as it did before the templates.
    if value.is_none() {
        return Ok(());
    }
    let owned;
    let text = match value.as_str() {
        Some(s) => s,
        None => {
            owned = value.to_string();
            &owned
        }
    };
    match state.auto_escape() {
        AutoEscape::Html => write!(out, "{}", HtmlEscape(&html_text(text))).map_err(Error::from),
        AutoEscape::Custom(name) if name == MARKDOWN => {
            out.write_str(&markdown_text(text)).map_err(Error::from)
        }
        other => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!(
                "{} has no escaping ({other:?}) and prints nothing",
                state.name()
            ),
        )),
    }
}

/// Text for HTML, before minijinja's escaping of `<>&"'/`: control characters other than
/// line breaks and tabs are not valid HTML text and become U+FFFD; bidi controls become
/// visible escapes.
fn html_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if c.is_control() => out.push('\u{fffd}'),
            c if is_bidi_control(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Text for Markdown: one line that cannot become a link, heading, table cell, emphasis or
/// raw HTML when the file is rendered. Bidi controls become visible escapes, whose backslash
/// Markdown shows as it is (it comes before a letter).
fn markdown_text(s: &str) -> String {
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
            c if c.is_control() => out.push(' '),
            c if is_bidi_control(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// `{{ word("report.page.totals", count=3) }}`: the catalog's text (`crate::words`) in the
/// page's language, which the context's `lang` gives (`zh-CN`), or `lang="en"` for one word
/// in another language (the evidence page says everything in two). The text is printed like
/// any other value, escaping included; so are the values filled into it.
fn word(state: &State, key: &str, kwargs: Kwargs) -> Result<String, Error> {
    let code: Option<String> = match kwargs.get::<Option<String>>("lang")? {
        Some(code) => Some(code),
        None => state
            .lookup("lang")
            .and_then(|v| v.as_str().map(str::to_string)),
    };
    let lang = code.as_deref().and_then(Lang::from_code).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            "word() needs the language: `lang` in the context or lang=\"zh-CN\"",
        )
    })?;
    let mut args = Vec::new();
    for name in kwargs.args().filter(|n| *n != "lang") {
        let value: Value = kwargs.get(name)?;
        // As `print` shows it: an absent value is nothing, not "none".
        let text = if value.is_none() || value.is_undefined() {
            String::new()
        } else {
            value.to_string()
        };
        args.push((name, text));
    }
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Ok(crate::words::text(lang, key, &args))
}

/// `{{ rule | code }}` in a Markdown template: the text as a code span. Backslash escapes
/// would show literally inside one, so a backtick (which would end it) becomes `'` and
/// line breaks and other controls become spaces.
fn code_span(state: &State, text: &str) -> Result<Value, Error> {
    if !matches!(state.auto_escape(), AutoEscape::Custom(n) if n == MARKDOWN) {
        return Err(Error::new(
            ErrorKind::InvalidOperation,
            "the code filter is for Markdown templates",
        ));
    }
    let mut out = String::with_capacity(text.len() + 2);
    out.push('`');
    for c in text.chars() {
        match c {
            '`' => out.push('\''),
            c if c.is_control() => out.push(' '),
            c if is_bidi_control(c) => push_visible(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('`');
    Ok(Value::from_safe_string(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env() -> &'static Environment<'static> {
        ENVIRONMENT.as_ref().expect("the templates load")
    }

    fn render_str(name: &str, source: &str, value: &str) -> Result<String, Error> {
        env().render_named_str(name, source, minijinja::context! { v => value })
    }

    #[test]
    fn every_template_loads_and_escapes_by_its_name() {
        for (name, _) in TEMPLATES {
            assert!(env().get_template(name).is_ok(), "{name}");
            assert!(
                matches!(escaping(name), AutoEscape::Html)
                    || escaping(name) == AutoEscape::Custom(MARKDOWN.into()),
                "{name} would print unescaped"
            );
        }
    }

    #[test]
    fn no_template_turns_escaping_off() {
        for (name, source) in TEMPLATES {
            assert!(!source.contains("autoescape"), "{name} changes escaping");
        }
        for filter in ["safe", "escape", "e", "format"] {
            let err = render_str("t.html", &format!("{{{{ v | {filter} }}}}"), "<b>").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::UnknownFilter, "{filter}");
        }
    }

    #[test]
    fn html_templates_escape_markup_and_show_bidi_controls_and_drop_other_controls() {
        let got = render_str(
            "t.html.j2",
            "<p title=\"{{ v }}\">{{ v }}</p>",
            "<b a='1'>&\u{202e}\x1b\n",
        )
        .unwrap();
        let want = "&lt;b a=&#x27;1&#x27;&gt;&amp;\\u{202e}\u{fffd}\n";
        assert_eq!(got, format!("<p title=\"{want}\">{want}</p>"));
        assert_eq!(
            render_str("t.svg.j2", "{{ v }}", "</text>").unwrap(),
            "&lt;&#x2f;text&gt;"
        );
    }

    #[test]
    fn markdown_templates_escape_markdown_and_html() {
        let got = render_str(
            "t.md.j2",
            "> {{ v }}",
            "[x](http://e) <b> *a* # 1\n- b \u{2066}",
        )
        .unwrap();
        assert_eq!(
            got,
            "> \\[x\\](http://e) &lt;b&gt; \\*a\\* \\# 1 - b \\u{2066}"
        );
    }

    #[test]
    fn a_template_of_another_kind_cannot_print() {
        let err = render_str("t.txt", "{{ v }}", "x").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidOperation);
    }

    #[test]
    fn code_spans_keep_the_text_literal_and_only_in_markdown() {
        assert_eq!(
            render_str("t.md", "{{ v | code }}", "a_b`c\nd").unwrap(),
            "`a_b'c d`"
        );
        assert!(render_str("t.html", "{{ v | code }}", "<b>").is_err());
    }

    #[test]
    fn words_come_from_the_catalog_in_the_pages_language_and_are_escaped_with_their_values() {
        let ctx = |lang: &str| minijinja::context! { lang => lang, v => "<b>x</b>" };
        let source = "{{ word('report.contact.hotline', numbers=v) }}|{{ word('report.page.none', lang='en') }}";
        let got = env()
            .render_named_str("t.html", source, ctx("zh-CN"))
            .unwrap();
        assert_eq!(got, "官方客服 &lt;b&gt;x&lt;&#x2f;b&gt;|None.");
        let got = env().render_named_str("t.md", source, ctx("en")).unwrap();
        assert_eq!(got, "official hotline &lt;b&gt;x&lt;/b&gt;|None.");
        // Without a language, no word.
        let err = env()
            .render_named_str("t.html", "{{ word('report.page.none') }}", ())
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidOperation);
    }

    #[test]
    fn none_prints_as_nothing() {
        let got = env()
            .render_named_str("t.html", "[{{ v }}]", minijinja::context! { v => () })
            .unwrap();
        assert_eq!(got, "[]");
    }
}
