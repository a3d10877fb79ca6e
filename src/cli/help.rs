//! `--help` in the person's language. clap's derive gives the command tree with the doc
//! comments as its words; before parsing, every command's `about` and every argument's
//! `help` is replaced by the catalog's (`help.history.about`, `help.history.arg.limit`, the
//! longer `--help` forms in `help.X.long` and `help.X.arg_long.ID`; `help.arg.ID` for the
//! options every command shares), and in Chinese clap's own headings and `[default: …]`
//! notes too. The English words are the doc comments' (a test holds them equal, so the man
//! pages, written from the doc comments, say what `--help` says).

use std::ffi::OsString;

use clap::{Arg, Command, CommandFactory};

use crate::lang::Lang;
use crate::words::Catalog;

/// The whole command tree, in `lang`.
pub fn command(lang: Lang) -> Command {
    let mut cmd = super::Cli::command();
    // Built first, so that the options clap adds (`--help`, `--version`, the `help`
    // subcommand) and the global options copied into every subcommand are there to be
    // worded as well.
    cmd.build();
    let words = Catalog::of(lang);
    let cmd = localize(cmd, "help", words, lang);
    let cmd = match words.has("help.after") {
        true => cmd.after_help(words.text("help.after", &[])),
        false => cmd,
    };
    cmd.after_long_help(None::<&str>)
}

fn localize(mut cmd: Command, prefix: &str, words: &Catalog, lang: Lang) -> Command {
    // The `help` subcommand clap adds to every command with subcommands reads the same
    // everywhere: one key.
    let about = match words.has(&format!("{prefix}.about")) {
        true => Some(words.text(&format!("{prefix}.about"), &[])),
        false if cmd.get_name() == "help" => Some(words.text("help.help_command", &[])),
        false => None,
    };
    if let Some(about) = about {
        // A long form left in English would win over the words in `--help`.
        let long = words.text(&format!("{prefix}.long"), &[]);
        let long = words.has(&format!("{prefix}.long")).then_some(long);
        cmd = match long {
            Some(long) => cmd.about(about).long_about(long),
            None => cmd.about(about).long_about(None::<&str>),
        };
    }
    let ids: Vec<String> = cmd
        .get_arguments()
        .map(|a| a.get_id().to_string())
        .collect();
    for id in ids {
        let own = format!("{prefix}.arg.{id}");
        let (key, long) = if words.has(&own) {
            (Some(own), format!("{prefix}.arg_long.{id}"))
        } else {
            let shared = format!("help.arg.{id}");
            (
                Some(shared.clone()).filter(|k| words.has(k)),
                format!("{shared}_long"),
            )
        };
        let long = words.has(&long).then(|| words.text(&long, &[]));
        cmd = cmd.mut_arg(&id, |a| word_arg(a, key.as_deref(), long, words, lang));
    }
    let subs: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    for name in subs {
        let sub_prefix = format!("{prefix}.{name}");
        cmd = cmd.mut_subcommand(&name, |s| localize(s, &sub_prefix, words, lang));
    }
    if lang.is_chinese() {
        cmd = cmd
            .help_template(format!(
                "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
                words.text("help.heading.usage", &[])
            ))
            .subcommand_help_heading(words.text("help.heading.commands", &[]))
            .subcommand_value_name(words.text("help.value.command", &[]));
    }
    cmd
}

fn word_arg(
    mut a: Arg,
    key: Option<&str>,
    long: Option<String>,
    words: &Catalog,
    lang: Lang,
) -> Arg {
    let mut help = match key {
        Some(k) => {
            a = match long {
                Some(long) => a.long_help(long),
                None => a.long_help(None::<&str>),
            };
            Some(words.text(k, &[]))
        }
        None => a.get_help().map(ToString::to_string),
    };
    if lang.is_chinese() {
        // clap writes `[default: 50]` and `[possible values: …]` in English: said in the
        // help text instead.
        let defaults: Vec<String> = a
            .get_default_values()
            .iter()
            .map(|v| v.to_string_lossy().into_owned())
            .filter(|v| !v.is_empty())
            .collect();
        let values: Vec<String> = a
            .get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(|v| v.get_name().to_string())
            .collect();
        let is_flag = !a.get_action().takes_values();
        let mut extra = String::new();
        if !values.is_empty() && !is_flag {
            extra.push_str(&words.text("help.values", &[("values", &values.join(", "))]));
            a = a.hide_possible_values(true);
        }
        if !defaults.is_empty() && !is_flag {
            extra.push_str(&words.text("help.default", &[("value", &defaults.join(", "))]));
            a = a.hide_default_value(true);
        }
        if !extra.is_empty() {
            help = Some(format!("{}{extra}", help.unwrap_or_default()));
        }
        let heading = if a.is_positional() {
            "help.heading.arguments"
        } else {
            "help.heading.options"
        };
        a = a.help_heading(words.text(heading, &[]));
    }
    match help {
        Some(h) => a.help(h),
        None => a,
    }
}

