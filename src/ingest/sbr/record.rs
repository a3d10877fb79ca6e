//! The records: an `<sms>` element becomes a message at once; an `<mms>` is gathered from
//! its text parts and sender address (`<part>`, `<addr>`) and becomes one at `</mms>`.
//! Attribute values are decoded and held to the limits here, so a bad value costs only its
//! own message.

use quick_xml::events::BytesStart;

use super::entities;
use super::{ErrorKind, ParseError, Parser, Place, Root, Sink, SinkError};
use crate::model::{Direction, Message, Position};

/// Why one record was refused: the kind (syntax or limit) and what to tell the user.
type Refusal = (ErrorKind, crate::ingest::Detail);

fn syntax(detail: impl Into<crate::ingest::Detail>) -> Refusal {
    (ErrorKind::Syntax, detail.into())
}

/// An `<mms>` being assembled from its parts.
pub(super) struct Mms {
    pub(super) position: Position,
    ts_ms: Option<i64>,
    direction: Option<Direction>,
    address: String,
    from: Option<String>,
    contact: Option<String>,
    texts: Vec<(i64, String)>,
    /// Bytes of text in `texts`, bounded by the body limit while the parts arrive.
    text_bytes: usize,
    pub(super) error: Option<ParseError>,
}

impl Parser<'_> {
    pub(super) fn sms(&self, e: &BytesStart<'_>, offset: u64) -> Result<Option<Message>, Refusal> {
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
            zoneless: None,
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

    pub(super) fn mms_start(&self, e: &BytesStart<'_>, offset: u64) -> Mms {
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

    pub(super) fn mms_child(&self, e: &BytesStart<'_>, mms: &mut Mms) -> Result<(), Refusal> {
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

    pub(super) fn finish_mms(&mut self, sink: &mut dyn Sink) -> Result<(), SinkError> {
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
            zoneless: None,
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
                crate::words::Phrase::new("import.detail.body_too_long")
                    .arg("size", len)
                    .arg("limit", limit)
                    .into(),
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
                crate::words::Phrase::new("import.detail.attribute_too_long")
                    .arg("name", name)
                    .arg("size", raw.len())
                    .arg("limit", limit)
                    .into(),
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
    use super::super::tests::{HEAD, parse, parse_with, small, sms_line};
    use super::*;

    use crate::ingest::ReadOutcome;

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
