//! The engine's own weights and thresholds, read from the `[engine]` tables of the packs
//! (`rules/engine.toml`, overridable key by key from the user's rules folder).

use serde::Deserialize;

use super::rules::RuleError;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tuning {
    pub thresholds: Thresholds,
    pub sender: SenderWeights,
    pub link: LinkWeights,
    pub text: TextWeights,
    pub time: TimeWeights,
    pub history: HistoryWeights,
    pub learned: LearnedWeights,
}

/// What the person's history adds (see `rules/engine.toml`, `[engine.history]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryWeights {
    pub campaign_senders: usize,
    pub campaign_days: u32,
    pub campaign: f64,
    pub max_collection_per_day: u32,
    pub frequent_collection: f64,
    pub scam_sender: f64,
    pub no_account: f64,
}

/// The signal learned from the person's corrections (`[engine.learned]`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearnedWeights {
    pub min_messages: u32,
    pub min_probability: f64,
    pub weight: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Thresholds {
    pub scam: f64,
    pub harassment: f64,
    pub notice: f64,
    pub scam_over_decisive_harassment: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SenderWeights {
    pub official_scam: f64,
    pub official_notice: f64,
    pub not_lender: f64,
    pub not_lender_virtual: f64,
    pub virtual_about_debt: f64,
    pub not_institution: f64,
    /// A risky request (a rule marked `risky`) in a message that names a lender or
    /// institution or speaks of debt, whoever sent it.
    pub risky_request: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkWeights {
    /// A link to an app package (`.apk`).
    pub app_package: f64,
    pub official: f64,
    pub lookalike: f64,
    pub raw_ip: f64,
    pub shortener: f64,
    pub unofficial: f64,
    pub unknown_host: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TextWeights {
    pub split_words: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeWeights {
    pub night: f64,
    /// Night runs from this hour (inclusive) ...
    pub night_from: i8,
    /// ... to this one (exclusive), across midnight.
    pub night_until: i8,
}

impl TimeWeights {
    pub fn is_night(&self, hour: i8) -> bool {
        if self.night_from <= self.night_until {
            (self.night_from..self.night_until).contains(&hour)
        } else {
            hour >= self.night_from || hour < self.night_until
        }
    }
}

/// Merges `[engine]` tables key by key, later ones winning, into the engine's tuning.
/// `tables` are (file name, table) in load order; an error names the last file that set
/// the offending key.
pub fn merge(tables: &[(String, toml::Table)]) -> Result<Tuning, RuleError> {
    // The shipped values first, so that a set of packs without rules/engine.toml (a test,
    // a user's experiment) still has every key.
    let mut merged = shipped_table();
    for (_, t) in tables {
        deep_merge(&mut merged, t);
    }
    let file = tables
        .last()
        .map_or_else(|| "rules/engine.toml".to_string(), |(f, _)| f.clone());
    let tuning: Tuning = toml::Value::Table(merged)
        .try_into()
        .map_err(|e: toml::de::Error| RuleError {
            file: file.clone(),
            line: 0,
            message: format!("[engine]: {}", e.message()),
        })?;
    let all = [
        tuning.thresholds.scam,
        tuning.thresholds.harassment,
        tuning.thresholds.notice,
        tuning.thresholds.scam_over_decisive_harassment,
        tuning.sender.official_scam,
        tuning.sender.official_notice,
        tuning.sender.not_lender,
        tuning.sender.not_lender_virtual,
        tuning.sender.virtual_about_debt,
        tuning.sender.not_institution,
        tuning.sender.risky_request,
        tuning.link.app_package,
        tuning.link.official,
        tuning.link.lookalike,
        tuning.link.raw_ip,
        tuning.link.shortener,
        tuning.link.unofficial,
        tuning.link.unknown_host,
        tuning.text.split_words,
        tuning.time.night,
        tuning.history.campaign,
        tuning.history.frequent_collection,
        tuning.history.scam_sender,
        tuning.history.no_account,
        tuning.learned.weight,
    ];
    if let Some(w) = all
        .iter()
        .find(|w| !w.is_finite() || w.abs() > super::rules::MAX_WEIGHT)
    {
        return Err(RuleError {
            file,
            line: 0,
            message: format!(
                "[engine]: {w} is not a weight between -{0} and {0}",
                super::rules::MAX_WEIGHT
            ),
        });
    }
    let t = &tuning.time;
    if !(0..24).contains(&t.night_from) || !(0..24).contains(&t.night_until) {
        return Err(RuleError {
            file,
            line: 0,
            message: "[engine.time]: night_from and night_until are hours, 0 to 23".into(),
        });
    }
    if !(0.5..1.0).contains(&tuning.learned.min_probability) {
        return Err(RuleError {
            file,
            line: 0,
            message: "[engine.learned]: min_probability is between 0.5 and 1 (exclusive)".into(),
        });
    }
    if tuning.history.campaign_senders < 2 {
        return Err(RuleError {
            file,
            line: 0,
            message: "[engine.history]: campaign_senders is at least 2".into(),
        });
    }
    Ok(tuning)
}

fn shipped_table() -> toml::Table {
    let text = include_str!("../../rules/engine.toml");
    super::rules::parse_pack("rules/engine.toml", text)
        .ok()
        .and_then(|p| p.engine)
        .unwrap_or_default()
}

fn deep_merge(into: &mut toml::Table, from: &toml::Table) {
    for (k, v) in from {
        match (into.get_mut(k), v) {
            (Some(toml::Value::Table(a)), toml::Value::Table(b)) => deep_merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shipped() -> toml::Table {
        let text = include_str!("../../rules/engine.toml");
        super::super::rules::parse_pack("rules/engine.toml", text)
            .unwrap()
            .engine
            .unwrap()
    }

    #[test]
    fn a_user_table_overrides_only_the_keys_it_names() {
        let user: toml::Table = toml::from_str("[time]\nnight_from = 21\n").unwrap();
        let t = merge(&[("a".into(), shipped()), ("u.toml".into(), user)]).unwrap();
        assert_eq!(t.time.night_from, 21);
        assert_eq!(t.time.night_until, 8);
        assert_eq!(t.thresholds.scam, 3.5);
        assert!(t.time.is_night(21) && t.time.is_night(7) && !t.time.is_night(8));
    }

    #[test]
    fn an_unknown_key_or_a_wild_weight_is_an_error_naming_the_file() {
        let user: toml::Table = toml::from_str("[time]\nnigth = 1.0\n").unwrap();
        let e = merge(&[("a".into(), shipped()), ("u.toml".into(), user)]).unwrap_err();
        assert!(e.to_string().starts_with("u.toml"), "{e}");
        let user: toml::Table = toml::from_str("[link]\nraw_ip = 1e9\n").unwrap();
        assert!(merge(&[("a".into(), shipped()), ("u.toml".into(), user)]).is_err());
        let user: toml::Table = toml::from_str("[time]\nnight_from = 25\n").unwrap();
        assert!(merge(&[("a".into(), shipped()), ("u.toml".into(), user)]).is_err());
    }
}