/// The value of `--NAME VALUE` or `--NAME=VALUE` in the raw arguments, before clap has read
/// them (the words of `--help` depend on the config file it names).
pub fn raw_value(args: &[OsString], name: &str) -> Option<OsString> {
    let flag = format!("--{name}");
    let prefix = format!("--{name}=");
    let mut it = args.iter().skip(1);
    while let Some(a) = it.next() {
        let s = a.to_string_lossy();
        if s == "--" {
            break;
        }
        if s == flag {
            return it.next().cloned();
        }
        if let Some(v) = s.strip_prefix(&prefix) {
            return Some(v.into());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the tree needs, with the doc comment's words.
    fn every_command(cmd: &Command, prefix: &str, out: &mut Vec<(String, String)>) {
        let s = |t: Option<&clap::builder::StyledStr>| t.map(ToString::to_string);
        out.push((
            format!("{prefix}.about"),
            s(cmd.get_about()).unwrap_or_default(),
        ));
        if let Some(long) = s(cmd.get_long_about()) {
            out.push((format!("{prefix}.long"), long));
        }
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            let shared = prefix != "help" && ["db", "config"].contains(&id);
            if !shared && !["help", "version"].contains(&id) && !a.is_hide_set() {
                out.push((
                    format!("{prefix}.arg.{id}"),
                    s(a.get_help()).unwrap_or_default(),
                ));
                if let Some(long) = s(a.get_long_help()) {
                    out.push((format!("{prefix}.arg_long.{id}"), long));
                }
            }
        }
        for s in cmd.get_subcommands() {
            if s.get_name() != "help" && !s.is_hide_set() {
                every_command(s, &format!("{prefix}.{}", s.get_name()), out);
            }
        }
    }

    #[test]
    fn every_command_and_option_has_its_words_in_the_catalog() {
        let mut cmd = super::super::Cli::command();
        cmd.build();
        let mut keys = Vec::new();
        every_command(&cmd, "help", &mut keys);
        let en = Catalog::of(Lang::En);
        let missing: Vec<&String> = keys
            .iter()
            .filter(|(k, _)| !en.has(k))
            .map(|(k, _)| k)
            .collect();
        assert!(missing.is_empty(), "no words for {missing:?}");
        let differ: Vec<String> = keys
            .iter()
            .filter(|(k, doc)| en.text(k, &[]) != *doc)
            .map(|(k, doc)| format!("{k}: the doc comment says {doc:?}"))
            .collect();
        assert!(differ.is_empty(), "{differ:#?}");
        assert_eq!(
            Some(en.text("help.after", &[])),
            cmd.get_after_help().map(ToString::to_string)
        );
    }

    #[test]
    fn chinese_help_has_chinese_headings_and_words() {
        let mut cmd = command(Lang::ZhCn);
        let top = cmd.render_help().to_string();
        assert!(top.contains("用法:") && top.contains("命令:"), "{top}");
        let history = cmd
            .find_subcommand_mut("history")
            .unwrap()
            .render_long_help()
            .to_string();
        assert!(
            history.contains("选项:") && history.contains("默认"),
            "{history}"
        );
        assert!(
            !history.contains("Options") && !history.contains("[default"),
            "{history}"
        );
    }

    #[test]
    fn raw_values_are_found_in_both_spellings_and_not_after_a_double_dash() {
        let args: Vec<OsString> = ["dunwatch", "history", "--config", "a.toml"]
            .map(OsString::from)
            .to_vec();
        assert_eq!(raw_value(&args, "config"), Some("a.toml".into()));
        let args: Vec<OsString> = ["dunwatch", "--config=b.toml"].map(OsString::from).to_vec();
        assert_eq!(raw_value(&args, "config"), Some("b.toml".into()));
        let args: Vec<OsString> = ["dunwatch", "check", "--", "--config", "x"]
            .map(OsString::from)
            .to_vec();
        assert_eq!(raw_value(&args, "config"), None);
    }
}
