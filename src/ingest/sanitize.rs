//! A byte filter in front of the XML parser, so that hostile or huge backups stream in flat
//! memory and one bad byte costs one message, not the file.
//!
//! It does three things while passing the bytes through:
//! - drops the value of every `data="…"` attribute inside a tag (MMS media as base64, often
//!   megabytes on one line, which we never need) and writes `data=""` instead;
//! - replaces each invalid UTF-8 sequence with U+FFFD and remembers where, so the reader
//!   can reject exactly the message that contained it;
//! - refuses a single tag larger than a limit (a giant attribute), and any other single
//!   event of the parser (a text node, comment, CDATA section) read past the same limit: the
//!   parser gathers an event whole in its buffer, so without this a 6 GB run of text
//!   between two elements (a sparse file is all zero bytes) takes 6 GB of memory.
//!
//! Offsets after the filter differ from offsets in the file; [`Sanitizer::original_offset`]
//! maps them back so that errors and evidence point at the real byte.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

const CHUNK: usize = 64 * 1024;

pub struct Sanitizer<R> {
    inner: R,
    /// Raw bytes read but not yet processed (an incomplete UTF-8 sequence at a chunk end).
    carry: Vec<u8>,
    out: Vec<u8>,
    out_pos: usize,
    /// Filtered bytes produced so far (offset of `out[0]` is `produced - out.len()`).
    produced: u64,
    eof: bool,
    state: State,
    /// The last bytes seen inside a tag outside quotes, to recognise ` data=`.
    recent: [u8; 6],
    tag_bytes: usize,
    max_tag_bytes: usize,
    tag_start: u64,
    /// Filtered offset where the parser's current event began ([`Sanitizer::begin_event`]).
    event_start: u64,
    /// (filtered offset from which it applies, original − filtered) checkpoints.
    deltas: VecDeque<(u64, i64)>,
    delta: i64,
    /// Filtered offsets of repaired invalid UTF-8, oldest first.
    repairs: VecDeque<u64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Text,
    /// Just after `<`: an element tag starts if a name follows.
    TagOpen,
    InTag,
    InQuote(u8),
    /// Inside a `data` value: bytes are dropped until this quote.
    Skipping(u8),
}

impl<R: Read> Sanitizer<R> {
    pub fn new(inner: R, max_tag_bytes: usize) -> Self {
        Sanitizer {
            inner,
            carry: Vec::new(),
            out: Vec::with_capacity(CHUNK * 2),
            out_pos: 0,
            produced: 0,
            eof: false,
            state: State::Text,
            recent: [0; 6],
            tag_bytes: 0,
            max_tag_bytes,
            tag_start: 0,
            event_start: 0,
            deltas: VecDeque::new(),
            delta: 0,
            repairs: VecDeque::new(),
        }
    }

    /// Maps an offset in the filtered stream to the offset in the original file. Queries
    /// must not go backwards by more than one element (older checkpoints are dropped).
    pub fn original_offset(&mut self, filtered: u64) -> u64 {
        while self.deltas.len() > 1 && self.deltas[1].0 <= filtered {
            self.deltas.pop_front();
        }
        let delta = match self.deltas.front() {
            Some(&(from, d)) if from <= filtered => d,
            _ => 0,
        };
        (filtered as i64 + delta).max(0) as u64
    }

    /// Marks the start of the parser's next event: from here on, the parser may take at most
    /// the limit before the event ends, or its next read fails with [`TextTooLarge`].
    pub fn begin_event(&mut self) {
        self.event_start = self.produced + self.out_pos as u64;
    }

    /// True (and forgets them) when invalid UTF-8 was repaired in `[start, end)` of the
    /// filtered stream; repairs before `start` are dropped too.
    pub fn take_repairs(&mut self, start: u64, end: u64) -> Option<u64> {
        let mut first = None;
        while let Some(&at) = self.repairs.front() {
            if at >= end {
                break;
            }
            self.repairs.pop_front();
            if at >= start && first.is_none() {
                first = Some(at);
            }
        }
        first
    }

