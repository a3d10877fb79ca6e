//! How lenders and categories are named in a report, shared by the report, its renderers and
//! the command line.

use super::Lang;
use crate::model::Category;

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

/// The category's name in the report's language.
pub fn category_name(c: Category, lang: Lang) -> &'static str {
    match (lang, c) {
        (Lang::ZhCn | Lang::ZhTw, Category::Scam) => "诈骗",
        (Lang::ZhCn | Lang::ZhTw, Category::Overdue) => "逾期通知",
        (Lang::ZhCn | Lang::ZhTw, Category::Harassment) => "违规催收",
        (Lang::ZhCn | Lang::ZhTw, Category::Reminder) => "还款提醒",
        (Lang::ZhCn | Lang::ZhTw, Category::Other) => "其他",
        (Lang::En, Category::Scam) => "scam",
        (Lang::En, Category::Overdue) => "overdue notice",
        (Lang::En, Category::Harassment) => "harassment",
        (Lang::En, Category::Reminder) => "reminder",
        (Lang::En, Category::Other) => "other",
    }
}
