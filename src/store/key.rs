//! The identity of a message, so that the same SMS met again is stored once.
//!
//! The same message arrives many times: the backup app rewrites the whole file at every
//! backup, a second phone export overlaps, an iPhone backup and an XML backup both hold it.
//! Exporters disagree on details that do not change the message: the sender's spelling
//! (`+86 138-0013-8000`, `13800138000`, `0086138…`), milliseconds (vMessage and CSV keep
//! seconds only), line endings. The key ignores exactly those and nothing else.

use crate::model::Direction;

/// A 128-bit key; stored as a 16-byte BLOB with a UNIQUE index.
pub type MessageKey = [u8; 16];

/// The sender reduced to what identifies it: digits for phone numbers (country prefix of
/// mainland China dropped, `00` turned into `+`), lowercase for alphanumeric IDs.
pub fn normalize_sender(sender: &str) -> String {
    let trimmed = sender.trim();
    let looks_numeric = !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_ascii_digit() || " +-().\u{a0}".contains(c));
    if !looks_numeric {
        return trimmed.to_lowercase();
    }
    let plus = trimmed.starts_with('+');
    let digits: String = trimmed.chars().filter(char::is_ascii_digit).collect();
    let (international, digits) = if plus {
        (true, digits.as_str())
    } else if let Some(rest) = digits.strip_prefix("00") {
        (true, rest)
    } else {
        (false, digits.as_str())
    };
    if international {
        // +86 and 0086: the number as dialled inside China, so that `+8613800138000` and
        // `13800138000` are one sender.
        if let Some(national) = digits.strip_prefix("86")
            && !national.is_empty()
        {
            return national.to_string();
        }
        return format!("+{digits}");
    }
    // A mainland mobile written with the country code but no plus: 8613800138000.
    if digits.len() == 13 && digits.starts_with("861") {
        return digits[2..].to_string();
    }
    digits.to_string()
}

/// The key of a message: normalised sender, direction, time in whole seconds, body with
/// line endings unified and surrounding white space trimmed.
///
/// Layout: 8 bytes of the time in seconds (big-endian, sign flipped so that byte order is
/// time order), then 8 bytes of a BLAKE3 hash of everything. Backups list messages in time
/// order, so new keys land at the end of the unique index instead of at random pages — the
/// difference between appending and thrashing on a million-message import.
pub fn message_key(
    sender: &str,
    direction: Direction,
    ts_ms: Option<i64>,
    body: &str,
) -> MessageKey {
    message_key_normalized(&normalize_sender(sender), direction, ts_ms, body)
}

/// [`message_key`] for a sender already passed through [`normalize_sender`].
pub fn message_key_normalized(
    sender_norm: &str,
    direction: Direction,
    ts_ms: Option<i64>,
    body: &str,
) -> MessageKey {
    let mut hasher = blake3::Hasher::new();
    hasher.update(sender_norm.as_bytes());
    hasher.update(&[0, direction as u8]);
    let secs = ts_ms.map(|ms| ms.div_euclid(1000));
    match secs {
        Some(s) => {
            hasher.update(&[1]);
            hasher.update(&s.to_le_bytes());
        }
        None => {
            hasher.update(&[0]);
        }
    }
    hasher.update(&[0]);
    let body = body.trim();
    if body.contains('\r') {
        hasher.update(body.replace("\r\n", "\n").replace('\r', "\n").as_bytes());
    } else {
        hasher.update(body.as_bytes());
    }
    let mut key = [0u8; 16];
    // No time sorts first; otherwise flip the sign bit so negative times sort before positive.
    let order = secs.map_or(0, |s| (s as u64) ^ (1 << 63));
    key[..8].copy_from_slice(&order.to_be_bytes());
    key[8..].copy_from_slice(&hasher.finalize().as_bytes()[..8]);
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_spellings_of_one_chinese_mobile_are_equal() {
        for s in [
            "+86 138-0013-8000",
            "13800138000",
            "008613800138000",
            "8613800138000",
            "+8613800138000",
        ] {
            assert_eq!(normalize_sender(s), "13800138000", "{s}");
        }
    }

    #[test]
    fn foreign_short_code_and_alphanumeric_senders_keep_their_identity() {
        assert_eq!(normalize_sender("+1 (415) 555-0100"), "+14155550100");
        assert_eq!(normalize_sender("0014155550100"), "+14155550100");
        assert_eq!(normalize_sender("95384"), "95384");
        assert_eq!(normalize_sender("CoopMobile"), "coopmobile");
        assert_ne!(normalize_sender("95588"), normalize_sender("95584"));
    }

    #[test]
    fn keys_sort_in_time_order() {
        let k = |ts| message_key("1", Direction::In, ts, "x");
        assert!(k(None) < k(Some(-5_000)));
        assert!(k(Some(-5_000)) < k(Some(0)));
        assert!(k(Some(1_000)) < k(Some(2_000)));
        assert!(k(Some(1_700_000_000_000)) < k(Some(1_700_000_001_000)));
    }

    #[test]
    fn key_ignores_milliseconds_and_line_endings_but_not_content() {
        let a = message_key(
            "+8613800138000",
            Direction::In,
            Some(1_709_604_930_123),
            "a\r\nb",
        );
        let b = message_key(
            "13800138000",
            Direction::In,
            Some(1_709_604_930_000),
            "a\nb",
        );
        assert_eq!(a, b);
        assert_ne!(
            a,
            message_key(
                "13800138000",
                Direction::Out,
                Some(1_709_604_930_000),
                "a\nb"
            )
        );
        assert_ne!(
            a,
            message_key(
                "13800138000",
                Direction::In,
                Some(1_709_604_931_000),
                "a\nb"
            )
        );
        assert_ne!(
            a,
            message_key(
                "13800138000",
                Direction::In,
                Some(1_709_604_930_000),
                "a\nc"
            )
        );
        assert_ne!(
            a,
            message_key(
                "13800138001",
                Direction::In,
                Some(1_709_604_930_000),
                "a\nb"
            )
        );
        assert_ne!(a, message_key("13800138000", Direction::In, None, "a\nb"));
    }
}
