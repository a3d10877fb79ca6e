//! How lenders and categories are named in a report, shared by the report, its renderers and
//! the command line.

use super::Lang;

/// The short name people know a lender by (ids from PRODUCT.md), else the registry's name;
/// unknown ids are shown as they are.
pub fn lender_name(id: &str, lang: Lang) -> String {
    let registry = crate::classify::registry::Registry::shipped();
    // The short names are written in Simplified characters: a Traditional reader gets the
    // registry's Traditional name where it has one.
    if lang == Lang::ZhTw
        && let Some(name) = registry.get(id).and_then(|l| l.name.get("zh-TW"))
    {
        return name.clone();
    }
    if let Some(name) = crate::classify::registry::short_name(id) {
        return name.to_string();
    }
    // Lenders without a short name here: the registry's name, or the id itself.
    registry
        .get(id)
        .map_or_else(|| id.to_string(), |l| l.display("zh-CN").to_string())
}

pub use crate::lang::category_name;

#[cfg(test)]
mod lender_name_tests {
    use super::*;

    #[test]
    fn a_traditional_reader_gets_the_traditional_lender_name_others_the_short_one() {
        assert_eq!(lender_name("webank", Lang::ZhTw), "微眾銀行");
        assert_eq!(lender_name("webank", Lang::ZhCn), "微众银行");
        assert_eq!(lender_name("nosuch", Lang::ZhTw), "nosuch");
    }
}
