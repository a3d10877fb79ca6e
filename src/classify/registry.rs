//! The lender registry: who the lenders are, how their genuine messages look (signature,
//! sender, link hosts) and how to reach them officially. Every fact carries its source and
//! confidence (H/M/L); what is unknown is left out, never guessed. Advice only quotes
//! hotlines of confidence H or M.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::links::host_matches;
use super::sender::is_official_number;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LenderDef {
    pub id: String,
    /// What it is: `lender` for the `[[lender]]` entries; for an `[[institution]]` one of
    /// bank, platform, utility, carrier, post, toll, traffic, tax, insurance, court, police,
    /// regulator, government.
    #[serde(default = "lender_kind")]
    pub kind: String,
    /// Display name per language.
    pub name: BTreeMap<String, String>,
    /// Names, products and legal entities that identify the lender in a message.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The 【signature】 texts of its genuine messages.
    #[serde(default)]
    pub signatures: Vec<String>,
    /// Numbers its genuine messages come from (95xxx, 1010xxxx…); 106 gateways carrying a
    /// listed 95xxx also count.
    #[serde(default)]
    pub senders: Vec<Fact>,
    #[serde(default)]
    pub hotlines: Vec<Fact>,
    /// Link hosts of the lender (subdomains included).
    #[serde(default)]
    pub hosts: Vec<Fact>,
    /// Lowercase tokens that, inside a host that is not official, make a look-alike.
    #[serde(default)]
    pub brand_tokens: Vec<String>,
    /// The official place to check and repay, per language ("the 美团 app").
    #[serde(default)]
    pub channel: BTreeMap<String, String>,
    #[serde(default)]
    pub notes: Vec<String>,
}

fn lender_kind() -> String {
    "lender".into()
}

/// One sourced fact.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fact {
    pub value: String,
    /// H (high), M (medium) or L (low).
    pub confidence: String,
    pub source: String,
}

impl Fact {
    pub fn trusted(&self) -> bool {
        matches!(self.confidence.as_str(), "H" | "M")
    }
}

/// The short name people know a lender by, for the lender ids fixed in PRODUCT.md (alerts and
/// reports); `None` for other ids.
pub fn short_name(id: &str) -> Option<&'static str> {
    Some(match id {
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
        _ => return None,
    })
}

/// No lender is known by the name a person gave: the ids of those whose names come close.
/// `Display` says it in English for logs; the command line and the page say it in the
/// person's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownLender {
    pub what: String,
    pub close: Vec<String>,
}

impl std::fmt::Display for UnknownLender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no lender {:?} in the registry", self.what)?;
        if !self.close.is_empty() {
            write!(f, "; close: {}", self.close.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for UnknownLender {}

#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub lenders: Vec<LenderDef>,
    /// What a message may claim to be besides a lender (`[[institution]]`).
    pub institutions: Vec<LenderDef>,
}

impl Registry {
    /// The lenders shipped in `rules/lenders.toml` (what reports quote when they name an
    /// official channel). The embedded file is checked by the rule tests, so parsing it
    /// cannot fail in a released binary.
    pub fn shipped() -> &'static Registry {
        static SHIPPED: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
        SHIPPED.get_or_init(|| {
            let mut registry = Registry::default();
            for (name, text) in super::rules::SHIPPED {
                if let Ok(pack) = super::rules::parse_pack(name, text) {
                    registry.merge(pack.lenders);
                }
            }
            registry
        })
    }

    pub fn get(&self, id: &str) -> Option<&LenderDef> {
        self.lenders.iter().find(|l| l.id == id)
    }

    /// Each of `ids` with its lender's name in `lang` (the id again for one not known), as
    /// the lenders close to an [`UnknownLender`] are offered.
    pub fn named<'a>(
        &'a self,
        ids: &'a [String],
        lang: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        ids.iter().map(move |id| {
            let name = self.get(id).map_or(id.as_str(), |l| l.display(lang));
            (id.as_str(), name)
        })
    }

    /// The lender a person means by `what`: an id, or one of its names, products or
    /// signatures; else which lenders come close, for whoever says so in the person's words.
    pub fn find_lender(&self, what: &str) -> Result<&LenderDef, UnknownLender> {
        let lenders = &self.lenders;
        let wanted = super::normalize::normalize(what.trim()).text;
        let named = |l: &LenderDef| {
            l.id.eq_ignore_ascii_case(what.trim())
                || l.name
                    .values()
                    .chain(&l.aliases)
                    .chain(&l.signatures)
                    .any(|n| super::normalize::normalize(n).text == wanted)
        };
        if let Some(l) = lenders.iter().find(|l| named(l)) {
            return Ok(l);
        }
        let close: Vec<String> = lenders
            .iter()
            .filter(|l| {
                !wanted.is_empty()
                    && (l.id.contains(&wanted)
                        || l.name.values().chain(&l.aliases).any(|n| {
                            let n = super::normalize::normalize(n).text;
                            n.contains(&wanted) || wanted.contains(&n)
                        }))
            })
            .map(|l| l.id.clone())
            .collect();
        Err(UnknownLender {
            what: what.to_string(),
            close,
        })
    }

    /// Adds or replaces (by id) lenders.
    pub fn merge(&mut self, defs: Vec<LenderDef>) {
        merge_into(&mut self.lenders, defs);
    }

    /// Adds or replaces (by id) institutions.
    pub fn merge_institutions(&mut self, defs: Vec<LenderDef>) {
        merge_into(&mut self.institutions, defs);
    }
}

