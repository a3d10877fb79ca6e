//! SMS Backup & Restore XML (`<smses>`), the most common Android backup; also the
//! compatible plaintext backups of Signal and Silence.
//!
//! Streamed with quick-xml behind [`Sanitizer`], so memory stays flat whatever the file
//! size. `<sms>` elements and the text parts of `<mms>` become messages; SMIL and media parts
//! are ignored; drafts are skipped. The literal string `null` means absent. Surrogate-pair
//! references are joined by [`entities::unescape`].

use std::fs::File;
use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::entities;
use super::sanitize::{Sanitizer, TagTooLarge};
use super::{ErrorKind, Limits, ParseError, Place, ReadOptions, ReadOutcome, Sink, SinkError};
use crate::model::{Direction, Message, Position};

pub fn read(
    path: &Path,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) => return Ok(ReadOutcome::Failed(ParseError::io(path, &e))),
    };
    read_from(path, file, opts, sink)
}

/// Reads SBR XML from any byte source; `path` only names it in errors.
pub fn read_from(
    path: &Path,
    source: impl std::io::Read,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    read_root(path, source, Root::Smses, opts, sink)
}

/// The root element: SMS Backup & Restore's `<smses>`, or Super Backup's `<allsms>`, whose
/// `<sms>` elements carry the same attributes (with the contact in `name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Root {
    Smses,
    Allsms,
}

impl Root {
    fn name(self) -> &'static str {
        match self {
            Root::Smses => "smses",
            Root::Allsms => "allsms",
        }
    }
    fn app(self) -> &'static str {
        match self {
            Root::Smses => "SMS Backup & Restore",
            Root::Allsms => "Super Backup",
        }
    }
}

