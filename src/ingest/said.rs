//! A parse error in the person's words. The readers do not know who reads them, so an error
//! keeps its English text (for logs and tests) and, where a reader worded it, the catalog
//! phrase (`import.*`) the command line, `doctor` and the review page say in the person's
//! language. What a library said (quick-xml, csv, SQLite, the system) stays as it was
//! written, a technical detail after the person's sentence.

use std::fmt;
use std::ops::Deref;

use super::{ErrorKind, ParseError, Place};
use crate::words::Phrase;

/// Why a file or record could not be read, beyond its kind: a worded [`Phrase`], or the
/// text a library gave. Reads as its English text (`err.detail.contains(...)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Detail {
    english: String,
    phrase: Option<Phrase>,
}

impl Detail {
    /// The phrase to say (the library's text as it is when no reader worded it).
    fn said(&self) -> Option<&Phrase> {
        self.phrase.as_ref()
    }
}

impl Deref for Detail {
    type Target = str;
    fn deref(&self) -> &str {
        &self.english
    }
}

impl fmt::Display for Detail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english)
    }
}

impl From<String> for Detail {
    fn from(english: String) -> Detail {
        Detail {
            english,
            phrase: None,
        }
    }
}

impl From<&str> for Detail {
    fn from(english: &str) -> Detail {
        english.to_string().into()
    }
}

impl From<Phrase> for Detail {
    fn from(phrase: Phrase) -> Detail {
        Detail {
            english: phrase.to_string(),
            phrase: Some(phrase),
        }
    }
}

impl ErrorKind {
    /// A few words for the kind (`import.kind.*`).
    pub fn said(self) -> Phrase {
        Phrase::new(match self {
            ErrorKind::Truncated => "import.kind.truncated",
            ErrorKind::Encoding => "import.kind.encoding",
            ErrorKind::Syntax => "import.kind.syntax",
            ErrorKind::Limit => "import.kind.limit",
            ErrorKind::Unsupported => "import.kind.unsupported",
            ErrorKind::Io => "import.kind.io",
        })
    }
}

impl Place {
    /// The place, its parts joined in the reader's way (`message 2, byte 123`; `第 2 条短信，
    /// 第 123 字节`). The entry name inside an archive is a stranger's, so text.
    pub fn said(&self) -> Phrase {
        let mut parts = Vec::new();
        if let Some(entry) = &self.entry {
            parts.push(Phrase::new("import.place.entry").arg("entry", entry));
        }
        if let Some(line) = self.line {
            parts.push(Phrase::new("import.place.line").arg("line", line));
        }
        if let Some(record) = self.record {
            parts.push(Phrase::new("import.place.message").arg("record", record));
        }
        if let Some(offset) = self.offset {
            parts.push(Phrase::new("import.place.byte").arg("offset", offset));
        }
        // Joined from the end, as nested phrases: "{first}, {rest}".
        let mut joined = parts
            .pop()
            .unwrap_or_else(|| Phrase::new("import.place.start"));
        while let Some(first) = parts.pop() {
            joined = Phrase::new("import.place.join")
                .with("first", first)
                .with("rest", joined);
        }
        joined
    }
}

impl ParseError {
    /// The whole error as a phrase: the file, the place, the kind and why. The file name is
    /// text, so whoever prints the phrase escapes it (`Phrase::text_with`).
    pub fn said(&self) -> Phrase {
        let file = self.path.display().to_string();
        let p = Phrase::new("import.problem")
            .arg("file", file)
            .with("place", self.place.said())
            .with("kind", self.kind.said());
        match self.detail.said() {
            Some(why) => p.with("detail", why.clone()),
            None => p.arg("detail", &*self.detail),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::lang::Lang;

    #[test]
    fn a_parse_error_reads_in_chinese_with_the_file_and_place_as_given() {
        let place = Place {
            record: Some(2),
            offset: Some(123),
            ..Place::default()
        };
        let e = ParseError::new(
            Path::new("cut\u{202e}.xml"),
            place,
            ErrorKind::Truncated,
            Phrase::new("import.detail.cut_off"),
        );
        let zh = e.said().text(Lang::ZhCn);
        assert!(zh.starts_with("cut\u{202e}.xml："), "{zh}");
        assert!(zh.contains("第 2 条短信，第 123 字节"), "{zh}");
        assert!(!zh.contains("truncated") && !zh.contains("cut off"), "{zh}");
        let shown = e
            .said()
            .text_with(Lang::ZhCn, &|s| crate::untrusted::one_line(s).into_owned());
        assert!(shown.starts_with("cut\\u{202e}.xml："), "{shown}");
        // Logs and tests keep the English text.
        assert_eq!(
            e.to_string(),
            "cut\u{202e}.xml: message 2, byte 123: truncated: the file is cut off or still \
             being written"
        );
        assert_eq!(e.said().text(Lang::En), e.to_string());
        let tw = e.said().text(Lang::ZhTw);
        assert!(tw.contains("第 2 則簡訊"), "{tw}");
    }

    #[test]
    fn a_library_detail_stays_as_written_inside_the_persons_sentence() {
        let e = ParseError::new(
            Path::new("a.csv"),
            Place::default(),
            ErrorKind::Syntax,
            "unexpected `\"`",
        );
        assert_eq!(
            e.said().text(Lang::ZhCn),
            "a.csv：文件开头：结构有误：unexpected `\"`"
        );
    }
}
