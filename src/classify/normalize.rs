//! Text normalisation before matching: the same words must match however they are written.
//!
//! - full-width ASCII (`ＡＢＣ１２３`, `：`) becomes half-width, ASCII letters lowercase;
//! - Traditional characters of the words that matter become Simplified, so one rule serves
//!   zh-CN, zh-TW and zh-HK;
//! - a space or symbol inserted between two CJK characters (`催 收`, `法*院`) is removed —
//!   collectors do this to slip past carrier filters, so the removal itself is evidence.

use std::sync::LazyLock;

/// The normalised text and what normalisation noticed.
#[derive(Debug, Clone, Default)]
pub struct Normalized {
    pub text: String,
    /// Spaces or symbols removed from between CJK characters.
    pub split_removed: usize,
    /// The first place a word was split, as written (e.g. `催 收`).
    pub split_example: Option<String>,
    /// True when Traditional-only characters outnumber Simplified-only ones.
    pub traditional: bool,
    pub has_cjk: bool,
}

pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF | 0xF900..=0xFAFF)
}

/// Characters inserted between CJK characters to break words. Ordinary punctuation that
/// joins words in normal writing (`、`, `/`, `-`, `…`) is not on the list: "上学、考公" and
/// "云闪付-借钱" are how people write.
fn is_filler(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{3000}' | '\u{a0}' | '*' | '·' | '_' | '~' | '|' | '#' | '^' | '丶'
    )
}

