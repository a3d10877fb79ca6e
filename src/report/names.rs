//! How lenders and categories are named in a report, shared by the report, its renderers and
//! the command line.

use super::Lang;

/// The short name people know a lender by (ids from PRODUCT.md), else the registry's name;
/// unknown ids are shown as they are.
pub fn lender_name(id: &str, _lang: Lang) -> String {
    if let Some(name) = crate::classify::registry::short_name(id) {
        return name.to_string();
    }
    // Lenders without a short name here: the registry's name, or the id itself.
    crate::classify::registry::Registry::shipped()
        .get(id)
        .map_or_else(|| id.to_string(), |l| l.display("zh-CN").to_string())
}

pub use crate::lang::category_name;
