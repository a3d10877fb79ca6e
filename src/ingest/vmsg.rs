//! vMessage (`.vmsg`, `.vmg`): what MediaTek, OPPO, Meizu, ZTE, Huawei-era and Nokia phones
//! write. Several `BEGIN:VMSG … END:VMSG` blocks per file; the other party in a `TEL:` of a
//! vCard; the direction in `X-BOX` (`INBOX`/`SENDBOX`…) or `X-MESSAGE-TYPE`
//! (`DELIVER`/`SUBMIT`, which wins when the two disagree); the body after `Subject` in
//! `QUOTED-PRINTABLE` whose soft line breaks may split a UTF-8 sequence, or as plain lines.
//! Dates are local wall-clock times (read in the phone's time zone) unless they say `GMT`
//! or come as `X-NOK-DT`/`X-SS-DT` UTC stamps. Files are UTF-8, GBK/GB18030 where the charset
//! says so (or the bytes are not UTF-8), or UTF-16LE (Nokia).

use std::io::{BufRead, Read as _};
use std::path::Path;

use super::json::{Stamp, local_time_ms, split};
use super::{ErrorKind, ParseError, Place, ReadOptions, ReadOutcome, Sink, SinkError};
use crate::model::{Direction, Message, Position};
use crate::words::Phrase;

pub fn read(
    path: &Path,
    file: &std::fs::File,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let io_failure = |e: std::io::Error| Ok(ReadOutcome::Failed(ParseError::io(path, &e)));
    let file = match super::rewind(file) {
        Ok(f) => f,
        Err(e) => return io_failure(e),
    };
    let mut raw = std::io::BufReader::new(file);
    let start = match raw.fill_buf() {
        Ok(b) => b[..b.len().min(4)].to_vec(),
        Err(e) => return io_failure(e),
    };
    // Read line by line as it streams, so memory stays flat however big the file: UTF-16
    // (with a BOM, or a BOM-less UTF-16LE that old Nokia and Sony exports write) is
    // transcoded on the way; anything else passes through as bytes, decoded per field.
    let bomless_utf16 = start.len() >= 4 && start[1] == 0 && start[3] == 0 && start[0] != 0;
    let decoded = encoding_rs_io::DecodeReaderBytesBuilder::new()
        .encoding(bomless_utf16.then_some(encoding_rs::UTF_16LE))
        .bom_sniffing(true)
        .strip_bom(true)
        .utf8_passthru(true)
        .build(raw);
    read_text(path, std::io::BufReader::new(decoded), opts, sink)
}

#[derive(Default)]
struct Block {
    start_line: u64,
    tel: Option<String>,
    name: Option<String>,
    box_dir: Option<Option<Direction>>,
    type_dir: Option<Direction>,
    date: Option<(String, bool)>,
    utc_ms: Option<i64>,
    body: Option<Vec<u8>>,
    charset: Option<String>,
    qp: bool,
    /// Samsung Tizen/Bada: `X-BODY-CONTENTS;ENCODING=BASE64:…`, folded over lines.
    base64: bool,
    /// The body property's value continues on the next line (QP soft break).
    soft: bool,
    in_body: bool,
    body_started: bool,
    /// The text grew past the limit while its lines were joined; only reported.
    too_long: bool,
}

