//! What the person's corrections teach: a small naive Bayes model over the words of the
//! messages they marked (`dunwatch mark`), in the spirit of SpamAssassin's `sa-learn`.
//!
//! Pure: the counts come from the store (`store::learned`), which rebuilds them from the
//! corrections; this module turns a text into tokens and counts into a judgment.
//!
//! The model: for each category with enough corrected messages (and enough corrected
//! messages of the other categories to learn what it is not), one Bernoulli naive Bayes of
//! "this category" against "every other corrected message". A token's count is the number of
//! corrected messages it appears in (each message counts a token once), so its likelihood is
//! P(token appears | class) = (n + 1) / (N + 2) (Laplace's rule of succession). Only the
//! tokens present in the text, and seen in some correction, are weighed: the absent-token
//! terms of a full Bernoulli model add up over the whole vocabulary and, for short texts,
//! drown the few words the text actually has (and cost a pass over the vocabulary per
//! message). Multinomial counts were not chosen because SMS templates repeat the same phrase
//! within a message (an amount, a link, a name twice) and a repeat is no new evidence. The
//! prior is even (1:1): corrections are what the person chose to correct, not the rate at
//! which each category arrives.
//!
//! Overlapping bigrams and trigrams are far from independent, so the naive sum is
//! overconfident; the evidence is capped at the [`MAX_EVIDENCE`] most telling tokens
//! (Graham's "most interesting" tokens), and a text with fewer than [`MIN_KNOWN`] tokens the
//! model has seen gets no judgment at all.

use std::collections::{BTreeMap, HashMap};

use super::normalize::is_cjk;
use super::tuning::LearnedWeights;
use crate::model::Category;

/// A text needs at least this many tokens seen in some correction to be judged.
pub const MIN_KNOWN: usize = 3;
/// At most this many tokens (the largest log-likelihood ratios, either way) are weighed.
pub const MAX_EVIDENCE: usize = 15;
/// At most this many tokens are quoted in a [`Judged`].
pub const MAX_WORDS: usize = 5;

/// The tokens of a normalised text (`normalize(body).text`), each once, sorted.
///
/// - a run of CJK characters gives its character bigrams and trigrams (a run of one
///   character gives that character): no word segmentation, which needs a dictionary and
///   breaks on the split and invented words collectors use;
/// - a run of other letters (Latin, Cyrillic, kana, ...) of two or more gives that word;
/// - a link gives its host (`www.` dropped), not its path or query (one per victim);
/// - digits are dropped: amounts, dates, codes and numbers differ in every message and would
///   only teach the model the person's own account numbers.
pub fn tokens(normalized: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cursor = 0;
    for link in super::links::extract(normalized) {
        let Some(at) = normalized[cursor..].find(&link.text) else {
            continue;
        };
        words(&normalized[cursor..cursor + at], &mut out);
        let host = link.host.strip_prefix("www.").unwrap_or(&link.host);
        if !host.is_empty() {
            out.push(host.to_string());
        }
        cursor += at + link.text.len();
    }
    words(&normalized[cursor..], &mut out);
    out.sort_unstable();
    out.dedup();
    out
}

/// The CJK n-grams and words of a stretch of text without links.
fn words(text: &str, out: &mut Vec<String>) {
    let mut cjk: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_cjk = |cjk: &mut Vec<char>, out: &mut Vec<String>| {
        if cjk.len() == 1 {
            out.push(cjk[0].to_string());
        }
        for n in [2, 3] {
            for w in cjk.windows(n) {
                out.push(w.iter().collect());
            }
        }
        cjk.clear();
    };
    let flush_word = |word: &mut String, out: &mut Vec<String>| {
        if word.chars().nth(1).is_some() {
            out.push(std::mem::take(word));
        }
        word.clear();
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, out);
            cjk.push(c);
        } else if c.is_alphabetic() {
            flush_cjk(&mut cjk, out);
            word.extend(c.to_lowercase());
        } else {
            flush_cjk(&mut cjk, out);
            flush_word(&mut word, out);
        }
    }
    flush_cjk(&mut cjk, out);
    flush_word(&mut word, out);
}

