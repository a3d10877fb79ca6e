//! A whole JSON document (an array of messages, an object whose `messages`, `sms` or `data`
//! array holds them, or one message object), read as it streams: serde hands over one array
//! element at a time, each is turned into a message and dropped, so memory holds one
//! message, not the document. Each element (and each other key of the top object) is
//! bounded while it streams in; a longer one stops the file at its byte offset.

use std::cell::Cell;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::rc::Rc;

use serde::Deserialize as _;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::message_from_value;
use crate::ingest::{ErrorKind, ParseError, Place, ReadOptions, ReadOutcome, Sink, SinkError};
use crate::model::Position;
use crate::words::Phrase;

/// The keys of a top object whose array holds the messages, in the order exporters use.
const ARRAY_KEYS: [&str; 3] = ["messages", "sms", "data"];

pub fn read_document(
    path: &Path,
    file: &std::fs::File,
    opts: &ReadOptions,
    sink: &mut dyn Sink,
) -> Result<ReadOutcome, SinkError> {
    let file = match crate::ingest::rewind(file) {
        Ok(f) => f,
        Err(e) => return Ok(ReadOutcome::Failed(ParseError::io(path, &e))),
    };
    let mut buffered = BufReader::new(file);
    // serde_json does not skip a byte-order mark.
    let bom = match buffered.fill_buf() {
        Ok(b) => b.starts_with(b"\xEF\xBB\xBF"),
        Err(e) => return Ok(ReadOutcome::Failed(ParseError::io(path, &e))),
    };
    if bom {
        buffered.consume(3);
    }
    let counter = Counter::default();
    // A message's text may be escaped (`\uXXXX` is six bytes for one character).
    let max_value = opts.limits.max_body_bytes as u64 * 8 + 65_536;
    let reader = Bounded {
        inner: buffered,
        counter: counter.clone(),
        max: max_value,
    };
    let mut de = serde_json::Deserializer::from_reader(reader);
    let mut doc = Doc {
        path,
        opts,
        sink,
        counter: counter.clone(),
        stopped: None,
        messages: 0,
    };
    let parsed = (&mut doc).deserialize(&mut de).and_then(|found| {
        de.end()?;
        Ok(found)
    });
    if let Some(stop) = doc.stopped.take() {
        return Err(stop);
    }
    let offset = counter.offset.get() + u64::from(bom) * 3;
    Ok(match parsed {
        Ok(true) => ReadOutcome::Complete,
        Ok(false) => ReadOutcome::Failed(ParseError::new(
            path,
            Place::default(),
            ErrorKind::Unsupported,
            Phrase::new("import.detail.json_no_messages"),
        )),
        Err(_) if counter.tripped.get() => ReadOutcome::Failed(ParseError::new(
            path,
            Place {
                offset: Some(offset),
                record: Some(doc.messages + 1),
                ..Place::default()
            },
            ErrorKind::Limit,
            Phrase::new("import.detail.json_value_too_long").arg("limit", max_value),
        )),
        Err(e) => {
            let kind = if e.is_eof() {
                ErrorKind::Truncated
            } else if e.is_io() {
                ErrorKind::Io
            } else {
                ErrorKind::Syntax
            };
            ReadOutcome::Failed(ParseError::new(
                path,
                Place {
                    line: Some(e.line() as u64),
                    offset: Some(offset),
                    ..Place::default()
                },
                kind,
                format!("{e}"),
            ))
        }
    })
}

/// How far the reader got, and how much of the current value it has read.
#[derive(Clone, Default)]
struct Counter {
    offset: Rc<Cell<u64>>,
    in_value: Rc<Cell<u64>>,
    tripped: Rc<Cell<bool>>,
}

impl Counter {
    /// A new value (an array element, a key of the top object) starts here.
    fn start_value(&self) {
        self.in_value.set(0);
    }
}