fn read_text(
    path: &Path,
    mut text: impl BufRead,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let mut block: Option<Block> = None;
    let mut record = 0u64;
    // A line holds at most one message's text (QP triples it); a longer one is not a phone's.
    let max_line = opts.limits.max_body_bytes as u64 * 4 + 4096;
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        buf.clear();
        match text.by_ref().take(max_line + 1).read_until(b'\n', &mut buf) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                return Ok(ReadOutcome::Failed(ParseError::new(
                    path,
                    Place::line(line_no + 1),
                    ErrorKind::Io,
                    e.to_string(),
                )));
            }
        }
        line_no += 1;
        if buf.len() as u64 > max_line {
            return Ok(ReadOutcome::Failed(ParseError::new(
                path,
                Place::line(line_no),
                ErrorKind::Limit,
                Phrase::new("import.detail.vmsg_line_too_long").arg("limit", max_line),
            )));
        }
        let raw = buf.strip_suffix(b"\n").unwrap_or(&buf);
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        let upper = ascii_upper_prefix(line, 16);
        if upper.starts_with("BEGIN:VMSG") {
            if let Some(open) = block.take() {
                // A block without END:VMSG followed by a new one: report it, go on.
                sink.record_error(ParseError::new(
                    path,
                    Place {
                        line: Some(open.start_line),
                        record: Some(record),
                        ..Place::default()
                    },
                    ErrorKind::Syntax,
                    "a message without END:VMSG; skipped",
                ));
            }
            record += 1;
            block = Some(Block {
                start_line: line_no,
                ..Block::default()
            });
            continue;
        }
        let Some(b) = block.as_mut() else {
            continue;
        };
        // A text folded over many lines is bounded too: memory stays flat.
        if b.body.as_ref().is_some_and(|t| t.len() as u64 > max_line) {
            b.body = Some(Vec::new());
            b.too_long = true;
        }
        if upper.starts_with("END:VMSG") {
            let done = block.take().expect("open block");
            let start_line = done.start_line;
            let position = Position {
                record,
                offset: None,
                line: Some(done.start_line),
            };
            match finish(done, position, opts) {
                Ok(Some(msg)) => sink.message(msg)?,
                Ok(None) => {}
                Err(detail) => sink.record_error(ParseError::new(
                    path,
                    Place {
                        line: Some(start_line),
                        record: Some(record),
                        ..Place::default()
                    },
                    ErrorKind::Syntax,
                    detail,
                )),
            }
            continue;
        }
        if b.in_body && upper.starts_with("END:VBODY") {
            b.in_body = false;
            b.soft = false;
            continue;
        }
        if b.soft {
            // QP soft line break: the value goes on (no newline between).
            let body = b.body.get_or_insert_with(Vec::new);
            append_value(body, line, &mut b.soft, b.qp);
            continue;
        }
        if b.in_body && b.body_started {
            // Plain continuation lines of the text (of base64, a fold: no newline).
            let body = b.body.get_or_insert_with(Vec::new);
            if !b.base64 {
                body.push(b'\n');
            }
            append_value(body, line, &mut b.soft, b.qp);
            continue;
        }
        if upper.starts_with("BEGIN:VBODY") {
            b.in_body = true;
            continue;
        }
        let Some(colon) = line.iter().position(|&c| c == b':') else {
            if b.in_body && !line.is_empty() {
                b.body_started = true;
                b.body = Some(line.to_vec());
            }
            continue;
        };
        let (head, value) = (&line[..colon], &line[colon + 1..]);
        let head = String::from_utf8_lossy(head).to_ascii_uppercase();
        let mut params = head.split(';');
        let name = params.next().unwrap_or("").trim().to_string();
        let params: Vec<&str> = params.collect();
        let value_text = || String::from_utf8_lossy(value).trim().to_string();
        match name.as_str() {
            "TEL" => {
                let tel = value_text();
                if !tel.is_empty() && b.tel.is_none() {
                    b.tel = Some(tel);
                }
            }
            "FN" | "N" if b.name.is_none() => {
                let n = value_text().replace(';', " ").trim().to_string();
                if !n.is_empty() {
                    b.name = Some(n);
                }
            }
            "X-BOX" | "X-IRMC-BOX" => b.box_dir = Some(box_direction(&value_text())),
            "X-MESSAGE-TYPE" => {
                b.type_dir = match value_text().to_ascii_uppercase().as_str() {
                    "DELIVER" => Some(Direction::In),
                    "SUBMIT" => Some(Direction::Out),
                    _ => b.type_dir,
                }
            }
            "X-NOK-DT" | "X-SS-DT" => b.utc_ms = utc_stamp(&value_text()),
            "DATEORIGIN" => {
                b.utc_ms = value_text()
                    .parse::<i64>()
                    .ok()
                    .and_then(super::json::epoch_ms)
            }
            "DATE" if b.in_body || b.date.is_none() => {
                let v = value_text();
                let gmt = v.to_ascii_uppercase().ends_with("GMT");
                let v = v.trim_end_matches(|c: char| c.is_ascii_alphabetic() || c == ' ');
                b.date = Some((v.to_string(), gmt));
            }
            "SUBJECT" | "X-BODY-CONTENTS" if b.in_body => {
                b.qp = params.iter().any(|p| p.contains("QUOTED-PRINTABLE"));
                b.base64 = params
                    .iter()
                    .any(|p| matches!(p.trim(), "ENCODING=BASE64" | "ENCODING=B" | "BASE64"));
                b.charset = params
                    .iter()
                    .find_map(|p| p.strip_prefix("CHARSET="))
                    .map(str::to_string);
                b.body_started = true;
                let mut body = Vec::new();
                append_value(&mut body, value, &mut b.soft, b.qp);
                b.body = Some(body);
            }
            _ if b.in_body && !name.starts_with("X-") => {
                // Nokia: the text itself, as plain lines after Date.
                b.body_started = true;
                b.body = Some(line.to_vec());
            }
            _ => {}
        }
    }
    if let Some(open) = block {
        return Ok(ReadOutcome::Failed(ParseError::new(
            path,
            Place {
                line: Some(open.start_line),
                record: Some(record),
                ..Place::default()
            },
            ErrorKind::Truncated,
            Phrase::new("import.detail.vmsg_no_end"),
        )));
    }
    if record == 0 {
        return Ok(ReadOutcome::Failed(ParseError::new(
            path,
            Place::default(),
            ErrorKind::Truncated,
            Phrase::new("import.detail.vmsg_no_begin"),
        )));
    }
    Ok(ReadOutcome::Complete)
}

