//! How lenders and categories are named in a report, shared by the report, its renderers and
//! the command line.

use super::Lang;
use crate::model::Category;

/// The short name people know a lender by (ids from PRODUCT.md), else the registry's name;
/// unknown ids are shown as they are.
pub fn lender_name(id: &str, _lang: Lang) -> String {
    let name = match id {
        "webank" => "微众银行",
        "meituan" => "美团",
        "alipay" => "支付宝",
        "jd" => "京东金融",
        "duxiaoman" => "度小满",
        "xiaomi" => "小米金融",
        "zhaolian" => "招联金融",
        "mashang" => "马上消费金融",
        "qifu" => "奇富科技",
        "fenqile" => "分期乐",
        "pingan" => "平安普惠",
        "huanbei" => "还呗",
        "paipaidai" => "拍拍贷",
        "boccfc" => "中银消费金融",
        "icbc" => "工商银行",
        "ccb" => "建设银行",
        "boc" => "中国银行",
        "abc" => "农业银行",
        "bocom" => "交通银行",
        "cmb" => "招商银行",
        "ceb" => "光大银行",
        "cib" => "兴业银行",
        "citic" => "中信银行",
        "cmbc" => "民生银行",
        "spdb" => "浦发银行",
        "gdb" => "广发银行",
        "hxb" => "华夏银行",
        "psbc" => "邮储银行",
        "pab" => "平安银行",
        // Lenders without a short name here: the registry's name, or the id itself.
        other => {
            return crate::classify::registry::Registry::shipped()
                .get(other)
                .map_or_else(|| other.to_string(), |l| l.display("zh-CN").to_string());
        }
    };
    name.to_string()
}

/// The category's name in the report's language.
pub fn category_name(c: Category, lang: Lang) -> &'static str {
    match (lang, c) {
        (Lang::Zh, Category::Scam) => "诈骗",
        (Lang::Zh, Category::Overdue) => "逾期通知",
        (Lang::Zh, Category::Harassment) => "违规催收",
        (Lang::Zh, Category::Reminder) => "还款提醒",
        (Lang::Zh, Category::Other) => "其他",
        (Lang::En, Category::Scam) => "scam",
        (Lang::En, Category::Overdue) => "overdue notice",
        (Lang::En, Category::Harassment) => "harassment",
        (Lang::En, Category::Reminder) => "reminder",
        (Lang::En, Category::Other) => "other",
    }
}
