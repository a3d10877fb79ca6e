//! How the review page is written: the templates (`src/ui/templates/`), rendered by
//! minijinja with HTML escaping for every value, and the words of the person's language from
//! the message catalog (`crate::words`).
//!
//! Message text, senders, contact and file names reach the page only through the template
//! engine's escaping, the same as for the reports (`crate::templates`): HTML-escaped, with
//! bidirectional controls shown as visible escapes, so a sender cannot reorder the text
//! around it.

use minijinja::value::Value;
use minijinja::{Environment, Error};

use crate::words::Catalog;

const TEMPLATES: [(&str, &str); 11] = [
    ("learned.html", include_str!("../templates/ui/learned.html")),
    (
        "evidence.html",
        include_str!("../templates/ui/evidence.html"),
    ),
    ("reports.html", include_str!("../templates/ui/reports.html")),
    ("base.html", include_str!("../templates/ui/base.html")),
    ("inbox.html", include_str!("../templates/ui/inbox.html")),
    ("message.html", include_str!("../templates/ui/message.html")),
    ("senders.html", include_str!("../templates/ui/senders.html")),
    ("lenders.html", include_str!("../templates/ui/lenders.html")),
    (
        "problems.html",
        include_str!("../templates/ui/problems.html"),
    ),
    (
        "settings.html",
        include_str!("../templates/ui/settings.html"),
    ),
    ("notice.html", include_str!("../templates/ui/notice.html")),
];

pub const STYLE: &str = include_str!("../templates/ui/app.css");

/// The template environment of the page: the escaping rules of every dunwatch page
/// (`crate::templates::configure`), the page's templates, and the catalog as
/// `word(key, name=value…)`.
pub fn environment(catalog: &'static Catalog) -> Environment<'static> {
    let mut env = Environment::new();
    crate::templates::configure(&mut env).expect("the template settings are valid");
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .expect("the embedded templates parse (checked by a test)");
    }
    env.add_function(
        "word",
        move |key: &str, kwargs: minijinja::value::Kwargs| -> Result<String, Error> {
            let mut args = Vec::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                args.push((name.to_string(), value.to_string()));
            }
            let args: Vec<(&str, &str)> =
                args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            Ok(catalog.text(key, &args))
        },
    );
    env
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lang::Lang;

    #[test]
    fn every_template_parses() {
        let env = environment(Catalog::of(Lang::En));
        for (name, _) in TEMPLATES {
            env.get_template(name).unwrap();
        }
    }

    #[test]
    fn values_are_escaped_and_bidi_controls_shown_as_escapes() {
        let env = environment(Catalog::of(Lang::ZhCn));
        let out = env
            .template_from_named_str("t.html", "{{ s }}|{{ word('done.trusted', sender=s) }}")
            .and_then(|t| t.render(minijinja::context! { s => "<b>\u{202e}x&" }))
            .unwrap();
        assert_eq!(
            out,
            "&lt;b&gt;\\u{202e}x&amp;|已信任 &lt;b&gt;\\u{202e}x&amp;：以后它的短信不会被判为诈骗。"
        );
    }
}