    fn set_delta(&mut self, filtered_at: u64, change: i64) {
        self.delta += change;
        self.deltas.push_back((filtered_at, self.delta));
    }

    fn fill(&mut self) -> io::Result<()> {
        self.out.clear();
        self.out_pos = 0;
        while self.out.is_empty() && !self.eof {
            let mut raw = std::mem::take(&mut self.carry);
            let before = raw.len();
            raw.resize(before + CHUNK, 0);
            let n = loop {
                match self.inner.read(&mut raw[before..]) {
                    Ok(n) => break n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(e),
                }
            };
            raw.truncate(before + n);
            if n == 0 {
                self.eof = true;
            }
            self.process(&raw)?;
        }
        Ok(())
    }

    /// Validates UTF-8 (carrying an incomplete tail to the next chunk) and runs the tag
    /// state machine over the valid text.
    fn process(&mut self, raw: &[u8]) -> io::Result<()> {
        let mut rest = raw;
        loop {
            match std::str::from_utf8(rest) {
                Ok(_) => {
                    self.scan(rest)?;
                    return Ok(());
                }
                Err(e) => {
                    let valid = e.valid_up_to();
                    self.scan(&rest[..valid])?;
                    match e.error_len() {
                        Some(bad) => {
                            self.replace_invalid(bad)?;
                            rest = &rest[valid + bad..];
                        }
                        None if self.eof => {
                            self.replace_invalid(rest.len() - valid)?;
                            return Ok(());
                        }
                        None => {
                            self.carry.extend_from_slice(&rest[valid..]);
                            return Ok(());
                        }
                    }
                }
            }
        }
    }

    /// Stands U+FFFD in for `bad` invalid bytes of the original. Inside a dropped `data`
    /// value the bytes are simply dropped: nothing is written, so no message is blamed
    /// for them, and the offset map must count `bad` original bytes, not the three of
    /// the replacement character.
    fn replace_invalid(&mut self, bad: usize) -> io::Result<()> {
        let at = self.filtered_pos();
        if let State::Skipping(_) = self.state {
            self.set_delta(at, bad as i64);
            return Ok(());
        }
        self.repairs.push_back(at);
        self.scan("\u{FFFD}".as_bytes())?;
        self.set_delta(self.filtered_pos(), bad as i64 - 3);
        Ok(())
    }

    fn filtered_pos(&self) -> u64 {
        self.produced + self.out.len() as u64
    }

    fn scan(&mut self, mut s: &[u8]) -> io::Result<()> {
        while !s.is_empty() {
            match self.state {
                State::Text => match memchr::memchr(b'<', s) {
                    Some(i) => {
                        self.out.extend_from_slice(&s[..=i]);
                        self.tag_start = self.filtered_pos() - 1;
                        self.state = State::TagOpen;
                        s = &s[i + 1..];
                    }
                    None => {
                        self.out.extend_from_slice(s);
                        s = &[];
                    }
                },
                State::TagOpen => {
                    // Only element tags (`<name`) carry attributes; `<?`, `<!--`, `</` do not.
                    self.state = if s[0].is_ascii_alphabetic() || s[0] == b'_' {
                        self.tag_bytes = 1;
                        self.recent = [0; 6];
                        State::InTag
                    } else {
                        State::Text
                    };
                }
                State::InTag => {
                    // Attribute names and `=` up to the next quote or the end of the tag.
                    let Some(i) = memchr::memchr3(b'"', b'\'', b'>', s) else {
                        self.out.extend_from_slice(s);
                        self.count_tag(s.len())?;
                        self.remember(s);
                        s = &[];
                        continue;
                    };
                    let b = s[i];
                    self.out.extend_from_slice(&s[..=i]);
                    self.count_tag(i + 1)?;
                    self.remember(&s[..i]);
                    s = &s[i + 1..];
                    if b == b'>' {
                        self.state = State::Text;
                    } else {
                        let r = &self.recent;
                        self.state = if &r[1..] == b"data=" && r[0].is_ascii_whitespace() {
                            State::Skipping(b)
                        } else {
                            State::InQuote(b)
                        };
                    }
                }
                State::InQuote(q) => match memchr::memchr(q, s) {
                    Some(i) => {
                        self.out.extend_from_slice(&s[..=i]);
                        self.count_tag(i + 1)?;
                        self.recent = [0; 6];
                        self.state = State::InTag;
                        s = &s[i + 1..];
                    }
                    None => {
                        self.out.extend_from_slice(s);
                        self.count_tag(s.len())?;
                        s = &[];
                    }
                },
                State::Skipping(q) => {
                    let (dropped, done) = match memchr::memchr(q, s) {
                        Some(i) => (i, true),
                        None => (s.len(), false),
                    };
                    if dropped > 0 {
                        let at = self.filtered_pos();
                        self.set_delta(at, dropped as i64);
                    }
                    if done {
                        self.out.push(q);
                        self.count_tag(1)?;
                        self.recent = [0; 6];
                        self.state = State::InTag;
                        s = &s[dropped + 1..];
                    } else {
                        s = &[];
                    }
                }
            }
        }
        Ok(())
    }