/// The file's bytes, refused once the current value grows past `max`.
struct Bounded<R> {
    inner: R,
    counter: Counter,
    max: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let c = &self.counter;
        if c.in_value.get() > self.max {
            c.tripped.set(true);
            return Err(std::io::Error::other("value over the limit"));
        }
        let n = self.inner.read(buf)?;
        c.offset.set(c.offset.get() + n as u64);
        c.in_value.set(c.in_value.get() + n as u64);
        Ok(n)
    }
}

/// The reading of one document: where the messages go, and what stopped it.
struct Doc<'a> {
    path: &'a Path,
    opts: &'a ReadOptions,
    sink: &'a mut dyn Sink,
    counter: Counter,
    /// The sink refused a message (the import stops): returned as it is, not as a parse
    /// error.
    stopped: Option<SinkError>,
    /// Array elements seen so far (the record number of the next is one more).
    messages: u64,
}

impl Doc<'_> {
    /// One message value: to the sink, or reported as a record error.
    fn take<E: de::Error>(&mut self, value: &Value, offset: u64) -> Result<(), E> {
        self.messages += 1;
        let record = self.messages;
        let position = Position {
            record,
            offset: Some(offset),
            line: None,
        };
        let result = match message_from_value(value, position, self.opts) {
            Ok(Some(msg)) => self.sink.message(msg),
            Ok(None) => Ok(()),
            Err(detail) => {
                self.sink.record_error(ParseError::new(
                    self.path,
                    Place {
                        record: Some(record),
                        offset: Some(offset),
                        ..Place::default()
                    },
                    ErrorKind::Syntax,
                    detail,
                ));
                Ok(())
            }
        };
        result.map_err(|stop| {
            self.stopped = Some(SinkError(stop));
            E::custom("the import stopped")
        })
    }

    /// The elements of a message array, one at a time.
    fn stream<'de, A: SeqAccess<'de>>(&mut self, mut seq: A) -> Result<(), A::Error> {
        loop {
            self.counter.start_value();
            let offset = self.counter.offset.get();
            match seq.next_element::<Value>()? {
                Some(value) => self.take(&value, offset)?,
                None => return Ok(()),
            }
        }
    }
}

/// The top of the document; `true` when it held messages (an array, or one message).
impl<'de> DeserializeSeed<'de> for &mut Doc<'_> {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &mut Doc<'_> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of messages or an object")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<bool, A::Error> {
        self.stream(seq)?;
        Ok(true)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        // The other keys are kept: without a message array, the object is one message.
        let mut rest = Map::new();
        let mut streamed = false;
        loop {
            self.counter.start_value();
            let Some(key) = map.next_key::<String>()? else {
                break;
            };
            if !streamed && ARRAY_KEYS.contains(&key.as_str()) {
                match map.next_value_seed(ArrayOrValue(&mut *self))? {
                    None => streamed = true,
                    Some(value) => {
                        rest.insert(key, value);
                    }
                }
            } else if streamed {
                map.next_value::<de::IgnoredAny>()?;
            } else {
                rest.insert(key, map.next_value()?);
            }
        }
        if !streamed {
            let offset = 0;
            self.take(&Value::Object(rest), offset)?;
        }
        Ok(true)
    }

    // Any other top value holds no messages.
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E: de::Error>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// The value of a `messages` key: an array is streamed (`None`); anything else is kept as
/// the value of a field of one message (`sms` is also a body's name).
struct ArrayOrValue<'a, 'b>(&'a mut Doc<'b>);