/// Reads an `<smses>` or `<allsms>` document from any byte source.
pub fn read_root(
    path: &Path,
    source: impl std::io::Read,
    root: Root,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let mut reader = Reader::from_reader(Sanitizer::new(source, opts.limits.max_element_bytes));
    let mut parser = Parser {
        path,
        opts,
        record: 0,
        mms: None,
        root,
        root_seen: false,
        root_closed: false,
        depth: 0,
        stop: None,
    };
    let mut buf = Vec::with_capacity(4096);
    loop {
        let start = reader.buffer_position();
        let event = reader.read_event_into(&mut buf);
        let end = reader.buffer_position();
        match event {
            Ok(Event::Start(e)) => {
                parser.depth += 1;
                if parser.depth > opts.limits.max_depth {
                    let offset = reader.get_mut().original_offset(start);
                    return Ok(ReadOutcome::Failed(Limits::error(
                        path,
                        Place::offset(offset),
                        format!(
                            "elements nested more than {} deep; a backup is never this deep, \
                             so the rest of the file was not read",
                            opts.limits.max_depth
                        ),
                    )));
                }
                parser.start(&e, false, start, end, &mut reader, sink)?
            }
            Ok(Event::Empty(e)) => parser.start(&e, true, start, end, &mut reader, sink)?,
            Ok(Event::End(e)) => {
                parser.depth = parser.depth.saturating_sub(1);
                match e.name().as_ref() {
                    "mms" => parser.finish_mms(sink)?,
                    name if name == root.name() => parser.root_closed = true,
                    _ => {}
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => {
                let at = reader.error_position();
                let offset = reader.get_mut().original_offset(at);
                return Ok(ReadOutcome::Failed(parser.xml_error(e, offset)));
            }
        }
        if let Some(err) = parser.stop.take() {
            return Ok(ReadOutcome::Failed(err));
        }
        if buf.capacity() > 1 << 20 {
            // One huge element must not keep its buffer for the rest of the file.
            buf = Vec::with_capacity(4096);
        } else {
            buf.clear();
        }
    }
    if !parser.root_seen {
        return Ok(ReadOutcome::Failed(ParseError::new(
            path,
            Place::default(),
            ErrorKind::Truncated,
            format!(
                "no <{}> element: the file is empty or not a {} backup",
                root.name(),
                root.app()
            ),
        )));
    }
    if !parser.root_closed {
        let at = reader.buffer_position();
        let offset = reader.get_mut().original_offset(at);
        return Ok(ReadOutcome::Failed(ParseError::new(
            path,
            Place::offset(offset),
            ErrorKind::Truncated,
            format!(
                "the file ends before </{}>: it is cut off or still being written",
                root.name()
            ),
        )));
    }
    Ok(ReadOutcome::Complete)
}

struct Parser<'a> {
    path: &'a Path,
    opts: &'a ReadOptions,
    record: u64,
    mms: Option<Mms>,
    root: Root,
    root_seen: bool,
    root_closed: bool,
    /// Open elements, for the nesting limit.
    depth: usize,
    /// Set when the rest of the file must not be read (too many records).
    stop: Option<ParseError>,
}

/// Why one record was refused: the kind (syntax or limit) and what to tell the user.
type Refusal = (ErrorKind, String);

fn syntax(detail: impl Into<String>) -> Refusal {
    (ErrorKind::Syntax, detail.into())
}

/// An `<mms>` being assembled from its parts.
struct Mms {
    position: Position,
    ts_ms: Option<i64>,
    direction: Option<Direction>,
    address: String,
    from: Option<String>,
    contact: Option<String>,
    texts: Vec<(i64, String)>,
    /// Bytes of text in `texts`, bounded by the body limit while the parts arrive.
    text_bytes: usize,
    error: Option<ParseError>,
}

type XmlReader<R> = Reader<Sanitizer<R>>;

impl Parser<'_> {
    fn start<R: std::io::Read>(
        &mut self,
        e: &BytesStart<'_>,
        empty: bool,
        start: u64,
        end: u64,
        reader: &mut XmlReader<R>,
        sink: &mut dyn Sink,
    ) -> Result<(), SinkError> {
        match e.name().as_ref() {
            name if name == self.root.name() => {
                self.root_seen = true;
                if empty {
                    self.root_closed = true;
                }
            }
            "sms" => {
                self.record += 1;
                let offset = reader.get_mut().original_offset(start);
                if self.too_many(offset) {
                    return Ok(());
                }
                let place = Place {
                    offset: Some(offset),
                    record: Some(self.record),
                    ..Place::default()
                };
                if let Some(bad) = reader.get_mut().take_repairs(start, end) {
                    let at = reader.get_mut().original_offset(bad);
                    sink.record_error(self.encoding_error(place, at));
                    return Ok(());
                }
                match self.sms(e, offset) {
                    Ok(Some(msg)) => sink.message(msg)?,
                    Ok(None) => {}
                    Err((kind, detail)) => {
                        sink.record_error(ParseError::new(self.path, place, kind, detail))
                    }
                }
            }
            "mms" => {
                self.record += 1;
                let offset = reader.get_mut().original_offset(start);
                if self.too_many(offset) {
                    return Ok(());
                }
                let mut mms = self.mms_start(e, offset);
                if let Some(bad) = reader.get_mut().take_repairs(start, end) {
                    let at = reader.get_mut().original_offset(bad);
                    mms.error = Some(self.encoding_error(self.place_of(&mms), at));
                }
                self.mms = Some(mms);
                if empty {
                    self.finish_mms(sink)?;
                }
            }
            "part" | "addr" => {
                let repaired = reader.get_mut().take_repairs(start, end);
                let repaired_at = repaired.map(|bad| reader.get_mut().original_offset(bad));
                let Some(mut mms) = self.mms.take() else {
                    return Ok(());
                };
                if let Some(at) = repaired_at {
                    if mms.error.is_none() {
                        mms.error = Some(self.encoding_error(self.place_of(&mms), at));
                    }
                } else if let Err((kind, detail)) = self.mms_child(e, &mut mms)
                    && mms.error.is_none()
                {
                    let place = self.place_of(&mms);
                    mms.error = Some(ParseError::new(self.path, place, kind, detail));
                }
                self.mms = Some(mms);
            }
            _ => {
                reader.get_mut().take_repairs(start, end);
            }
        }
        Ok(())
    }

    /// Past the record limit: stop the file here, naming the limit.
    fn too_many(&mut self, offset: u64) -> bool {
        let limit = self.opts.limits.max_records;
        if self.record as usize <= limit {
            return false;
        }
        self.mms = None;
        self.stop = Some(Limits::error(
            self.path,
            Place {
                offset: Some(offset),
                record: Some(self.record),
                ..Place::default()
            },
            format!(
                "more than {limit} messages in one file; the first {limit} were read, the rest \
                 of the file was not"
            ),
        ));
        true
    }

    fn place_of(&self, mms: &Mms) -> Place {
        Place {
            offset: mms.position.offset,
            record: Some(mms.position.record),
            ..Place::default()
        }
    }

    fn encoding_error(&self, place: Place, at: u64) -> ParseError {
        ParseError::new(
            self.path,
            place,
            ErrorKind::Encoding,
            format!("invalid UTF-8 at byte {at}; this message was skipped"),
        )
    }

    fn sms(&self, e: &BytesStart<'_>, offset: u64) -> Result<Option<Message>, Refusal> {
        let mut sender = String::new();
        let mut body = String::new();
        let mut ts_ms = None;
        let mut kind = None;
        let mut contact = None;
        for attr in e.attributes().with_checks(false) {
            let attr = attr.map_err(|err| syntax(format!("bad attribute: {err}")))?;
            match attr.key.as_ref() {
                "address" => sender = self.value(&attr.value, "address")?.unwrap_or_default(),
                "body" => body = self.value(&attr.value, "body")?.unwrap_or_default(),
                "date" => ts_ms = parse_int(&attr.value),
                "type" => kind = parse_int(&attr.value),
                "contact_name" => {
                    contact = self
                        .value(&attr.value, "contact_name")?
                        .and_then(contact_name)
                }
                "name" if self.root == Root::Allsms => {
                    contact = self.value(&attr.value, "name")?.and_then(contact_name)
                }
                _ => {}
            }
        }
        let direction = match kind {
            Some(1) => Direction::In,
            Some(2 | 4 | 5 | 6) => Direction::Out,
            // Drafts were never sent; an unknown type is most likely received.
            Some(3) => return Ok(None),
            _ => Direction::In,
        };
        self.check_body(&body)?;
        Ok(Some(Message {
            sender,
            body,
            ts_ms,
            direction,
            contact,
            position: Position {
                record: self.record,
                offset: Some(offset),
                line: None,
            },
        }))
    }

    fn mms_start(&self, e: &BytesStart<'_>, offset: u64) -> Mms {
        let mut mms = Mms {
            position: Position {
                record: self.record,
                offset: Some(offset),
                line: None,
            },
            ts_ms: None,
            direction: None,
            address: String::new(),
            from: None,
            contact: None,
            texts: Vec::new(),
            text_bytes: 0,
            error: None,
        };
        let result: Result<(), Refusal> = (|| {
            for attr in e.attributes().with_checks(false) {
                let attr = attr.map_err(|err| syntax(format!("bad attribute: {err}")))?;
                match attr.key.as_ref() {
                    "date" => mms.ts_ms = parse_int(&attr.value),
                    "msg_box" => {
                        mms.direction = match parse_int(&attr.value) {
                            Some(1) => Some(Direction::In),
                            Some(2 | 4 | 5) => Some(Direction::Out),
                            Some(3) => None,
                            _ => Some(Direction::In),
                        }
                    }
                    "address" => {
                        mms.address = self.value(&attr.value, "address")?.unwrap_or_default()
                    }
                    "contact_name" => {
                        mms.contact = self
                            .value(&attr.value, "contact_name")?
                            .and_then(contact_name)
                    }
                    _ => {}
                }
            }
            Ok(())
        })();
        if let Err((kind, detail)) = result {
            let place = self.place_of(&mms);
            mms.error = Some(ParseError::new(self.path, place, kind, detail));
        }
        mms
    }

    fn mms_child(&self, e: &BytesStart<'_>, mms: &mut Mms) -> Result<(), Refusal> {
        let mut ct = String::new();
        let mut text = None;
        let mut seq = 0;
        let mut addr = None;
        let mut addr_type = None;
        for attr in e.attributes().with_checks(false) {
            let attr = attr.map_err(|err| syntax(format!("bad attribute: {err}")))?;
            match attr.key.as_ref() {
                "ct" => ct = attr.value.to_ascii_lowercase(),
                "text" => text = self.value(&attr.value, "text")?,
                "seq" => seq = parse_int(&attr.value).unwrap_or(0),
                "address" => addr = self.value(&attr.value, "address")?,
                "type" => addr_type = parse_int(&attr.value),
                _ => {}
            }
        }
        if e.name().as_ref() == "part" {
            if ct == "text/plain"
                && let Some(text) = text
            {
                // Checked as the parts arrive: a message of a million parts must not be
                // gathered before it is refused.
                mms.text_bytes += text.len() + 1;
                self.check_body_len(mms.text_bytes.saturating_sub(1))?;
                mms.texts.push((seq, text));
            }
        } else if addr_type == Some(137)
            && let Some(a) = addr.filter(|a| a != "insert-address-token")
        {
            mms.from = Some(a);
        }
        Ok(())
    }

    fn finish_mms(&mut self, sink: &mut dyn Sink) -> Result<(), SinkError> {
        let Some(mut mms) = self.mms.take() else {
            return Ok(());
        };
        if let Some(err) = mms.error {
            sink.record_error(err);
            return Ok(());
        }
        let Some(direction) = mms.direction else {
            return Ok(()); // a draft
        };
        if mms.texts.is_empty() {
            return Ok(()); // pictures only, nothing to read
        }
        mms.texts.sort_by_key(|t| t.0);
        let body = mms
            .texts
            .into_iter()
            .map(|t| t.1)
            .collect::<Vec<_>>()
            .join("\n");
        if let Err((kind, detail)) = self.check_body(&body) {
            sink.record_error(ParseError::new(
                self.path,
                Place {
                    offset: mms.position.offset,
                    record: Some(mms.position.record),
                    ..Place::default()
                },
                kind,
                detail,
            ));
            return Ok(());
        }
        let sender = match (direction, mms.from) {
            (Direction::In, Some(from)) => from,
            _ => mms.address,
        };
        sink.message(Message {
            sender,
            body,
            ts_ms: mms.ts_ms,
            direction,
            contact: mms.contact,
            position: mms.position,
        })?;
        Ok(())
    }

    fn check_body(&self, body: &str) -> Result<(), Refusal> {
        self.check_body_len(body.len())
    }

    fn check_body_len(&self, len: usize) -> Result<(), Refusal> {
        let limit = self.opts.limits.max_body_bytes;
        if len > limit {
            return Err((
                ErrorKind::Limit,
                format!("message text of {len} bytes is over the limit of {limit}; skipped"),
            ));
        }
        Ok(())
    }

    /// Decodes an attribute value; `null` means absent. A value over the attribute limit
    /// costs its record (decoding never makes a value longer, so the raw length decides).
    fn value(&self, raw: &str, name: &str) -> Result<Option<String>, Refusal> {
        if raw == "null" {
            return Ok(None);
        }
        let limit = self.opts.limits.max_attribute_bytes;
        if raw.len() > limit {
            return Err((
                ErrorKind::Limit,
                format!(
                    "attribute {name} of {} bytes is over the limit of {limit}; this message was \
                     skipped",
                    raw.len()
                ),
            ));
        }
        entities::unescape(raw)
            .map(|v| Some(v.into_owned()))
            .map_err(|e| {
                syntax(format!(
                    "attribute {name}, character {}: {}",
                    e.offset, e.detail
                ))
            })
    }

    fn xml_error(&self, err: quick_xml::Error, offset: u64) -> ParseError {
        use quick_xml::errors::{Error as X, SyntaxError};
        if let X::Io(io) = &err
            && let Some(big) = io.get_ref().and_then(|e| e.downcast_ref::<TagTooLarge>())
        {
            return ParseError::new(
                self.path,
                Place::offset(big.offset),
                ErrorKind::Limit,
                big.to_string(),
            );
        }
        let kind = match &err {
            // An unclosed construct can only be reported at the end of the input.
            X::Syntax(
                SyntaxError::UnclosedTag
                | SyntaxError::UnclosedComment
                | SyntaxError::UnclosedCData
                | SyntaxError::UnclosedPI
                | SyntaxError::UnclosedXmlDecl
                | SyntaxError::UnclosedDoctype,
            ) => ErrorKind::Truncated,
            X::Io(_) => ErrorKind::Io,
            X::Encoding(_) => ErrorKind::Encoding,
            _ => ErrorKind::Syntax,
        };
        let detail = match kind {
            ErrorKind::Truncated => format!("{err}: the file is cut off or still being written"),
            _ => format!("{err}; messages after this point were not read"),
        };
        ParseError::new(
            self.path,
            Place {
                offset: Some(offset),
                record: Some(self.record + 1),
                ..Place::default()
            },
            kind,
            detail,
        )
    }
}

