//! Text written by strangers (message bodies, senders, contact names, file names, the
//! excerpts parse errors quote), made safe to show.
//!
//! A terminal obeys escape sequences: a message could clear the screen, write a link that
//! says one thing and opens another (OSC 8), put text on the clipboard (OSC 52), or overwrite
//! a line with a lone `\r`. Bidirectional overrides (U+202E) reorder what follows, in a
//! terminal as in a notification or a web page. So every such character becomes a visible
//! escape (`\x1b`, `\u{202e}`); nothing is dropped, so what was hidden can be seen.

use std::borrow::Cow;
use std::fmt::Write as _;

/// For a line or block of a terminal: control characters (C0 except tab and newline, DEL,
/// C1), bidi overrides and isolates, and a `\r` not followed by `\n` are escaped.
pub fn for_terminal(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// For one line (a log line, a table cell, a quoted value): newlines are escaped too.
pub fn one_line(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// True for the characters that reorder text: embeddings, overrides, isolates and marks
/// (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn needs_escape(c: char, next: Option<char>, newlines: bool) -> bool {
    match c {
        '\n' => newlines,
        '\t' => false,
        '\r' => newlines || next != Some('\n'),
        c if c.is_control() => true,
        c => is_bidi_control(c),
    }
}

fn escape(s: &str, newlines: bool) -> Cow<'_, str> {
    let mut chars = s.chars().peekable();
    let mut clean = true;
    while let Some(c) = chars.next() {
        if needs_escape(c, chars.peek().copied(), newlines) {
            clean = false;
            break;
        }
    }
    if clean {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if !needs_escape(c, chars.peek().copied(), newlines) {
            out.push(c);
            continue;
        }
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Appends `c` as a visible escape: `\n`, `\r`, `\x1b` below U+0100, else `\u{202e}`. The
/// terminal filter, notification markup and HTML all show hidden characters this one way.
pub fn push_visible(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        c if (c as u32) < 0x100 => {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
        c => {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        }
    }
}

/// A writer for log output that escapes what [`one_line`] escapes, keeping the newline that
/// ends each event: a file name with a newline in it cannot forge a log line.
pub struct LogWriter<W>(pub W);

impl<W: std::io::Write> std::io::Write for LogWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let (body, end) = match text.strip_suffix('\n') {
            Some(b) => (b, "\n"),
            None => (text.as_ref(), ""),
        };
        self.0.write_all(one_line(body).as_bytes())?;
        self.0.write_all(end.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_borrowed_unchanged() {
        let s = "【微众银行】您的借款已逾期\n请还款\tthanks\r\n";
        assert!(matches!(for_terminal(s), Cow::Borrowed(_)));
    }

    #[test]
    fn escape_sequences_lone_carriage_returns_and_bidi_overrides_become_visible() {
        assert_eq!(for_terminal("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(
            for_terminal("\x1b]8;;http://evil\x07link"),
            "\\x1b]8;;http://evil\\x07link"
        );
        assert_eq!(for_terminal("paid\rOVERDUE"), "paid\\rOVERDUE");
        assert_eq!(for_terminal("x\u{202e}gpj.exe"), "x\\u{202e}gpj.exe");
        assert_eq!(for_terminal("\u{9b}31m"), "\\x9b31m");
        assert_eq!(for_terminal("del\x7f"), "del\\x7f");
    }

    #[test]
    fn one_line_escapes_newlines_too() {
        assert_eq!(one_line("a.xml\nINFO forged"), "a.xml\\nINFO forged");
        assert_eq!(one_line("a\r\nb"), "a\\r\\nb");
    }

    #[test]
    fn the_log_writer_keeps_the_events_own_newline_only() {
        use std::io::Write;
        let mut w = LogWriter(Vec::new());
        w.write_all(b"WARN cannot read evil.xml\nINFO fake line\n")
            .unwrap();
        assert_eq!(
            String::from_utf8(w.0).unwrap(),
            "WARN cannot read evil.xml\\nINFO fake line\n"
        );
    }
}