impl<'de> DeserializeSeed<'de> for ArrayOrValue<'_, '_> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<Value>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ArrayOrValue<'_, '_> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<Value>, A::Error> {
        self.0.stream(seq)?;
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<Value>, A::Error> {
        let value = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
        Ok(Some(value))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<Value>, E> {
        Ok(Some(Value::Bool(v)))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<Value>, E> {
        Ok(Some(Value::from(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(v.to_string())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Option<Value>, E> {
        Ok(Some(Value::String(v)))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<Value>, E> {
        Ok(Some(Value::Null))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{Collect, Limits};
    use std::io::Write as _;

    fn read(text: &[u8], limits: Limits) -> (Collect, ReadOutcome) {
        let mut f = tempfile::tempfile().unwrap();
        f.write_all(text).unwrap();
        let opts = ReadOptions {
            phone_tz: jiff::tz::TimeZone::UTC,
            limits,
        };
        let mut sink = Collect::default();
        let outcome = read_document(Path::new("d.json"), &f, &opts, &mut sink).unwrap();
        (sink, outcome)
    }

    fn bodies(c: &Collect) -> Vec<&str> {
        c.msgs.iter().map(|m| m.body.as_str()).collect()
    }

    const A: &str = r#"{"address":"95588","body":"一","date":1709604930000}"#;
    const B: &str = r#"{"address":"95588","body":"二","date":1709604931000}"#;

    #[test]
    fn an_array_an_object_with_a_messages_array_and_one_message_are_all_read() {
        for doc in [
            format!("\u{feff}[{A},{B}]"),
            format!(r#"{{"version":2,"messages":[{A},{B}],"count":2}}"#),
            format!(r#"{{"sms":[{A},{B}]}}"#),
        ] {
            let (c, outcome) = read(doc.as_bytes(), Limits::default());
            assert!(
                matches!(outcome, ReadOutcome::Complete),
                "{doc}: {outcome:?}"
            );
            assert_eq!(bodies(&c), ["一", "二"], "{doc}");
        }
        // One message object whose body field is named `sms`.
        let one = r#"{"address":"95588","sms":"三","date":1709604930000}"#;
        let (c, outcome) = read(one.as_bytes(), Limits::default());
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(bodies(&c), ["三"]);
    }

    #[test]
    fn a_document_cut_off_keeps_the_messages_before_and_says_truncated() {
        let doc = format!("[{A},{B},{{\"address\":\"9");
        let (c, outcome) = read(doc.as_bytes(), Limits::default());
        assert_eq!(bodies(&c), ["一", "二"]);
        let ReadOutcome::Failed(e) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(e.kind, ErrorKind::Truncated, "{e}");
    }

    #[test]
    fn one_element_over_the_limit_stops_the_file_at_its_offset_with_flat_memory() {
        let limits = Limits {
            max_body_bytes: 16,
            ..Limits::default()
        };
        let huge = "x".repeat(200_000);
        let doc = format!("[{A},{{\"body\":\"{huge}\"}},{B}]");
        let (c, outcome) = read(doc.as_bytes(), limits);
        assert_eq!(bodies(&c), ["一"]);
        let ReadOutcome::Failed(e) = outcome else {
            panic!("{outcome:?}")
        };
        assert_eq!(e.kind, ErrorKind::Limit, "{e}");
        assert_eq!(e.place.record, Some(2), "{e}");
        assert!(e.to_string().contains("longer than"), "{e}");
    }

    #[test]
    fn a_value_that_holds_no_messages_and_trailing_garbage_are_named() {
        let (_, outcome) = read(b"42", Limits::default());
        assert!(
            matches!(&outcome, ReadOutcome::Failed(e) if e.kind == ErrorKind::Unsupported),
            "{outcome:?}"
        );
        let doc = format!("[{A}] trailing");
        let (c, outcome) = read(doc.as_bytes(), Limits::default());
        assert_eq!(bodies(&c), ["一"]);
        assert!(
            matches!(&outcome, ReadOutcome::Failed(e) if e.kind == ErrorKind::Syntax),
            "{outcome:?}"
        );
    }

    #[test]
    fn an_element_that_is_not_a_message_is_a_record_error_and_the_rest_is_read() {
        let doc = format!("[{A},7,{B}]");
        let (c, outcome) = read(doc.as_bytes(), Limits::default());
        assert!(matches!(outcome, ReadOutcome::Complete), "{outcome:?}");
        assert_eq!(bodies(&c), ["一", "二"]);
        assert_eq!(c.errors.len(), 1);
        assert_eq!(c.errors[0].place.record, Some(2));
    }
}
