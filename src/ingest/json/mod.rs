//! JSON exports: JSON Lines / NDJSON (SMS Import/Export's `messages.ndjson`, relays such as
//! SmsForwarder that append one webhook body per line) and whole JSON documents (an array of
//! messages, an object holding one, or a single message object).
//!
//! Exporters name the same fields differently, so each field is looked up under the names
//! they use (`address`/`from`/`sender`…, `body`/`content`/`text`…). Times may be epoch
//! milliseconds or seconds (as numbers or strings; sms-ie writes MMS dates in seconds), RFC
//! 3339, or local wall-clock strings, which are read in the phone's time zone.

use std::io::{BufRead, Read};
use std::path::Path;

use serde_json::{Map, Value};

use super::{ErrorKind, ParseError, Place, ReadOptions, ReadOutcome, Sink, SinkError};
use crate::model::{Direction, Message, Position};
use crate::words::Phrase;

mod document;

pub use document::read_document;

/// Reads JSON Lines from `source`, one message per line. `entry` names the archive entry when
/// the lines come from inside a ZIP. A line that is not a message is reported with its line
/// number and the rest are read; a last line cut off without its newline means the file is
/// still being written.
pub fn read_lines(
    path: &Path,
    entry: Option<&str>,
    mut source: impl BufRead,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let place = |line: u64, record: u64| Place {
        line: Some(line),
        record: Some(record),
        entry: entry.map(str::to_string),
        ..Place::default()
    };
    let mut buf = Vec::new();
    let (mut line_no, mut record, mut offset) = (0u64, 0u64, 0u64);
    loop {
        buf.clear();
        let max = opts.limits.max_body_bytes as u64 * 4 + 4096;
        let n = match source.by_ref().take(max + 1).read_until(b'\n', &mut buf) {
            Ok(n) => n,
            Err(e) => {
                return Ok(ReadOutcome::Failed(ParseError::new(
                    path,
                    place(line_no + 1, record),
                    ErrorKind::Io,
                    e.to_string(),
                )));
            }
        };
        if n == 0 {
            return Ok(ReadOutcome::Complete);
        }
        line_no += 1;
        let line_offset = offset;
        offset += n as u64;
        if n as u64 > max {
            return Ok(ReadOutcome::Failed(ParseError::new(
                path,
                place(line_no, record + 1),
                ErrorKind::Limit,
                Phrase::new("import.detail.json_line_too_long").arg("limit", max),
            )));
        }
        let ended = buf.ends_with(b"\n");
        let text = trim(&buf);
        if text.is_empty() {
            continue;
        }
        record += 1;
        let value: Value = match serde_json::from_slice(text) {
            Ok(v) => v,
            Err(e) if !ended && e.is_eof() => {
                return Ok(ReadOutcome::Failed(ParseError::new(
                    path,
                    place(line_no, record),
                    ErrorKind::Truncated,
                    Phrase::new("import.detail.json_last_line"),
                )));
            }
            Err(e) => {
                let kind = if std::str::from_utf8(text).is_err() {
                    ErrorKind::Encoding
                } else {
                    ErrorKind::Syntax
                };
                sink.record_error(ParseError::new(
                    path,
                    place(line_no, record),
                    kind,
                    Phrase::new("import.detail.json_not_message").arg("error", e),
                ));
                continue;
            }
        };
        let position = Position {
            record,
            offset: Some(line_offset),
            line: Some(line_no),
        };
        match message_from_value(&value, position, opts) {
            Ok(Some(msg)) => sink.message(msg)?,
            Ok(None) => {}
            Err(detail) => sink.record_error(ParseError::new(
                path,
                place(line_no, record),
                ErrorKind::Syntax,
                detail,
            )),
        }
    }
}

const SENDER: &[&str] = &[
    "address",
    "from",
    "sender",
    "number",
    "phone",
    "phoneNumber",
    "phone_number",
    "originatingAddress",
    "handle",
];
const BODY: &[&str] = &["body", "content", "text", "message", "msg", "sms"];
const TIME: &[&str] = &[
    "date",
    "timestamp",
    "time",
    "ts",
    "datetime",
    "received",
    "sent",
];
const CONTACT: &[&str] = &["contact_name", "contactName", "contact", "name"];