pub fn normalize(input: &str) -> Normalized {
    let mut chars: Vec<char> = Vec::with_capacity(input.len());
    let (mut trad, mut simp, mut has_cjk) = (0usize, 0usize, false);
    for c in input.chars() {
        let c = match c as u32 {
            0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            0x3000 => ' ',
            _ => c,
        };
        let c = if c.is_ascii_uppercase() {
            c.to_ascii_lowercase()
        } else {
            c
        };
        if is_cjk(c) {
            has_cjk = true;
            if let Some(s) = to_simplified(c) {
                trad += 1;
                chars.push(s);
                continue;
            }
            if simplified_only().binary_search(&c).is_ok() {
                simp += 1;
            }
        }
        chars.push(c);
    }
    let mut out = String::with_capacity(input.len());
    let mut split_removed = 0;
    let mut split_example = None;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_filler(c) && i > 0 && is_cjk(chars[i - 1]) {
            // One or two filler characters between two CJK characters.
            let mut j = i;
            while j < chars.len() && j - i < 2 && is_filler(chars[j]) {
                j += 1;
            }
            if j < chars.len() && is_cjk(chars[j]) {
                split_removed += 1;
                if split_example.is_none() {
                    split_example = Some(chars[i - 1..=j].iter().collect());
                }
                i = j;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    Normalized {
        text: out,
        split_removed,
        split_example,
        traditional: trad > simp,
        has_cjk,
    }
}

/// Traditional → Simplified for the characters of debt, scam and collection vocabulary.
const TRAD_SIMP: &[(char, char)] = &[
    ('還', '还'),
    ('銀', '银'),
    ('貸', '贷'),
    ('帳', '账'),
    ('賬', '账'),
    ('戶', '户'),
    ('詐', '诈'),
    ('騙', '骗'),
    ('證', '证'),
    ('凍', '冻'),
    ('結', '结'),
    ('撥', '拨'),
    ('電', '电'),
    ('話', '话'),
    ('訊', '讯'),
    ('點', '点'),
    ('擊', '击'),
    ('網', '网'),
    ('連', '连'),
    ('處', '处'),
    ('錢', '钱'),
    ('額', '额'),
    ('銷', '销'),
    ('註', '注'),
    ('學', '学'),
    ('務', '务'),
    ('債', '债'),
    ('檢', '检'),
    ('執', '执'),
    ('託', '托'),
    ('轉', '转'),
    ('匯', '汇'),
    ('驗', '验'),
    ('碼', '码'),
    ('員', '员'),
    ('訴', '诉'),
    ('傳', '传'),
    ('開', '开'),
    ('關', '关'),
    ('係', '系'),
    ('聯', '联'),
    ('絡', '络'),
    ('親', '亲'),
    ('屬', '属'),
    ('單', '单'),
    ('領', '领'),
    ('導', '导'),
    ('門', '门'),
    ('報', '报'),
    ('護', '护'),
    ('險', '险'),
    ('費', '费'),
    ('繳', '缴'),
    ('罰', '罚'),
    ('滯', '滞'),
    ('納', '纳'),
    ('給', '给'),
    ('將', '将'),
    ('會', '会'),
    ('議', '议'),
    ('遠', '远'),
    ('協', '协'),
    ('載', '载'),
    ('軟', '软'),
    ('體', '体'),
    ('間', '间'),
    ('無', '无'),
    ('過', '过'),
    ('內', '内'),
    ('時', '时'),
    ('請', '请'),
    ('您', '您'),
    ('個', '个'),
    ('資', '资'),
    ('產', '产'),
    ('權', '权'),
    ('級', '级'),
    ('設', '设'),
    ('號', '号'),
    ('碼', '码'),
    ('訂', '订'),
    ('購', '购'),
    ('買', '买'),
    ('賣', '卖'),
    ('貨', '货'),
    ('運', '运'),
    ('費', '费'),
    ('稅', '税'),
    ('簽', '签'),
    ('約', '约'),
    ('續', '续'),
    ('們', '们'),
    ('這', '这'),
    ('為', '为'),
    ('與', '与'),
    ('應', '应'),
    ('當', '当'),
    ('後', '后'),
    ('發', '发'),
    ('現', '现'),
    ('機', '机'),
    ('構', '构'),
    ('團', '团'),
    ('東', '东'),
    ('億', '亿'),
    ('萬', '万'),
    ('幣', '币'),
    ('損', '损'),
    ('險', '险'),
    ('審', '审'),
    ('核', '核'),
    ('銀', '银'),
    ('庫', '库'),
    ('鎖', '锁'),
    ('啟', '启'),
    ('動', '动'),
    ('記', '记'),
    ('錄', '录'),
    ('紀', '纪'),
    ('該', '该'),
    ('負', '负'),
    ('責', '责'),
    ('決', '决'),
    ('書', '书'),
    ('師', '师'),
    ('警', '警'),
    ('緝', '缉'),
    ('捕', '捕'),
    ('獄', '狱'),
    ('罪', '罪'),
    ('輸', '输'),
    ('入', '入'),
    ('碼', '码'),
    ('鏈', '链'),
    ('複', '复'),
    ('製', '制'),
    ('專', '专'),
    ('屬', '属'),
    ('積', '积'),
    ('獎', '奖'),
    ('勵', '励'),
    ('禮', '礼'),
    ('兌', '兑'),
    ('換', '换'),
    ('補', '补'),
    ('貼', '贴'),
    ('貼', '贴'),
    ('學', '学'),
    ('園', '园'),
    ('際', '际'),
    ('區', '区'),
    ('縣', '县'),
    ('歲', '岁'),
    ('兒', '儿'),
    ('孫', '孙'),
    ('婦', '妇'),
    ('媽', '妈'),
    ('爺', '爷'),
    ('親', '亲'),
    ('戚', '戚'),
    ('鄰', '邻'),
    ('居', '居'),
    ('曝', '曝'),
    ('黑', '黑'),
    ('賴', '赖'),
    ('強', '强'),
    ('劃', '划'),
    ('扣', '扣'),
    ('測', '测'),
    ('試', '试'),
    ('據', '据'),
    ('憑', '凭'),
    ('認', '认'),
    ('識', '识'),
    ('視', '视'),
    ('頻', '频'),
    ('螢', '萤'),
    ('幕', '幕'),
    ('屏', '屏'),
    ('頁', '页'),
    ('線', '线'),
    ('聲', '声'),
    ('貴', '贵'),
    ('費', '费'),
    ('計', '计'),
    ('優', '优'),
    ('惠', '惠'),
    ('歸', '归'),
    ('戶', '户'),
    ('龍', '龙'),
    ('華', '华'),
    ('國', '国'),
    ('農', '农'),
    ('營', '营'),
    ('業', '业'),
    ('務', '务'),
    ('處', '处'),
    ('長', '长'),
    ('門', '门'),
    ('問', '问'),
    ('題', '题'),
    ('異', '异'),
    ('常', '常'),
    ('鐘', '钟'),
    ('鍾', '钟'),
    ('點', '点'),
    ('晚', '晚'),
    ('夜', '夜'),
    ('衛', '卫'),
    ('紅', '红'),
    ('錯', '错'),
    ('誤', '误'),
    ('讓', '让'),
    ('說', '说'),
    ('認', '认'),
    ('談', '谈'),
    ('協', '协'),
    ('調', '调'),
    ('解', '解'),
    ('仲', '仲'),
    ('裁', '裁'),
    ('委', '委'),
    ('託', '托'),
    ('級', '级'),
];

/// Characters that exist only in Simplified writing (a sample large enough to vote).
const SIMPLIFIED_ONLY: &str = "还银贷账户诈骗证冻结拨电话讯点击网连处钱额销学务债检执转汇验码员诉传开关联络亲属单领导门报护险费缴罚滞纳给将会议远协载软体间无过时请个资产权级设号订购买卖货运税签约续们这为与应当后发现机构团东亿万币损审库锁启动记录该负责决书师辑奖励礼兑换补贴园际区县岁儿孙妇妈爷邻赖强划测试据凭认识视频页线声贵计优归龙华国农营业长问题异钟卫红错误让说谈调";

/// The Simplified form of a Traditional character of the vocabulary that matters.
pub fn to_simplified(c: char) -> Option<char> {
    // Sorted once: normalisation looks up every CJK character of every message, and the
    // linear scans of these tables were a tenth of an import.
    static TABLE: LazyLock<Vec<(char, char)>> = LazyLock::new(|| {
        let mut t: Vec<(char, char)> = TRAD_SIMP.iter().copied().filter(|(t, s)| t != s).collect();
        t.sort_unstable();
        t.dedup_by_key(|(t, _)| *t);
        t
    });
    TABLE
        .binary_search_by_key(&c, |(t, _)| *t)
        .ok()
        .map(|i| TABLE[i].1)
}

fn simplified_only() -> &'static [char] {
    static SORTED: LazyLock<Vec<char>> = LazyLock::new(|| {
        let mut v: Vec<char> = SIMPLIFIED_ONLY.chars().collect();
        v.sort_unstable();
        v.dedup();
        v
    });
    &SORTED
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_width_becomes_half_width_and_lowercase() {
        assert_eq!(normalize("ＱＱ：１２３４５ ＡＰＰ").text, "qq:12345 app");
    }

    #[test]
    fn words_split_with_spaces_or_symbols_are_joined_and_reported() {
        let n = normalize("长期拖欠微 众银行欠款，催*收 已 立 案");
        assert_eq!(
            normalize("影响子女上学、考公，云闪付-借钱").split_removed,
            0
        );
        assert_eq!(n.text, "长期拖欠微众银行欠款,催收已立案");
        assert_eq!(n.split_removed, 5);
        assert_eq!(n.split_example.as_deref(), Some("微 众"));
    }

    #[test]
    fn ordinary_spacing_between_words_and_latin_is_kept() {
        let n = normalize("Your code is 1234. 验证码 5678");
        assert_eq!(n.split_removed, 0);
        assert_eq!(n.text, "your code is 1234. 验证码 5678");
    }

    #[test]
    fn traditional_vocabulary_maps_to_simplified() {
        let n = normalize("您的貸款已逾期，請聯絡專員處理帳戶");
        assert_eq!(n.text, "您的贷款已逾期,请联络专员处理账户");
        assert!(n.traditional);
        assert!(!normalize("您的贷款已逾期，请联系").traditional);
    }

    #[test]
    fn every_cjk_character_survives_normalisation() {
        let s = "【微众银行】您的微粒贷已逾期3天 😀 請還款";
        let n = normalize(s);
        assert_eq!(
            n.text.chars().filter(|c| is_cjk(*c)).count(),
            s.chars().filter(|c| is_cjk(*c)).count()
        );
    }
}