    /// Keeps the last six bytes seen between quotes inside a tag (to spot ` data=`).
    fn remember(&mut self, seg: &[u8]) {
        if seg.len() >= 6 {
            self.recent.copy_from_slice(&seg[seg.len() - 6..]);
        } else {
            self.recent.rotate_left(seg.len());
            self.recent[6 - seg.len()..].copy_from_slice(seg);
        }
    }

    fn count_tag(&mut self, n: usize) -> io::Result<()> {
        self.tag_bytes += n;
        if self.tag_bytes > self.max_tag_bytes {
            let at = self.original_offset(self.tag_start);
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                TagTooLarge {
                    offset: at,
                    limit: self.max_tag_bytes,
                },
            ));
        }
        Ok(())
    }
}

/// The error carried through quick-xml when one event other than an element tag (text,
/// a comment, CDATA) runs past the limit.
#[derive(Debug, thiserror::Error)]
#[error(
    "text or markup starting at byte {offset} runs on for more than {limit} bytes without \
     an element (the limit for one piece of a backup; a backup has only line breaks between \
     its elements)"
)]
pub struct TextTooLarge {
    pub offset: u64,
    pub limit: usize,
}

/// The error carried through quick-xml when one tag exceeds the limit.
#[derive(Debug, thiserror::Error)]
#[error("an element starting at byte {offset} is larger than {limit} bytes")]
pub struct TagTooLarge {
    pub offset: u64,
    pub limit: usize,
}