/// One message from a JSON object, `Ok(None)` for records that are not messages dunwatch
/// keeps (drafts), `Err` with the reason for an object that is not a message at all.
pub fn message_from_value(
    value: &Value,
    position: Position,
    opts: &ReadOptions,
) -> Result<Option<Message>, String> {
    let Value::Object(o) = value else {
        return Err("a JSON value that is not a message object".into());
    };
    let mms_parts = o.get("__parts").and_then(Value::as_array);
    let body = match first_text(o, BODY) {
        Some(b) => b,
        None => match mms_parts {
            // sms-ie MMS: the text/plain parts, in order.
            Some(parts) => parts
                .iter()
                .filter(|p| text_field(p, "ct").is_some_and(|ct| ct == "text/plain"))
                .filter_map(|p| text_field(p, "text"))
                .collect::<Vec<_>>()
                .join("\n"),
            None => {
                return Err(format!("no message text (looked for {})", BODY.join(", ")));
            }
        },
    };
    if mms_parts.is_some() && body.is_empty() {
        return Ok(None); // a picture-only MMS
    }
    let sender = first_text(o, SENDER)
        .or_else(|| {
            o.get("__sender_address")
                .and_then(|a| text_field(a, "address"))
        })
        .unwrap_or_default();
    let direction = match direction(o) {
        Some(Some(d)) => d,
        Some(None) => return Ok(None),
        None => Direction::In,
    };
    // SmsForwarder's `timestamp` is when it relayed the message, seconds after it arrived;
    // its `receive_time` (UTC) is the arrival, which other exports of the same SMS carry.
    let receive_time = o
        .get("receive_time")
        .and_then(|v| time_ms(v, &jiff::tz::TimeZone::UTC))
        .map(|s| Stamp::zoned(s.ms));
    let (ts_ms, zoneless) = split(receive_time.or_else(|| {
        TIME.iter()
            .filter_map(|k| o.get(*k))
            .find_map(|v| time_ms(v, &opts.phone_tz))
    }));
    Ok(Some(Message {
        sender,
        body,
        ts_ms,
        zoneless,
        direction,
        contact: first_text(o, CONTACT).filter(|c| !c.is_empty()),
        position,
    }))
}

/// `Some(Some(d))` a direction, `Some(None)` a draft or other record to skip, `None` unknown.
fn direction(o: &Map<String, Value>) -> Option<Option<Direction>> {
    for key in ["type", "msg_box", "box", "folder"] {
        if let Some(v) = o.get(key) {
            let n = match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse().ok(),
                _ => None,
            };
            match n {
                Some(1) => return Some(Some(Direction::In)),
                Some(2 | 4 | 5 | 6) => return Some(Some(Direction::Out)),
                Some(3) => return Some(None),
                _ => {}
            }
            if let Some(d) = v.as_str().and_then(direction_word) {
                return Some(Some(d));
            }
        }
    }
    for key in ["direction", "folder"] {
        if let Some(d) = o.get(key).and_then(Value::as_str).and_then(direction_word) {
            return Some(Some(d));
        }
    }
    for key in ["is_from_me", "isFromMe", "is_sent", "sent", "outgoing"] {
        if let Some(v) = o.get(key) {
            let out = match v {
                Value::Bool(b) => Some(*b),
                Value::Number(n) => n.as_i64().map(|n| n != 0),
                Value::String(s) => match s.trim() {
                    "1" | "true" => Some(true),
                    "0" | "false" => Some(false),
                    _ => None,
                },
                _ => None,
            };
            if let Some(out) = out {
                return Some(Some(if out { Direction::Out } else { Direction::In }));
            }
        }
    }
    None
}

/// Direction words exporters write: `in`/`out`, `incoming`, `received`, `inbox`, `sent`…
pub fn direction_word(s: &str) -> Option<Direction> {
    match s.trim().to_ascii_lowercase().as_str() {
        "in" | "incoming" | "inbound" | "received" | "receive" | "inbox" | "recv" | "收到"
        | "接收" => Some(Direction::In),
        "out" | "outgoing" | "outbound" | "sent" | "send" | "sendbox" | "outbox" | "发送"
        | "已发送" => Some(Direction::Out),
        _ => None,
    }
}

