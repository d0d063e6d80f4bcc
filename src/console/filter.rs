//! The feed filter: free text plus `sev>=high` (also `>`, `<`, `<=`, `=`,
//! `:`), `status:new,ack`, `cat:fuel`, `centre:BEN`, `agency:LCG-W`,
//! `sector:ras_ajdir` (sector or crossing; `_` for a space) and `overdue`. Values are the labels the officer sees (or the wire
//! spellings), any unambiguous beginning of one. Parsed once, matched per row.

use uuid::Uuid;

use super::facts::Facts;
use super::fmt;
use crate::model::{Agency, Category, Centre, IncidentStatus, Severity};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub text: Vec<String>,
    /// Severities shown, inclusive.
    pub severity: Option<(Severity, Severity)>,
    pub statuses: Vec<IncidentStatus>,
    pub categories: Vec<Category>,
    pub centre: Option<Centre>,
    pub agency: Option<Uuid>,
    /// Sector or crossing names (lowercased, spaces for `_`), any beginning of one.
    pub sectors: Vec<String>,
    pub overdue: bool,
    /// The source text, shown in the feed title.
    pub source: String,
}

/// The one value whose label (or wire spelling) `typed` names or begins.
fn pick<T: Copy + std::fmt::Display>(
    what: &str,
    typed: &str,
    all: &[T],
    label: fn(T) -> &'static str,
) -> Result<T, String> {
    if let Some(v) = fmt::parse_label(typed, all, label) {
        return Ok(v);
    }
    let want = typed.replace('_', " ").to_lowercase();
    let hits: Vec<T> = all
        .iter()
        .copied()
        .filter(|v| {
            label(*v).starts_with(&want) || v.to_string().replace('_', " ").starts_with(&want)
        })
        .collect();
    match hits.as_slice() {
        [one] => Ok(*one),
        _ => {
            let names: Vec<&str> = all.iter().map(|v| label(*v)).collect();
            Err(format!(
                "unknown {what} `{}`; use {}",
                fmt::fit(typed, 20),
                names.join(", ")
            ))
        }
    }
}

fn severity_range(op: &str, s: Severity) -> (Severity, Severity) {
    let (lowest, highest) = (Severity::Low, Severity::Critical);
    let step = |up: bool| {
        let i = Severity::ALL.iter().position(|x| *x == s).unwrap_or(0);
        let j = if up { i + 1 } else { i.wrapping_sub(1) };
        Severity::ALL.get(j).copied()
    };
    match op {
        ">=" => (s, highest),
        ">" => match step(true) {
            Some(n) => (n, highest),
            None => (highest, lowest), // nothing above critical: an empty range
        },
        "<=" => (lowest, s),
        "<" => match step(false) {
            Some(n) => (lowest, n),
            None => (highest, lowest),
        },
        _ => (s, s),
    }
}

impl Filter {
    /// Parses a filter; unknown keys or values are refused with what would do.
    pub fn parse(source: &str, agencies: &[&Agency]) -> Result<Filter, String> {
        let mut f = Filter {
            source: source.trim().to_string(),
            ..Filter::default()
        };
        for word in source.split_whitespace() {
            let lower = word.to_lowercase();
            if lower == "overdue" {
                f.overdue = true;
            } else if let Some(rest) = lower.strip_prefix("sev") {
                let (op, value) = [">=", "<=", ">", "<", "=", ":"]
                    .iter()
                    .find_map(|op| rest.strip_prefix(op).map(|v| (*op, v)))
                    .ok_or_else(|| {
                        format!("`{word}`: write sev>=high, sev>medium, sev<=low or sev:critical")
                    })?;
                let s = pick("severity", value, Severity::ALL, fmt::severity)?;
                f.severity = Some(severity_range(op, s));
            } else if let Some(v) = lower.strip_prefix("status:") {
                for part in v.split(',').filter(|p| !p.is_empty()) {
                    f.statuses
                        .push(pick("status", part, IncidentStatus::ALL, fmt::status)?);
                }
            } else if let Some(v) = lower.strip_prefix("cat:") {
                for part in v.split(',').filter(|p| !p.is_empty()) {
                    f.categories
                        .push(pick("category", part, Category::ALL, fmt::category)?);
                }
            } else if let Some(v) = lower.strip_prefix("centre:") {
                f.centre = Some(
                    v.parse()
                        .map_err(|_| format!("centre is TRP or BEN, not `{}`", fmt::fit(v, 20)))?,
                );
            } else if let Some(v) = lower.strip_prefix("sector:") {
                let v = v.replace('_', " ");
                if v.trim().is_empty() {
                    return Err("write sector:NAME, e.g. sector:ras_ajdir".into());
                }
                f.sectors.push(v);
            } else if let Some(v) = lower.strip_prefix("agency:") {
                let a = agencies
                    .iter()
                    .find(|a| a.code.eq_ignore_ascii_case(v))
                    .ok_or(format!("no agency with code `{}`", fmt::fit(v, 20)))?;
                f.agency = Some(a.id);
            } else if word.contains(':')
                && !word.starts_with(':')
                && word
                    .split(':')
                    .next()
                    .is_some_and(|k| k.chars().all(|c| c.is_ascii_alphabetic()))
            {
                return Err(format!(
                    "unknown filter key in `{}`; use sev>=, status:, cat:, centre:, agency:, sector: or overdue",
                    fmt::fit(word, 30)
                ));
            } else {
                f.text.push(lower);
            }
        }
        Ok(f)
    }