/// Appends one line of a property value; with QP, a trailing `=` is a soft break (the
/// value continues on the next line) and `=XX` escapes are decoded. Decoding happens on the
/// joined bytes, so an escape sequence split by a soft break still makes one character.
fn append_value(out: &mut Vec<u8>, line: &[u8], soft: &mut bool, qp: bool) {
    if !qp {
        out.extend_from_slice(line);
        *soft = false;
        return;
    }
    let (line, cont) = match line.strip_suffix(b"=") {
        Some(rest) => (rest, true),
        None => (line, false),
    };
    let mut i = 0;
    while i < line.len() {
        if line[i] == b'='
            && i + 2 < line.len() + 1
            && let (Some(h), Some(l)) = (
                line.get(i + 1).and_then(|c| hex(*c)),
                line.get(i + 2).and_then(|c| hex(*c)),
            )
        {
            out.push(h << 4 | l);
            i += 3;
        } else {
            // Lenient: anything that is not `=XX` is literal (some converters write raw text).
            out.push(line[i]);
            i += 1;
        }
    }
    *soft = cont;
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

fn box_direction(v: &str) -> Option<Direction> {
    match v.trim().to_ascii_uppercase().as_str() {
        "INBOX" | "RECEIVED" | "RECEIVE" => Some(Direction::In),
        "SENDBOX" | "OUTBOX" | "SENT" | "SEND" | "SENTBOX" => Some(Direction::Out),
        _ => None,
    }
}

/// `20080510T122407Z`.
fn utc_stamp(v: &str) -> Option<i64> {
    let v = v.trim().trim_end_matches('Z');
    jiff::civil::DateTime::strptime("%Y%m%dT%H%M%S", v)
        .ok()?
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp().as_millisecond())
}

fn finish(
    b: Block,
    position: Position,
    opts: &ReadOptions,
) -> Result<Option<Message>, crate::ingest::Detail> {
    let direction = match (b.type_dir, b.box_dir) {
        (Some(d), _) => d,
        (None, Some(Some(d))) => d,
        // DRAFT and unknown boxes: drafts were never sent.
        (None, Some(None)) => return Ok(None),
        (None, None) => Direction::In,
    };
    if b.too_long {
        return Err(Phrase::new("import.detail.csv_body_too_long")
            .arg("limit", opts.limits.max_body_bytes)
            .into());
    }
    let Some(mut raw) = b.body else {
        return Err(Phrase::new("import.detail.vmsg_no_text").into());
    };
    if b.base64 {
        raw = decode_base64(&raw)
            .map_err(|e| Phrase::new("import.detail.vmsg_base64").arg("error", e))?;
    }
    if raw.len() > opts.limits.max_body_bytes {
        return Err(Phrase::new("import.detail.csv_body_too_long")
            .arg("limit", opts.limits.max_body_bytes)
            .into());
    }
    let body = decode_text(&raw, b.charset.as_deref());
    // A date marked GMT (or a UTC epoch) is a real instant; a plain one is the phone's wall
    // clock in a zone the file does not name.
    let stamp = b.utc_ms.map(Stamp::zoned).or_else(|| {
        let (text, gmt) = b.date.as_ref()?;
        let tz = if *gmt {
            jiff::tz::TimeZone::UTC
        } else {
            opts.phone_tz.clone()
        };
        local_time_ms(text, &tz).map(|ms| {
            if *gmt {
                Stamp::zoned(ms)
            } else {
                Stamp::local(ms, &tz)
            }
        })
    });
    let (ts_ms, zoneless) = split(stamp);
    Ok(Some(Message {
        sender: b.tel.unwrap_or_default(),
        body,
        ts_ms,
        zoneless,
        direction,
        contact: b.name,
        position,
    }))
}