/// The corrected messages of one category and in how many of them each token appears.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCounts {
    pub category: Category,
    pub messages: u32,
    /// Token → number of this category's corrected messages it appears in.
    pub token_counts: BTreeMap<String, u32>,
}

impl CategoryCounts {
    pub fn new(category: Category) -> CategoryCounts {
        CategoryCounts {
            category,
            messages: 0,
            token_counts: BTreeMap::new(),
        }
    }

    /// Counts one more message with these tokens (as [`tokens`] returns them: each once).
    pub fn add(&mut self, tokens: &[String]) {
        self.messages += 1;
        for t in tokens {
            *self.token_counts.entry(t.clone()).or_default() += 1;
        }
    }

    /// Tokens counted, with repeats across messages (the `tokens` column).
    pub fn token_total(&self) -> u64 {
        self.token_counts.values().map(|&n| u64::from(n)).sum()
    }
}

/// True when `category`, with `messages` corrections out of `total`, can be learned: enough
/// of its own, and enough of the others to tell it from.
pub fn is_active(messages: u32, total: u32, min_messages: u32) -> bool {
    messages >= min_messages && total.saturating_sub(messages) >= min_messages
}

/// The model's judgment on a text.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Judged {
    pub category: Category,
    /// How likely the text is of `category` rather than of the other corrected ones.
    pub probability: f64,
    /// Up to [`MAX_WORDS`] tokens of the text that spoke most for `category`, strongest first
    /// (ties by token).
    pub words: Vec<String>,
}

/// The counts of every corrected category, ready to judge texts.
#[derive(Debug, Clone)]
pub struct Model {
    /// Corrected messages per category, in [`Category::ALL`] order.
    messages: [u32; 5],
    /// Token → messages it appears in, per category in [`Category::ALL`] order. Looked up,
    /// never iterated in the arithmetic.
    counts: HashMap<String, [u32; 5]>,
    active: Vec<Category>,
    min_probability: f64,
}

fn index(c: Category) -> usize {
    Category::ALL
        .iter()
        .position(|&x| x == c)
        .expect("every category is in ALL")
}

impl Model {
    /// The model of these counts (a category given twice is added up).
    pub fn new(categories: Vec<CategoryCounts>, w: &LearnedWeights) -> Model {
        let mut messages = [0u32; 5];
        let mut counts: HashMap<String, [u32; 5]> = HashMap::new();
        for c in categories {
            let i = index(c.category);
            messages[i] += c.messages;
            for (token, n) in c.token_counts {
                counts.entry(token).or_default()[i] += n;
            }
        }
        let total: u32 = messages.iter().sum();
        let active = Category::ALL
            .into_iter()
            .filter(|&c| is_active(messages[index(c)], total, w.min_messages))
            .collect();
        Model {
            messages,
            counts,
            active,
            min_probability: w.min_probability,
        }
    }

    /// The categories learned well enough to judge, in [`Category::ALL`] order.
    pub fn active(&self) -> Vec<Category> {
        self.active.clone()
    }

    pub fn is_empty(&self) -> bool {
        self.active.is_empty()
    }

    /// Corrected messages counted for `category`.
    pub fn messages(&self, category: Category) -> u32 {
        self.messages[index(category)]
    }

    /// ln P(token appears | category) − ln P(token appears | any other corrected category).
    fn llr(&self, per: &[u32; 5], i: usize) -> f64 {
        let total: u32 = self.messages.iter().sum();
        let n_in = f64::from(per[i]);
        let n_out = f64::from(per.iter().sum::<u32>() - per[i]);
        let m_in = f64::from(self.messages[i]);
        let m_out = f64::from(total - self.messages[i]);
        ((n_in + 1.0) / (m_in + 2.0)).ln() - ((n_out + 1.0) / (m_out + 2.0)).ln()
    }