fn merge_into(list: &mut Vec<LenderDef>, defs: Vec<LenderDef>) {
    for d in defs {
        match list.iter_mut().find(|l| l.id == d.id) {
            Some(old) => *old = d,
            None => list.push(d),
        }
    }
}

impl LenderDef {
    pub fn display(&self, lang: &str) -> &str {
        self.name
            .get(lang)
            .or_else(|| self.name.get("zh-CN"))
            .or_else(|| self.name.values().next())
            .map_or(self.id.as_str(), String::as_str)
    }

    pub fn channel_for(&self, lang: &str) -> Option<&str> {
        self.channel
            .get(lang)
            .or_else(|| {
                if lang == "zh-TW" {
                    self.channel.get("zh-CN")
                } else {
                    None
                }
            })
            .or_else(|| self.channel.get("en"))
            .map(String::as_str)
    }

    /// Hotlines that advice may quote.
    pub fn trusted_hotlines(&self) -> impl Iterator<Item = &str> {
        self.hotlines
            .iter()
            .filter(|h| h.trusted())
            .map(|h| h.value.as_str())
    }

    /// Whether a (normalised) sender is one of this lender's official senders.
    pub fn is_official_sender(&self, sender_norm: &str) -> bool {
        self.senders
            .iter()
            .chain(self.hotlines.iter())
            .any(|s| is_official_number(sender_norm, &s.value))
    }

    pub fn is_official_host(&self, host: &str) -> bool {
        self.hosts.iter().any(|h| host_matches(host, &h.value))
            || (self.is_government() && is_government_host(host))
    }

    /// Tax, courts, police, regulators and other public bodies: their links are on
    /// government domains.
    pub fn is_government(&self) -> bool {
        matches!(
            self.kind.as_str(),
            "traffic" | "tax" | "insurance" | "court" | "police" | "regulator" | "government"
        )
    }

    /// Whether the registry knows any official number or host of it (else nothing can be
    /// checked against it).
    pub fn knows_channels(&self) -> bool {
        !self.senders.is_empty() || !self.hotlines.is_empty() || !self.hosts.is_empty()
    }

    /// Whether the registry knows any of the party's phone numbers or sender ids: only then
    /// can a number in a message be told to be someone else's.
    pub fn knows_numbers(&self) -> bool {
        !self.hotlines.is_empty() || !self.senders.is_empty()
    }

    /// Whether the registry knows any of the lender's sites: only then can a link be told
    /// to be someone else's (without them its own site would read as a forgery).
    pub fn knows_hosts(&self) -> bool {
        !self.hosts.is_empty()
    }

    /// A host that borrows the lender's brand without being one of its hosts.
    pub fn is_lookalike_host(&self, host: &str) -> bool {
        self.knows_hosts()
            && !self.is_official_host(host)
            && self.brand_tokens.iter().any(|t| host.contains(t.as_str()))
    }
}

/// Hosts under a government's own domain (`gov.cn`, `gov.uk`, `.gov`, `gov.hk`, `gov.tw`,
/// `gov.sg`, `gov.au`, `gov.in`).
pub fn is_government_host(host: &str) -> bool {
    const SUFFIXES: &[&str] = &[
        "gov.cn", "gov", "gov.uk", "gov.hk", "gov.tw", "gov.sg", "gov.au", "gov.in", "gov.mo",
    ];
    SUFFIXES.iter().any(|s| host_matches(host, s))
}
