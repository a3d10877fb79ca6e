//! The report as one JSON document (the same data the other formats show).

use anyhow::Result;

use super::Report;

pub fn render(report: &Report) -> Result<String> {
    let mut s = serde_json::to_string_pretty(report)?;
    s.push('\n');
    Ok(s)
}