    /// The `n` tokens that speak most for `category` against the other corrections, with
    /// their log-likelihood ratios, strongest first (ties by token). Any counted category,
    /// active or not.
    pub fn top_tokens(&self, category: Category, n: usize) -> Vec<(String, f64)> {
        let i = index(category);
        let mut all: Vec<(String, f64)> = self
            .counts
            .iter()
            .filter(|(_, per)| per[i] > 0)
            .map(|(t, per)| (t.clone(), self.llr(per, i)))
            .filter(|(_, l)| *l > 0.0)
            .collect();
        all.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        all.truncate(n);
        all
    }

    /// The most probable active category for a normalised text, when it is at least
    /// `min_probability` likely; `None` when nothing is active, the text has fewer than
    /// [`MIN_KNOWN`] tokens the model has seen, or no category is likely enough.
    pub fn judge(&self, normalized: &str) -> Option<Judged> {
        if self.active.is_empty() {
            return None;
        }
        // Sorted (tokens() sorts), so every sum below runs in the same order.
        let known: Vec<(String, &[u32; 5])> = tokens(normalized)
            .into_iter()
            .filter_map(|t| self.counts.get(&t).map(|per| (t, per)))
            .collect();
        if known.len() < MIN_KNOWN {
            return None;
        }
        let mut best: Option<Judged> = None;
        for &c in &self.active {
            let i = index(c);
            let mut weighed: Vec<(&str, f64)> = known
                .iter()
                .map(|(t, per)| (t.as_str(), self.llr(per, i)))
                .collect();
            weighed.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(b.0)));
            weighed.truncate(MAX_EVIDENCE);
            let log_odds: f64 = weighed.iter().map(|(_, l)| l).sum();
            let probability = 1.0 / (1.0 + (-log_odds).exp());
            if best.as_ref().is_some_and(|b| b.probability >= probability) {
                continue;
            }
            weighed.retain(|(_, l)| *l > 0.0);
            weighed.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(b.0)));
            best = Some(Judged {
                category: c,
                probability,
                words: weighed
                    .iter()
                    .take(MAX_WORDS)
                    .map(|(t, _)| (*t).to_string())
                    .collect(),
            });
        }
        best.filter(|b| b.probability >= self.min_probability)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::normalize::normalize;

    fn weights(min: u32) -> LearnedWeights {
        LearnedWeights {
            min_messages: min,
            min_probability: 0.9,
            weight: 2.5,
        }
    }

    fn toks(body: &str) -> Vec<String> {
        tokens(&normalize(body).text)
    }

    fn counts(category: Category, bodies: &[String]) -> CategoryCounts {
        let mut c = CategoryCounts::new(category);
        for b in bodies {
            c.add(&toks(b));
        }
        c
    }

    const SCAM: [&str; 5] = [
        "您的账户存在异常，请立即点击链接解冻",
        "恭喜您获得无抵押贷款额度，请加客服微信办理",
        "您的征信有问题，需要缴纳保证金才能放款",
        "我是公安局的，您的银行卡涉嫌洗钱，请转账到安全账户",
        "退款通知：您的快递丢失，请添加客服领取理赔",
    ];
    const OTHER: [&str; 5] = [
        "晚上回家吃饭吗？妈妈做了红烧肉",
        "明天下午三点开会，请准时参加",
        "快递已放在门口的柜子里，记得去取",
        "周末一起去爬山吧，天气很好",
        "谢谢你的礼物，我很喜欢",
    ];

    /// `n` scam and `n` other texts, each a template with a varying tail.
    fn corpus(n: usize) -> (Vec<String>, Vec<String>) {
        let scam = (0..n)
            .map(|i| {
                format!(
                    "{}{}",
                    SCAM[i % SCAM.len()],
                    ["。", "！", "，速办", "，勿误"][i % 4]
                )
            })
            .collect();
        let other = (0..n)
            .map(|i| {
                format!(
                    "{}{}",
                    OTHER[i % OTHER.len()],
                    ["。", "！", "哈哈", "呀"][i % 4]
                )
            })
            .collect();
        (scam, other)
    }

    fn model(n: usize, min: u32) -> Model {
        let (scam, other) = corpus(n);
        Model::new(
            vec![
                counts(Category::Scam, &scam),
                counts(Category::Other, &other),
            ],
            &weights(min),
        )
    }

    #[test]
    fn cjk_runs_give_bigrams_and_trigrams_once_and_sorted() {
        assert_eq!(
            toks("逾期逾期"),
            ["期逾", "期逾期", "逾期", "逾期逾"]
                .map(String::from)
                .to_vec()
        );
        // A lone character between digits stays as itself.
        assert_eq!(toks("欠款500元"), ["元", "欠款"].map(String::from).to_vec());
    }

    #[test]
    fn traditional_and_full_width_text_gives_the_same_tokens() {
        assert_eq!(toks("您的帳戶已凍結"), toks("您的账户已冻结"));
        assert_eq!(toks("ＰＡＹ　ＮＯＷ"), toks("pay now"));
    }

    #[test]
    fn digits_are_dropped_and_short_words_ignored() {
        assert_eq!(
            toks("Code 123456 a OK, Pay $35.20 now"),
            ["code", "now", "ok", "pay"].map(String::from).to_vec()
        );
        assert!(toks("2026-11-18 10:15 13800138000").is_empty());
    }

    #[test]
    fn links_become_their_host() {
        let t = toks("Pay at https://www.mt-yuefu.cc/pay?id=889 today, 或登录 t.cn/AbC9");
        assert!(t.contains(&"mt-yuefu.cc".to_string()), "{t:?}");
        assert!(t.contains(&"t.cn".to_string()), "{t:?}");
        assert!(t.contains(&"today".to_string()), "{t:?}");
        assert!(t.contains(&"登录".to_string()), "{t:?}");
        for bad in ["pay?id", "id", "abc", "https", "www", "cc"] {
            assert!(!t.contains(&bad.to_string()), "{bad} in {t:?}");
        }
        assert!(
            t.contains(&"pay".to_string()),
            "the word before the link: {t:?}"
        );
    }

    #[test]
    fn other_scripts_are_lowercase_words() {
        assert_eq!(
            toks("Привет МИР ok"),
            ["ok", "мир", "привет"].map(String::from).to_vec()
        );
    }

    #[test]
    fn a_category_needs_its_minimum_and_as_many_others() {
        assert_eq!(model(20, 20).active(), [Category::Scam, Category::Other]);
        assert!(model(19, 20).active().is_empty());
        // 25 scams and 19 others: scam has no counter-examples enough, other not enough itself.
        let (scam, _) = corpus(25);
        let (_, other) = corpus(19);
        let m = Model::new(
            vec![
                counts(Category::Scam, &scam),
                counts(Category::Other, &other),
            ],
            &weights(20),
        );
        assert!(m.active().is_empty());
        assert!(!is_active(25, 44, 20));
        assert!(is_active(20, 40, 20));
        // The others may be of several categories together.
        assert!(is_active(20, 40, 20) && !is_active(10, 40, 20));
    }

    #[test]
    fn judges_a_new_text_by_the_words_it_shares_with_corrections() {
        let m = model(30, 20);
        let j = m
            .judge(&normalize("您的账户存在异常，请添加客服解冻").text)
            .unwrap();
        assert_eq!(j.category, Category::Scam);
        assert!(j.probability >= 0.9, "{j:?}");
        assert!(!j.words.is_empty() && j.words.len() <= MAX_WORDS, "{j:?}");
        for w in &j.words {
            assert!(
                "您的账户存在异常，请添加客服解冻".contains(w.as_str()),
                "{w}"
            );
        }
        let j = m
            .judge(&normalize("明天晚上回家吃饭，妈妈等你").text)
            .unwrap();
        assert_eq!(j.category, Category::Other);
    }

    #[test]
    fn nothing_active_or_too_few_known_tokens_is_no_judgment() {
        assert_eq!(model(19, 20).judge(&normalize(SCAM[0]).text), None);
        let m = model(30, 20);
        // One token the model has seen.
        assert_eq!(m.judge(&normalize("账户").text), None);
        assert_eq!(
            m.judge(&normalize("Totally unrelated English words here").text),
            None
        );
        assert_eq!(m.judge(""), None);
    }

    #[test]
    fn the_other_side_s_words_weigh_against() {
        let mut m = model(30, 20);
        m.min_probability = 0.5;
        let p = |t: &str| m.judge(&normalize(t).text).unwrap();
        let pure = p("请添加客服");
        let mixed = p("请添加客服，记得去取");
        assert_eq!(
            (pure.category, mixed.category),
            (Category::Scam, Category::Scam)
        );
        assert!(mixed.probability < pure.probability, "{mixed:?} {pure:?}");
        assert_eq!(p("记得去取").category, Category::Other);
        // Below min_probability, no judgment.
        m.min_probability = 0.999;
        assert_eq!(m.judge(&normalize("请添加客服，记得去取").text), None);
    }

    #[test]
    fn same_counts_give_the_same_judgment_bit_for_bit() {
        let text = normalize("您的银行卡涉嫌洗钱，请添加客服转账到安全账户").text;
        let a = model(30, 20).judge(&text).unwrap();
        for _ in 0..5 {
            // New HashMaps, new iteration orders.
            let b = model(30, 20).judge(&text).unwrap();
            assert_eq!(a.probability.to_bits(), b.probability.to_bits());
            assert_eq!(a.words, b.words);
        }
        // Given in another order, the same model.
        let (scam, other) = corpus(30);
        let m = Model::new(
            vec![
                counts(Category::Other, &other),
                counts(Category::Scam, &scam),
            ],
            &weights(20),
        );
        let b = m.judge(&text).unwrap();
        assert_eq!(a.probability.to_bits(), b.probability.to_bits());
        assert_eq!(a.words, b.words);
    }

    #[test]
    fn words_are_strongest_first_ties_by_token() {
        let m = model(30, 20);
        let j = m.judge(&normalize("请立即点击链接解冻账户").text).unwrap();
        let all = m.top_tokens(Category::Scam, usize::MAX);
        let llr = |t: &String| all.iter().find(|(x, _)| x == t).map(|(_, l)| *l).unwrap();
        let mut sorted = j.words.clone();
        sorted.sort_by(|a, b| llr(b).total_cmp(&llr(a)).then_with(|| a.cmp(b)));
        assert_eq!(j.words, sorted);
    }

    #[test]
    fn top_tokens_are_the_category_s_own() {
        let m = model(30, 20);
        let top = m.top_tokens(Category::Scam, 5);
        assert_eq!(top.len(), 5);
        for (t, l) in &top {
            assert!(*l > 0.0);
            assert!(
                SCAM.iter().any(|s| normalize(s).text.contains(t.as_str())),
                "{t}"
            );
        }
        assert!(top.windows(2).all(|w| w[0].1 >= w[1].1));
        assert_eq!(m.messages(Category::Scam), 30);
        assert_eq!(m.messages(Category::Harassment), 0);
    }

    #[test]
    fn counts_add_up_each_message_once() {
        let mut c = CategoryCounts::new(Category::Scam);
        c.add(&toks("加微信，加微信，加微信"));
        c.add(&toks("加微信"));
        assert_eq!(c.messages, 2);
        assert_eq!(c.token_counts["微信"], 2);
        assert_eq!(c.token_total(), 6);
    }
}
