//! What kind of number (or name) a message came from. In China, companies send from 95xxx
//! service numbers or 106… gateway codes; a "bank" writing from a personal mobile, a
//! virtual 170/171 number or a foreign number is a warning sign.

use crate::store::normalize_sender;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderKind {
    Unknown,
    /// 95xxx / 96xxx national service numbers.
    ServiceNumber,
    /// 106… SMS gateway codes used by companies.
    Gateway,
    /// 100xx carrier numbers and 1010xxxx company short numbers.
    CarrierOrShort,
    /// 400/800 hotlines.
    Hotline,
    /// A mainland personal mobile (11 digits, 13x–19x).
    PersonalMobile,
    /// Virtual operator ranges (170, 171, 162, 165, 167), favoured by scammers.
    VirtualMobile,
    Landline,
    /// A number with a country code other than +86.
    Foreign,
    /// A name instead of a number (`CoopMobile`, `HSBC`).
    Alphanumeric,
    /// A short code of another country (3–6 digits, not 95xxx).
    ShortCode,
    Other,
}

impl SenderKind {
    pub fn id(self) -> &'static str {
        match self {
            SenderKind::Unknown => "unknown",
            SenderKind::ServiceNumber => "service_number",
            SenderKind::Gateway => "gateway_106",
            SenderKind::CarrierOrShort => "company_short_number",
            SenderKind::Hotline => "hotline_400",
            SenderKind::PersonalMobile => "personal_mobile",
            SenderKind::VirtualMobile => "virtual_mobile",
            SenderKind::Landline => "landline",
            SenderKind::Foreign => "foreign",
            SenderKind::Alphanumeric => "alphanumeric",
            SenderKind::ShortCode => "short_code",
            SenderKind::Other => "other",
        }
    }

    /// Numbers a person, not a company, sends from.
    pub fn is_personal(self) -> bool {
        matches!(
            self,
            SenderKind::PersonalMobile | SenderKind::VirtualMobile | SenderKind::Landline
        )
    }

    /// Channels a licensed Chinese lender uses for notices.
    pub fn is_company_channel(self) -> bool {
        matches!(
            self,
            SenderKind::ServiceNumber
                | SenderKind::Gateway
                | SenderKind::CarrierOrShort
                | SenderKind::Hotline
        )
    }
}

/// Classifies a sender as written by the phone.
pub fn classify_sender(sender: &str) -> SenderKind {
    let s = sender.trim();
    if s.is_empty() {
        return SenderKind::Unknown;
    }
    if s.chars().any(|c| c.is_alphabetic()) {
        return SenderKind::Alphanumeric;
    }
    let n = normalize_sender(s);
    if let Some(intl) = n.strip_prefix('+') {
        // normalize_sender already turned +86 into a national number. Taiwan and Hong
        // Kong mobiles are people's numbers wherever they write from.
        if is_taiwan_mobile(intl.strip_prefix("886").map(|m| format!("0{m}")).as_deref())
            || is_hong_kong_mobile(intl.strip_prefix("852"))
        {
            return SenderKind::PersonalMobile;
        }
        return SenderKind::Foreign;
    }
    let len = n.len();
    if n.starts_with("106") && len >= 8 {
        return SenderKind::Gateway;
    }
    if (n.starts_with("95") || n.starts_with("96")) && (5..=8).contains(&len) {
        return SenderKind::ServiceNumber;
    }
    if (n.starts_with("100") && len == 5)
        || (n.starts_with("1010") && len == 8)
        || (n.starts_with("12") && len == 5)
    {
        return SenderKind::CarrierOrShort;
    }
    if (n.starts_with("400") || n.starts_with("800")) && len == 10 {
        return SenderKind::Hotline;
    }
    if len == 11 && n.starts_with('1') && matches!(n.as_bytes()[1], b'3'..=b'9') {
        if ["170", "171", "162", "165", "167"]
            .iter()
            .any(|p| n.starts_with(p))
        {
            return SenderKind::VirtualMobile;
        }
        return SenderKind::PersonalMobile;
    }
    if is_taiwan_mobile(Some(&n)) || is_hong_kong_mobile(Some(&n)) {
        return SenderKind::PersonalMobile;
    }
    if n.starts_with('0') && (10..=12).contains(&len) {
        return SenderKind::Landline;
    }
    if (3..=6).contains(&len) {
        return SenderKind::ShortCode;
    }
    SenderKind::Other
}

/// A Taiwan mobile as dialled at home: 09 and eight digits.
fn is_taiwan_mobile(n: Option<&str>) -> bool {
    n.is_some_and(|n| n.len() == 10 && n.starts_with("09") && n.bytes().all(|b| b.is_ascii_digit()))
}

/// A Hong Kong mobile: eight digits starting with 5, 6 or 9.
fn is_hong_kong_mobile(n: Option<&str>) -> bool {
    n.is_some_and(|n| {
        n.len() == 8
            && matches!(n.as_bytes()[0], b'5' | b'6' | b'9')
            && n.bytes().all(|b| b.is_ascii_digit())
    })
}

/// True when a (normalised) sender is, or carries, a lender's official number: the number
/// itself, or a 106… gateway code that carries a 95xxx service number. The one rule for
/// "official sender", whether asked of one lender or looked up over all of them.
pub fn is_official_number(sender_norm: &str, number: &str) -> bool {
    sender_norm == number || (number.starts_with("95") && gateway_carries(sender_norm, number))
}

/// True when a 106… gateway code ends in (or carries) the given 95xxx number:
/// `106980095508` is 广发银行's 95508 through a gateway.
pub fn gateway_carries(sender_norm: &str, service: &str) -> bool {
    sender_norm.starts_with("106") && service.len() >= 5 && sender_norm[3..].contains(service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_sender_conventions_are_recognised() {
        assert_eq!(classify_sender("95384"), SenderKind::ServiceNumber);
        assert_eq!(classify_sender("106980095508"), SenderKind::Gateway);
        assert_eq!(classify_sender("10107888"), SenderKind::CarrierOrShort);
        assert_eq!(classify_sender("10086"), SenderKind::CarrierOrShort);
        assert_eq!(
            classify_sender("+86 138 0013 8000"),
            SenderKind::PersonalMobile
        );
        assert_eq!(classify_sender("17088886666"), SenderKind::VirtualMobile);
        assert_eq!(classify_sender("021-55550100"), SenderKind::Landline);
        assert_eq!(classify_sender("4006227186"), SenderKind::Hotline);
        assert_eq!(classify_sender("+63 917 1234567"), SenderKind::Foreign);
        assert_eq!(classify_sender("CoopMobile"), SenderKind::Alphanumeric);
        assert_eq!(classify_sender("72000"), SenderKind::ShortCode);
        assert_eq!(classify_sender(""), SenderKind::Unknown);
    }

    #[test]
    fn taiwan_and_hong_kong_mobiles_are_mobiles_not_landlines() {
        for s in [
            "0912345678",
            "+886 912 345 678",
            "91234567",
            "+852 6123 4567",
            "51234567",
        ] {
            assert_eq!(classify_sender(s), SenderKind::PersonalMobile, "{s}");
        }
        assert_eq!(classify_sender("02-2345-6789"), SenderKind::Landline);
        assert_eq!(classify_sender("+852 2123 4567"), SenderKind::Foreign);
    }

    #[test]
    fn gateway_codes_are_matched_to_their_service_number() {
        assert!(gateway_carries("106980095508", "95508"));
        assert!(!gateway_carries("106980095508", "95384"));
        assert!(!gateway_carries("95508", "95508"));
    }
}