fn first_text(o: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| match o.get(*k)? {
        Value::String(s) if s != "null" => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn text_field(v: &Value, key: &str) -> Option<String> {
    v.get(key)?.as_str().map(str::to_string)
}

/// A time as exporters write it: epoch ms or s (number or digits), RFC 3339, or a local
/// `YYYY-MM-DD HH:MM[:SS]` (also with `/`) read in `tz`.
pub fn time_ms(v: &Value, tz: &jiff::tz::TimeZone) -> Option<Stamp> {
    match v {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .and_then(epoch_ms)
            .map(Stamp::zoned),
        Value::String(s) => time_text(s, tz),
        _ => None,
    }
}

/// A time read from an export: milliseconds since the epoch and, when the export wrote a
/// wall-clock time without a zone, the offset of the assumed zone it was read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub ms: i64,
    pub zoneless: Option<i32>,
}

impl Stamp {
    pub fn zoned(ms: i64) -> Stamp {
        Stamp { ms, zoneless: None }
    }

    /// A wall-clock time read in `tz`: remembers the offset `tz` had then.
    pub fn local(ms: i64, tz: &jiff::tz::TimeZone) -> Stamp {
        let offset = jiff::Timestamp::from_millisecond(ms)
            .map(|t| tz.to_offset(t).seconds())
            .unwrap_or(0);
        Stamp {
            ms,
            zoneless: Some(offset),
        }
    }
}

/// Splits an optional [`Stamp`] into the message's `ts_ms` and `zoneless`.
pub fn split(stamp: Option<Stamp>) -> (Option<i64>, Option<i32>) {
    (stamp.map(|s| s.ms), stamp.and_then(|s| s.zoneless))
}

/// Epoch seconds or milliseconds (told apart by size); zero and negatives mean "no time".
pub fn epoch_ms(n: i64) -> Option<i64> {
    match n {
        n if n <= 0 => None,
        // Before 1973 in ms, or before year 5138 in seconds: seconds.
        n if n < 100_000_000_000 => n.checked_mul(1000),
        n => Some(n),
    }
}

/// A time string: digits are epoch s/ms; otherwise RFC 3339 or local date-time (zoneless).
pub fn time_text(s: &str, tz: &jiff::tz::TimeZone) -> Option<Stamp> {
    let s = s.trim();
    if s.is_empty() || s == "null" {
        return None;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().ok().and_then(epoch_ms).map(Stamp::zoned);
    }
    if let Ok(ts) = s.parse::<jiff::Timestamp>() {
        return Some(Stamp::zoned(ts.as_millisecond()));
    }
    local_time_ms(s, tz).map(|ms| Stamp::local(ms, tz))
}

/// A local wall-clock time in the formats phones and exporters write, read in `tz`.
pub fn local_time_ms(s: &str, tz: &jiff::tz::TimeZone) -> Option<i64> {
    let s = s.trim();
    if let Some(ms) = civil_ms(s, tz) {
        return Some(ms);
    }
    // Fractional seconds: `2024-03-05 10:15:30.123`. One split, not a recursion: a hostile
    // value of 20 000 dots took the fuzzer's stack, one dot per call.
    let (head, frac) = s.rsplit_once('.')?;
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let frac_ms: i64 = format!("{frac:0<3}")[..3].parse().unwrap_or(0);
    civil_ms(head, tz).map(|ms| ms + frac_ms)
}

/// `s` in one of the date-time formats of [`local_time_ms`], without fractions.
fn civil_ms(s: &str, tz: &jiff::tz::TimeZone) -> Option<i64> {
    const FORMATS: [&str; 8] = [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%Y.%m.%d %H:%M:%S",
        "%d.%m.%Y %H:%M:%S",
        "%Y%m%dT%H%M%S",
    ];
    let dt = FORMATS
        .iter()
        .find_map(|fmt| jiff::civil::DateTime::strptime(fmt, s).ok())?;
    dt.to_zoned(tz.clone())
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

fn trim(b: &[u8]) -> &[u8] {
    let b = b.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(b);
    let start = b.iter().take_while(|c| c.is_ascii_whitespace()).count();
    let end = b.len()
        - b.iter()
            .rev()
            .take_while(|c| c.is_ascii_whitespace())
            .count();
    if start >= end { &[] } else { &b[start..end] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_of_thousands_of_dots_is_no_time_and_does_not_overflow_the_stack() {
        // Found by the `json` fuzz target: each dot was one more nested call.
        let dots = format!("709669714{}", ".".repeat(100_000));
        assert_eq!(local_time_ms(&dots, &utc8()), None);
        assert_eq!(time_text_ms(&dots, &utc8()), None);
        let v = serde_json::json!([{"address": "95188", "body": "x", "timestamp": dots}]);
        assert_eq!(time_ms(&v[0]["timestamp"], &utc8()), None);
    }

    #[test]
    fn fractional_seconds_are_read_once() {
        let tz = utc8();
        let whole = local_time_ms("2024-03-05 10:15:30", &tz).unwrap();
        assert_eq!(
            local_time_ms("2024-03-05 10:15:30.123", &tz),
            Some(whole + 123)
        );
        assert_eq!(
            local_time_ms("2024-03-05 10:15:30.5", &tz),
            Some(whole + 500)
        );
        assert_eq!(local_time_ms("2024-03-05 10:15:30.", &tz), Some(whole));
        assert_eq!(local_time_ms("2024-03-05 10:15:30.1.2", &tz), None);
        assert_eq!(local_time_ms("2024-03-05 10:15:30.1234567890", &tz), None);
    }

    fn utc8() -> jiff::tz::TimeZone {
        jiff::tz::TimeZone::fixed(jiff::tz::offset(8))
    }

    fn time_text_ms(s: &str, tz: &jiff::tz::TimeZone) -> Option<i64> {
        time_text(s, tz).map(|t| t.ms)
    }

    #[test]
    fn only_a_wall_clock_time_without_a_zone_is_zoneless() {
        let tz = utc8();
        let zoneless = |s: &str| time_text(s, &tz).unwrap().zoneless;
        assert_eq!(zoneless("2024-03-05 10:15:30"), Some(8 * 3600));
        assert_eq!(zoneless("2024/03/05 10:15"), Some(8 * 3600));
        assert_eq!(zoneless("2024-03-05T02:15:30Z"), None);
        assert_eq!(zoneless("2024-03-05T10:15:30+08:00"), None);
        assert_eq!(zoneless("1709604930000"), None);
    }

    #[test]
    fn times_in_seconds_milliseconds_rfc3339_and_local_text() {
        let tz = utc8();
        assert_eq!(time_text_ms("1709604930", &tz), Some(1_709_604_930_000));
        assert_eq!(time_text_ms("1709604930000", &tz), Some(1_709_604_930_000));
        assert_eq!(
            time_text_ms("2024-03-05T02:15:30Z", &tz),
            Some(1_709_604_930_000)
        );
        assert_eq!(
            time_text_ms("2024-03-05 10:15:30", &tz),
            Some(1_709_604_930_000)
        );
        assert_eq!(
            time_text_ms("2024/03/05 10:15:30", &tz),
            Some(1_709_604_930_000)
        );
        assert_eq!(
            time_text_ms("2024-03-05 10:15:30.250", &tz),
            Some(1_709_604_930_250)
        );
        assert_eq!(time_text_ms("0", &tz), None);
        assert_eq!(time_text_ms("yesterday", &tz), None);
    }

    #[test]
    fn field_names_of_common_exporters_are_understood() {
        let opts = ReadOptions {
            phone_tz: utc8(),
            ..ReadOptions::default()
        };
        let v: Value = serde_json::from_str(
            r#"{"from":"95384","content":"您的借款已逾期","timestamp":1709604930000}"#,
        )
        .unwrap();
        let m = message_from_value(&v, Position::default(), &opts)
            .unwrap()
            .unwrap();
        assert_eq!(
            (m.sender.as_str(), m.body.as_str(), m.ts_ms),
            ("95384", "您的借款已逾期", Some(1_709_604_930_000))
        );
        assert_eq!(m.direction, Direction::In);
        let v: Value =
            serde_json::from_str(r#"{"address":"1","body":"x","date":"1","type":"3"}"#).unwrap();
        assert_eq!(message_from_value(&v, Position::default(), &opts), Ok(None));
        let v: Value = serde_json::from_str(r#"{"direction":"outgoing","text":"hi"}"#).unwrap();
        let m = message_from_value(&v, Position::default(), &opts)
            .unwrap()
            .unwrap();
        assert_eq!(m.direction, Direction::Out);
        let v: Value = serde_json::from_str(r#"{"foo":1}"#).unwrap();
        assert!(message_from_value(&v, Position::default(), &opts).is_err());
    }
}