/// A BASE64 body (whitespace from folding ignored, padding optional).
fn decode_base64(raw: &[u8]) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    );
    let compact: Vec<u8> = raw
        .iter()
        .copied()
        .filter(|c| !c.is_ascii_whitespace())
        .collect();
    LENIENT.decode(&compact).map_err(|e| e.to_string())
}

/// Bytes of a body in its charset: UTF-8 unless the charset names a Chinese one, or the bytes
/// are not valid UTF-8 (then GB18030, the superset of GBK and GB2312).
fn decode_text(raw: &[u8], charset: Option<&str>) -> String {
    let chinese = charset.is_some_and(|c| {
        matches!(
            c.trim_matches('"'),
            "GBK" | "GB2312" | "GB18030" | "CP936" | "X-GBK"
        )
    });
    if !chinese && let Ok(s) = std::str::from_utf8(raw) {
        return s.to_string();
    }
    let (text, _, _) = encoding_rs::GB18030.decode(raw);
    text.into_owned()
}

fn ascii_upper_prefix(line: &[u8], n: usize) -> String {
    let end = line.len().min(n);
    String::from_utf8_lossy(&line[..end])
        .trim_start()
        .to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samsung_base64_bodies_are_decoded_even_when_folded() {
        // The Tizen msg-service layout (research/formats.md §5D), text "你好，还款提醒 hello".
        let vmsg = "BEGIN:VMSG\r\nVERSION:1.1\r\nX-IRMC-STATUS:READ\r\nX-IRMC-BOX:INBOX\r\n\
            X-MESSAGE-TYPE:SMS\r\nX-SS-DT:20100709T155811Z\r\nBEGIN:VENV\r\nBEGIN:VBODY\r\n\
            X-BODY-SUBJECT:\r\nX-BODY-CONTENTS;ENCODING=BASE64:5L2g5aW977yM6L+Y5qy+\r\n \
            5o+Q6YaSIGhlbGxv\r\nEND:VBODY\r\nEND:VENV\r\nBEGIN:VCARD\r\nVERSION:2.1\r\n\
            TEL:+8613800138000\r\nEND:VCARD\r\nEND:VMSG\r\n\
            BEGIN:VMSG\r\nX-IRMC-BOX:INBOX\r\nBEGIN:VBODY\r\n\
            X-BODY-CONTENTS;ENCODING=BASE64:***\r\nEND:VBODY\r\nEND:VMSG\r\n";
        let mut sink = crate::ingest::Collect::default();
        let outcome = read_text(
            Path::new("s.vmsg"),
            vmsg.as_bytes(),
            &ReadOptions::default(),
            &mut sink,
        )
        .unwrap();
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(sink.msgs.len(), 1, "{:?}", sink.errors);
        assert_eq!(sink.msgs[0].body, "你好，还款提醒 hello");
        assert_eq!(sink.msgs[0].sender, "+8613800138000");
        assert_eq!(sink.msgs[0].ts_ms, Some(1_278_691_091_000));
        assert_eq!(sink.errors.len(), 1);
        assert!(
            sink.errors[0].detail.contains("BASE64"),
            "{}",
            sink.errors[0]
        );
    }

    #[test]
    fn qp_soft_breaks_that_split_a_character_join_into_one() {
        let mut out = Vec::new();
        let mut soft = false;
        append_value(&mut out, b"=E4=BD=", &mut soft, true);
        assert!(soft);
        append_value(&mut out, b"=A0=E5=A5=BD a=3Db =ZZ", &mut soft, true);
        assert!(!soft);
        assert_eq!(String::from_utf8(out).unwrap(), "你好 a=b =ZZ");
    }

    #[test]
    fn gbk_bodies_are_decoded_when_the_charset_says_so_or_bytes_are_not_utf8() {
        let (gbk, _, _) = encoding_rs::GBK.encode("您的借款已逾期");
        assert_eq!(decode_text(&gbk, Some("GBK")), "您的借款已逾期");
        assert_eq!(decode_text(&gbk, None), "您的借款已逾期");
        assert_eq!(decode_text("逾期".as_bytes(), Some("UTF-8")), "逾期");
    }

    #[test]
    fn nokia_utc_stamps() {
        assert_eq!(utc_stamp("20080510T122407Z"), Some(1_210_422_247_000));
    }
}