fn parse_int(raw: &str) -> Option<i64> {
    raw.parse().ok().or_else(|| raw.trim().parse().ok())
}

fn contact_name(name: String) -> Option<String> {
    let t = name.trim();
    (!t.is_empty() && t != "(Unknown)").then(|| t.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ingest::Collect;

    fn parse(xml: &[u8]) -> (Collect, ReadOutcome) {
        parse_with(xml, crate::ingest::Limits::default())
    }

    fn parse_with(xml: &[u8], limits: crate::ingest::Limits) -> (Collect, ReadOutcome) {
        let mut c = Collect::default();
        let opts = ReadOptions {
            limits,
            ..ReadOptions::default()
        };
        let outcome = read_from(Path::new("t.xml"), xml, &opts, &mut c).unwrap();
        (c, outcome)
    }

    fn small(f: impl FnOnce(&mut crate::ingest::Limits)) -> crate::ingest::Limits {
        let mut l = crate::ingest::Limits::default();
        f(&mut l);
        l
    }

    fn sms_line(i: usize, body: &str) -> String {
        format!("<sms address=\"95384\" date=\"{i}000\" type=\"1\" body=\"{body}\" />\n")
    }

    const HEAD: &str =
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"2\">\n";

    #[test]
    fn sms_attributes_become_a_message() {
        let xml = format!(
            "{HEAD}<sms address=\"95384\" date=\"1709604930000\" type=\"1\" body=\"逾期&#10;请还款 &#55357;&#56832;\" contact_name=\"(Unknown)\" subject=\"null\" />\n\
             <sms address=\"+8613800138000\" date=\"1709604931000\" type=\"2\" body=\"好\" contact_name=\"张三\" />\n</smses>\n"
        );
        let (c, outcome) = parse(xml.as_bytes());
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(c.msgs.len(), 2);
        assert_eq!(c.msgs[0].body, "逾期\n请还款 😀");
        assert_eq!(c.msgs[0].sender, "95384");
        assert_eq!(c.msgs[0].ts_ms, Some(1_709_604_930_000));
        assert_eq!(c.msgs[0].contact, None);
        assert_eq!(c.msgs[1].direction, Direction::Out);
        assert_eq!(c.msgs[1].contact.as_deref(), Some("张三"));
        assert_eq!(c.msgs[1].position.record, 2);
        let off = c.msgs[1].position.offset.unwrap() as usize;
        assert!(xml[off..].starts_with("<sms address=\"+86"));
    }

    #[test]
    fn mms_text_parts_are_joined_and_smil_and_media_ignored() {
        let xml = format!(
            "{HEAD}<mms date=\"1709699400000\" msg_box=\"1\" address=\"+8613000000000\" contact_name=\"(Unknown)\">\
             <parts><part seq=\"-1\" ct=\"application/smil\" text=\"&lt;smil/&gt;\" />\
             <part seq=\"1\" ct=\"text/plain\" text=\"second\" />\
             <part seq=\"0\" ct=\"image/jpeg\" data=\"/9j/4AAQSkZJRgABAQ\" text=\"null\" />\
             <part seq=\"0\" ct=\"text/plain\" text=\"first\" /></parts>\
             <addrs><addr address=\"+8613111111111\" type=\"137\" /><addr address=\"insert-address-token\" type=\"151\" /></addrs>\
             </mms></smses>"
        );
        let (c, outcome) = parse(xml.as_bytes());
        assert!(matches!(outcome, ReadOutcome::Complete));
        assert_eq!(c.msgs.len(), 1);
        assert_eq!(c.msgs[0].body, "first\nsecond");
        assert_eq!(c.msgs[0].sender, "+8613111111111");
    }

    #[test]
    fn drafts_and_picture_only_mms_are_skipped() {
        let xml = format!(
            "{HEAD}<sms address=\"1\" date=\"1\" type=\"3\" body=\"draft\" />\
             <mms date=\"1\" msg_box=\"1\" address=\"2\"><parts><part ct=\"image/png\" data=\"AA\"/></parts></mms></smses>"
        );
        let (c, outcome) = parse(xml.as_bytes());
        assert!(matches!(outcome, ReadOutcome::Complete));
        assert!(c.msgs.is_empty() && c.errors.is_empty());
    }

    #[test]
    fn truncated_file_keeps_earlier_messages_and_says_truncated() {
        let xml = format!(
            "{HEAD}<sms address=\"1\" date=\"1\" type=\"1\" body=\"a\" />\n<sms address=\"2\" da"
        );
        let (c, outcome) = parse(xml.as_bytes());
        assert_eq!(c.msgs.len(), 1);
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should fail")
        };
        assert_eq!(err.kind, ErrorKind::Truncated, "{err}");
        assert!(err.to_string().starts_with("t.xml: "), "{err}");

        let cut = format!("{HEAD}<sms address=\"1\" date=\"1\" type=\"1\" body=\"a\" />\n");
        let (c, outcome) = parse(cut.as_bytes());
        assert_eq!(c.msgs.len(), 1);
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should fail")
        };
        assert_eq!(err.kind, ErrorKind::Truncated);
        assert!(err.detail.contains("</smses>"), "{err}");
    }

    #[test]
    fn truncated_file_with_invalid_bytes_in_mms_data_names_a_place_inside_the_file() {
        // Regression for fuzz/artifacts/sbr_xml/crash-e8e60dd2…: the error said byte 711 of
        // a 709-byte file.
        let mut xml = format!(
            "{HEAD}<mms date=\"1\" msg_box=\"1\" address=\"2\"><parts><part ct=\"image/png\" data=\"iVBO"
        )
        .into_bytes();
        xml.extend_from_slice(b"Rw\x85\">");
        let (_, outcome) = parse(&xml);
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should fail")
        };
        assert_eq!(err.kind, ErrorKind::Truncated, "{err}");
        assert_eq!(err.place.offset, Some(xml.len() as u64), "{err}");
    }

    #[test]
    fn broken_entity_and_invalid_utf8_skip_only_their_message() {
        let mut xml =
            format!("{HEAD}<sms address=\"1\" date=\"1\" type=\"1\" body=\"bad &foo; ref\" />\n")
                .into_bytes();
        xml.extend_from_slice(
            b"<sms address=\"2\" date=\"2\" type=\"1\" body=\"bad \xff byte\" />\n",
        );
        xml.extend_from_slice(
            "<sms address=\"3\" date=\"3\" type=\"1\" body=\"好\" />\n</smses>\n".as_bytes(),
        );
        let (c, outcome) = parse(&xml);
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(c.msgs.len(), 1);
        assert_eq!(c.msgs[0].body, "好");
        assert_eq!(c.errors.len(), 2);
        assert_eq!(c.errors[0].kind, ErrorKind::Syntax);
        assert_eq!(c.errors[0].place.record, Some(1));
        assert!(c.errors[0].detail.contains("&foo;"), "{}", c.errors[0]);
        assert_eq!(c.errors[1].kind, ErrorKind::Encoding);
        let bad = xml.iter().position(|&b| b == 0xff).unwrap();
        assert!(
            c.errors[1].detail.contains(&format!("byte {bad}")),
            "{}",
            c.errors[1]
        );
    }

    #[test]
    fn broken_xml_structure_fails_the_file_at_its_place() {
        let xml = format!(
            "{HEAD}<sms address=\"1\" date=\"1\" type=\"1\" body=\"a\" />\n</wrong></smses>"
        );
        let (c, outcome) = parse(xml.as_bytes());
        assert_eq!(c.msgs.len(), 1);
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should fail")
        };
        assert_eq!(err.kind, ErrorKind::Syntax, "{err}");
        assert!(err.place.offset.is_some());
    }

    #[test]
    fn an_oversized_body_is_a_limit_error_for_that_message_and_the_rest_is_read() {
        let big = "欠".repeat(400);
        let xml = format!(
            "{HEAD}{}{}{}</smses>",
            sms_line(1, "a"),
            sms_line(2, &big),
            sms_line(3, "c")
        );
        let (c, outcome) = parse_with(xml.as_bytes(), small(|l| l.max_body_bytes = 1000));
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(
            c.msgs.iter().map(|m| &m.body[..]).collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert_eq!(c.errors.len(), 1);
        let e = &c.errors[0];
        assert_eq!(e.kind, ErrorKind::Limit, "{e}");
        assert_eq!(e.place.record, Some(2));
        assert!(e.to_string().starts_with("t.xml: message 2, byte "), "{e}");
        assert!(e.detail.contains("over the limit of 1000"), "{e}");
    }

    #[test]
    fn an_oversized_attribute_costs_its_message_and_the_rest_is_read() {
        let name = "x".repeat(600);
        let xml = format!(
            "{HEAD}<sms address=\"1\" date=\"1\" type=\"1\" body=\"a\" contact_name=\"{name}\" />\n{}</smses>",
            sms_line(2, "b")
        );
        let (c, outcome) = parse_with(xml.as_bytes(), small(|l| l.max_attribute_bytes = 500));
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(c.msgs.len(), 1);
        assert_eq!(c.msgs[0].body, "b");
        assert_eq!(c.errors[0].kind, ErrorKind::Limit);
        assert!(
            c.errors[0]
                .detail
                .contains("attribute contact_name of 600 bytes"),
            "{}",
            c.errors[0]
        );
    }

    #[test]
    fn more_records_than_the_limit_stop_the_file_after_the_first_ones() {
        let lines: String = (0..10).map(|i| sms_line(i, &format!("m{i}"))).collect();
        let xml = format!("{HEAD}{lines}</smses>");
        let (c, outcome) = parse_with(xml.as_bytes(), small(|l| l.max_records = 4));
        assert_eq!(c.msgs.len(), 4);
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should stop at the limit")
        };
        assert_eq!(err.kind, ErrorKind::Limit);
        assert_eq!(err.place.record, Some(5));
        assert!(err.detail.contains("more than 4 messages"), "{err}");
        assert!(!err.is_incomplete(), "a limit is not a half-written file");
    }

    #[test]
    fn nesting_deeper_than_the_limit_stops_the_file_at_its_place() {
        let deep = "<a>".repeat(100);
        let xml = format!("{HEAD}{}{deep}", sms_line(1, "a"));
        let (c, outcome) = parse_with(xml.as_bytes(), small(|l| l.max_depth = 10));
        assert_eq!(c.msgs.len(), 1);
        let ReadOutcome::Failed(err) = outcome else {
            panic!("should stop at the limit")
        };
        assert_eq!(err.kind, ErrorKind::Limit, "{err}");
        // <smses> is level 1, so the 10th <a> is the 11th level.
        let tenth_a = HEAD.len() + sms_line(1, "a").len() + 9 * 3;
        assert_eq!(err.place.offset, Some(tenth_a as u64), "{err}");
    }

    #[test]
    fn an_mms_of_many_small_text_parts_is_refused_as_they_arrive() {
        let part = "<part seq=\"0\" ct=\"text/plain\" text=\"0123456789\" />";
        let xml = format!(
            "{HEAD}<mms date=\"1\" msg_box=\"1\" address=\"1\"><parts>{}</parts></mms>{}</smses>",
            part.repeat(1000),
            sms_line(2, "after")
        );
        let (c, outcome) = parse_with(xml.as_bytes(), small(|l| l.max_body_bytes = 500));
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(c.msgs.len(), 1);
        assert_eq!(c.msgs[0].body, "after");
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].kind, ErrorKind::Limit);
        assert_eq!(c.errors[0].place.record, Some(1));
    }
}
