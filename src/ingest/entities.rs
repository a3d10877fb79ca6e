//! XML character references as phone backup apps really write them.
//!
//! SMS Backup & Restore (and Super Backup, and Signal's compatible writer) escape every
//! character outside the BMP as *two* numeric references, one per UTF-16 surrogate:
//! `&#55357;&#56832;` is 😀. XML 1.0 forbids those references, so a strict parser rejects
//! the file; we join each high/low pair into one character and turn a lone surrogate into
//! U+FFFD rather than failing the whole message.

use std::borrow::Cow;

/// A reference that cannot be decoded, with its byte offset inside the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntityError {
    pub offset: usize,
    pub detail: String,
}

/// Decodes the five predefined entities and numeric references (decimal and hex), pairing
/// UTF-16 surrogates. Returns the input unchanged (borrowed) when it holds no `&`.
pub fn unescape(raw: &str) -> Result<Cow<'_, str>, EntityError> {
    let Some(first) = raw.find('&') else {
        return Ok(Cow::Borrowed(raw));
    };
    let mut out = String::with_capacity(raw.len());
    out.push_str(&raw[..first]);
    let bytes = raw.as_bytes();
    let mut i = first;
    // A high surrogate waiting for its low half.
    let mut pending_high: Option<u32> = None;
    while i < raw.len() {
        if bytes[i] != b'&' {
            flush_lone(&mut out, &mut pending_high);
            let next = raw[i..].find('&').map_or(raw.len(), |n| i + n);
            out.push_str(&raw[i..next]);
            i = next;
            continue;
        }
        let end = match raw[i..].find(';') {
            Some(n) if n <= 12 => i + n,
            _ => {
                return Err(EntityError {
                    offset: i,
                    detail: format!("'&' does not start a reference: {:?}", snippet(&raw[i..])),
                });
            }
        };
        let name = &raw[i + 1..end];
        match name {
            "amp" | "lt" | "gt" | "quot" | "apos" => {
                flush_lone(&mut out, &mut pending_high);
                out.push(match name {
                    "amp" => '&',
                    "lt" => '<',
                    "gt" => '>',
                    "quot" => '"',
                    _ => '\'',
                });
            }
            _ => {
                let code = parse_numeric(name).ok_or_else(|| EntityError {
                    offset: i,
                    detail: format!("unknown reference &{name};"),
                })?;
                match code {
                    0xD800..=0xDBFF => {
                        flush_lone(&mut out, &mut pending_high);
                        pending_high = Some(code);
                    }
                    0xDC00..=0xDFFF => match pending_high.take() {
                        Some(high) => {
                            let c = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00);
                            out.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
                        }
                        None => out.push('\u{FFFD}'),
                    },
                    _ => {
                        flush_lone(&mut out, &mut pending_high);
                        match char::from_u32(code) {
                            // NUL and out-of-range code points cannot be stored as text.
                            Some(c) if code != 0 => out.push(c),
                            _ => out.push('\u{FFFD}'),
                        }
                    }
                }
            }
        }
        i = end + 1;
    }
    flush_lone(&mut out, &mut pending_high);
    Ok(Cow::Owned(out))
}

fn flush_lone(out: &mut String, pending_high: &mut Option<u32>) {
    if pending_high.take().is_some() {
        out.push('\u{FFFD}');
    }
}

fn parse_numeric(name: &str) -> Option<u32> {
    let digits = name.strip_prefix('#')?;
    if let Some(hex) = digits.strip_prefix(['x', 'X']) {
        if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        u32::from_str_radix(hex, 16).ok()
    } else {
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        digits.parse().ok()
    }
}

fn snippet(s: &str) -> &str {
    let end = s.char_indices().nth(12).map_or(s.len(), |(i, _)| i);
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn surrogate_pair_references_become_one_emoji() {
        assert_eq!(unescape("好的 &#55357;&#56911;").unwrap(), "好的 🙏");
        assert_eq!(
            unescape("&#55349;&#56717;&#55349;&#56714;").unwrap(),
            "\u{1D58D}\u{1D58A}"
        );
    }

    #[test]
    fn predefined_and_numeric_references_decode() {
        assert_eq!(
            unescape("&quot;客服&quot; &lt;021&gt; &amp; &apos;OK&apos;&#10;&#x41;&#65292;")
                .unwrap(),
            "\"客服\" <021> & 'OK'\nA，"
        );
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        assert_eq!(unescape("a&#55357;b").unwrap(), "a\u{FFFD}b");
        assert_eq!(unescape("&#56832;").unwrap(), "\u{FFFD}");
        assert_eq!(unescape("&#55357;&#55357;&#56832;").unwrap(), "\u{FFFD}😀");
        assert_eq!(unescape("&#55357;&amp;").unwrap(), "\u{FFFD}&");
    }

    #[test]
    fn text_without_references_is_borrowed() {
        assert!(matches!(unescape("plain 文本").unwrap(), Cow::Borrowed(_)));
    }

    #[test]
    fn broken_references_are_errors_with_their_offset() {
        assert_eq!(unescape("ab&foo;").unwrap_err().offset, 2);
        assert_eq!(unescape("x & y").unwrap_err().offset, 2);
        assert!(unescape("&#xZZ;").is_err());
        assert!(unescape("&#;").is_err());
        assert_eq!(unescape("&#99999999999;").unwrap_err().offset, 0);
        assert_eq!(unescape("&#1114112;").unwrap(), "\u{FFFD}");
        assert_eq!(unescape("&#0;").unwrap(), "\u{FFFD}");
    }
}
