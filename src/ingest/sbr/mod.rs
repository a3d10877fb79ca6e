//! SMS Backup & Restore XML (`<smses>`), the most common Android backup; also the
//! compatible plaintext backups of Signal and Silence.
//!
//! Streamed with quick-xml behind [`Sanitizer`], so memory stays flat whatever the file
//! size. `<sms>` elements and the text parts of `<mms>` become messages; SMIL and media parts
//! are ignored; drafts are skipped. The literal string `null` means absent. Surrogate-pair
//! references are joined by [`entities::unescape`].

mod record;

use std::path::Path;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::entities;
use super::sanitize::{Sanitizer, TagTooLarge, TextTooLarge};
use super::{ErrorKind, Limits, ParseError, Place, ReadOptions, ReadOutcome, Sink, SinkError};
use crate::words::Phrase;
use record::Mms;

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
        reader.get_mut().begin_event();
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
                        Phrase::new("import.detail.too_deep").arg("limit", opts.limits.max_depth),
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
            Phrase::new("import.detail.no_root")
                .arg("element", root.name())
                .arg("app", root.app()),
        )));
    }
    if !parser.root_closed {
        let at = reader.buffer_position();
        let offset = reader.get_mut().original_offset(at);
        return Ok(ReadOutcome::Failed(ParseError::new(
            path,
            Place::offset(offset),
            ErrorKind::Truncated,
            Phrase::new("import.detail.ends_before").arg("element", root.name()),
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
            Phrase::new("import.detail.too_many").arg("limit", limit),
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
            Phrase::new("import.detail.bad_utf8").arg("offset", at),
        )
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
        if let X::Io(io) = &err
            && let Some(text) = io.get_ref().and_then(|e| e.downcast_ref::<TextTooLarge>())
        {
            return ParseError::new(
                self.path,
                Place::offset(text.offset),
                ErrorKind::Limit,
                Phrase::new("import.detail.rest_not_read").arg("error", text),
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
                | SyntaxError::UnclosedDoctype
                // Bodies are attribute values: a sync cut off mid-message ends inside one.
                | SyntaxError::UnclosedSingleQuotedAttributeValue
                | SyntaxError::UnclosedDoubleQuotedAttributeValue,
            ) => ErrorKind::Truncated,
            X::Io(_) => ErrorKind::Io,
            X::Encoding(_) => ErrorKind::Encoding,
            _ => ErrorKind::Syntax,
        };
        let detail = match kind {
            ErrorKind::Truncated => Phrase::new("import.detail.cut_off_after").arg("error", &err),
            _ => Phrase::new("import.detail.after_not_read").arg("error", &err),
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::ingest::Collect;

    // The helpers below are shared with the tests in record.rs.

    pub(super) fn parse(xml: &[u8]) -> (Collect, ReadOutcome) {
        parse_with(xml, crate::ingest::Limits::default())
    }

    pub(super) fn parse_with(xml: &[u8], limits: crate::ingest::Limits) -> (Collect, ReadOutcome) {
        let mut c = Collect::default();
        let opts = ReadOptions {
            limits,
            ..ReadOptions::default()
        };
        let outcome = read_from(Path::new("t.xml"), xml, &opts, &mut c).unwrap();
        (c, outcome)
    }

    pub(super) fn small(f: impl FnOnce(&mut crate::ingest::Limits)) -> crate::ingest::Limits {
        let mut l = crate::ingest::Limits::default();
        f(&mut l);
        l
    }

    pub(super) fn sms_line(i: usize, body: &str) -> String {
        format!("<sms address=\"95384\" date=\"{i}000\" type=\"1\" body=\"{body}\" />\n")
    }

    pub(super) const HEAD: &str =
        "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?>\n<smses count=\"2\">\n";

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
    fn a_file_cut_off_inside_an_attribute_value_is_truncated_not_broken() {
        for quote in ['"', '\''] {
            let xml = format!(
                "{HEAD}<sms address=\"1\" date=\"1\" type=\"1\" body=\"a\" />\n<sms address={quote}2{quote} body={quote}您的账"
            );
            let (c, outcome) = parse(xml.as_bytes());
            assert_eq!(c.msgs.len(), 1);
            let ReadOutcome::Failed(err) = outcome else {
                panic!("should fail")
            };
            assert_eq!(err.kind, ErrorKind::Truncated, "{err}");
        }
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
}