    pub fn is_empty(&self) -> bool {
        self.source.is_empty()
    }

    pub fn matches(&self, f: &Facts) -> bool {
        if self.overdue && !f.overdue {
            return false;
        }
        if self
            .severity
            .is_some_and(|(lo, hi)| f.severity < lo || f.severity > hi)
        {
            return false;
        }
        if !self.statuses.is_empty() && !self.statuses.contains(&f.status) {
            return false;
        }
        if !self.categories.is_empty() && !self.categories.contains(&f.category) {
            return false;
        }
        if self.centre.is_some_and(|c| c != f.centre) {
            return false;
        }
        if self.agency.is_some_and(|a| !f.agencies.contains(&a)) {
            return false;
        }
        if !self.sectors.is_empty()
            && !self
                .sectors
                .iter()
                .any(|s| f.sector.starts_with(s.as_str()) || f.crossing.starts_with(s.as_str()))
        {
            return false;
        }
        self.text.iter().all(|t| f.search.contains(t.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_and_text() {
        let f = Filter::parse(
            "sev>=high status:new,ack cat:fuel centre:BEN overdue Zuwara",
            &[],
        )
        .unwrap();
        assert_eq!(f.severity, Some((Severity::High, Severity::Critical)));
        assert_eq!(
            f.statuses,
            vec![IncidentStatus::Reported, IncidentStatus::Acknowledged]
        );
        assert_eq!(f.categories, vec![Category::SmugglingFuel]);
        assert_eq!(f.centre, Some(Centre::Ben));
        assert!(f.overdue);
        assert_eq!(f.text, vec!["zuwara"]);
        let s = Filter::parse("sector:Ras_Aj sector:kufra", &[]).unwrap();
        assert_eq!(s.sectors, ["ras aj", "kufra"]);
        assert!(Filter::parse("sector:", &[]).is_err());
    }

    #[test]
    fn every_severity_comparison() {
        let range = |s: &str| Filter::parse(s, &[]).unwrap().severity.unwrap();
        assert_eq!(range("sev>high"), (Severity::Critical, Severity::Critical));
        assert_eq!(range("sev<medium"), (Severity::Low, Severity::Low));
        assert_eq!(range("sev<=medium"), (Severity::Low, Severity::Medium));
        assert_eq!(range("sev:crit"), (Severity::Critical, Severity::Critical));
        let (lo, hi) = range("sev>critical");
        assert!(lo > hi, "nothing is above critical");
    }

    #[test]
    fn refuses_unknown_values_saying_what_would_do() {
        let e = Filter::parse("sev>=huge", &[]).unwrap_err();
        assert!(e.contains("low, medium, high, critical"), "{e}");
        assert!(Filter::parse("colour:red", &[]).is_err());
        assert!(Filter::parse("agency:NOPE", &[]).is_err());
        let e = Filter::parse("cat:smuggling", &[]).unwrap_err();
        assert!(e.contains("fuel smuggling"), "ambiguous: {e}");
    }
}