impl<R: Read> Read for Sanitizer<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let avail = self.fill_buf()?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<R: Read> BufRead for Sanitizer<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // The parser asks for more only after taking everything it was given, so checking
        // here bounds its buffer by the limit plus one chunk.
        let taken = self.produced + self.out_pos as u64 - self.event_start;
        if taken > self.max_tag_bytes as u64 {
            let offset = self.original_offset(self.event_start);
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                TextTooLarge {
                    offset,
                    limit: self.max_tag_bytes,
                },
            ));
        }
        if self.out_pos >= self.out.len() {
            self.produced += self.out.len() as u64;
            self.out.clear();
            self.out_pos = 0;
            self.fill()?;
            // `fill` appended at produced+0; keep `produced` as the offset of out[0].
        }
        Ok(&self.out[self.out_pos..])
    }

    fn consume(&mut self, amt: usize) {
        self.out_pos = (self.out_pos + amt).min(self.out.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(input: &[u8]) -> (String, Sanitizer<&[u8]>) {
        let mut s = Sanitizer::new(input, 1 << 20);
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        (String::from_utf8(out).unwrap(), s)
    }

    #[test]
    fn data_attribute_values_are_dropped_and_offsets_map_back() {
        let input = br#"<a><part seq="0" data="QUFBQUFB" text="hi" /><sms body='x data="y"'/></a>"#;
        let (out, mut s) = run(input);
        assert_eq!(
            out,
            r#"<a><part seq="0" data="" text="hi" /><sms body='x data="y"'/></a>"#
        );
        let filtered = out.find("<sms").unwrap() as u64;
        let original = input.windows(4).position(|w| w == b"<sms").unwrap() as u64;
        assert_eq!(s.original_offset(filtered), original);
    }

    #[test]
    fn data_in_text_comments_and_quoted_values_is_kept() {
        let input = br#"<!-- data="keep" --><x body=" data=&quot;k&quot;">t data="keep"</x>"#;
        let (out, _) = run(input);
        assert_eq!(out.as_bytes(), input);
    }

    #[test]
    fn invalid_utf8_is_replaced_and_its_place_remembered() {
        let input = b"<x a=\"ok\"/><y b=\"bad\xff\xfe!\"/>";
        let (out, mut s) = run(input);
        assert_eq!(out, "<x a=\"ok\"/><y b=\"bad\u{FFFD}\u{FFFD}!\"/>");
        let y = out.find("<y").unwrap() as u64;
        assert_eq!(s.take_repairs(0, y), None);
        assert!(s.take_repairs(y, out.len() as u64).is_some());
        assert_eq!(s.original_offset(out.len() as u64), input.len() as u64);
    }

    #[test]
    fn invalid_utf8_inside_dropped_data_is_dropped_and_not_counted_twice() {
        // Found by the sbr_xml fuzz target: the replacement character was counted as three
        // dropped original bytes, so the end of this input mapped 2 bytes past the end.
        let input = b"<p data=\"AB\x85\"><q data=\"\xff\xfeC\"/>";
        let (out, mut s) = run(input);
        assert_eq!(out, "<p data=\"\"><q data=\"\"/>");
        assert_eq!(s.take_repairs(0, out.len() as u64), None);
        let q = out.find("<q").unwrap() as u64;
        let original_q = input.windows(2).position(|w| w == b"<q").unwrap() as u64;
        assert_eq!(s.original_offset(q), original_q);
        assert_eq!(s.original_offset(out.len() as u64), input.len() as u64);
    }

    #[test]
    fn multibyte_characters_split_across_chunks_survive() {
        let mut input = Vec::new();
        input.extend_from_slice(b"<x t=\"");
        while input.len() < CHUNK * 3 {
            input.extend_from_slice("逾期".as_bytes());
        }
        input.extend_from_slice(b"\"/>");
        let (out, mut s) = run(&input);
        assert_eq!(out.as_bytes(), &input[..]);
        assert_eq!(s.take_repairs(0, u64::MAX), None);
    }

    #[test]
    fn a_giant_text_node_is_refused_once_the_reader_has_taken_the_limit() {
        let mut input = b"<root>".to_vec();
        input.extend(std::iter::repeat_n(b'\0', CHUNK * 4));
        input.extend_from_slice(b"</root>");
        let mut s = Sanitizer::new(&input[..], 1000);
        let mut buf = [0u8; 6];
        s.read_exact(&mut buf).unwrap();
        s.begin_event();
        let mut taken = 0;
        let err = loop {
            match s.fill_buf() {
                Ok(b) => {
                    let n = b.len();
                    assert!(n > 0, "the text ended before the limit");
                    s.consume(n);
                    taken += n;
                }
                Err(e) => break e,
            }
        };
        assert!(taken <= 1000 + 2 * CHUNK, "{taken}");
        let text = err
            .get_ref()
            .unwrap()
            .downcast_ref::<TextTooLarge>()
            .unwrap();
        assert_eq!(text.offset, 6);
        assert!(err.to_string().contains("byte 6"), "{err}");
    }

    #[test]
    fn a_giant_tag_is_refused_with_its_offset() {
        let mut input = b"<root>".to_vec();
        input.extend_from_slice(b"<sms body=\"");
        input.extend(std::iter::repeat_n(b'a', 5000));
        input.extend_from_slice(b"\"/></root>");
        let mut s = Sanitizer::new(&input[..], 1000);
        let err = s.read_to_end(&mut Vec::new()).unwrap_err();
        assert!(err.to_string().contains("byte 6"), "{err}");
    }
}
