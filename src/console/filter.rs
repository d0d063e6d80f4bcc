//! The feed filter: free text plus `sev>=high`, `status:…`, `cat:…`,
//! `centre:…`, `agency:…`, `overdue`. Parsed once, matched per row.

use uuid::Uuid;

use super::feed::Facts;
use crate::model::{Agency, Category, Centre, IncidentStatus, Severity};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Filter {
    pub text: Vec<String>,
    pub min_severity: Option<Severity>,
    pub statuses: Vec<IncidentStatus>,
    pub categories: Vec<Category>,
    pub centre: Option<Centre>,
    pub agency: Option<Uuid>,
    pub overdue: bool,
    /// The source text, shown in the feed title.
    pub source: String,
}

fn prefix_match<T: Copy>(all: &[T], name: impl Fn(T) -> &'static str, value: &str) -> Option<T> {
    let v = value.to_ascii_lowercase();
    all.iter().copied().find(|x| name(*x) == v).or_else(|| {
        let mut hits = all.iter().copied().filter(|x| name(*x).starts_with(&v));
        let first = hits.next()?;
        hits.next().is_none().then_some(first)
    })
}

impl Filter {
    /// Parses a filter; unknown keys or values are refused with what is expected.
    pub fn parse(source: &str, agencies: &[&Agency]) -> Result<Filter, String> {
        let mut f = Filter {
            source: source.trim().to_string(),
            ..Filter::default()
        };
        for word in source.split_whitespace() {
            let lower = word.to_lowercase();
            if lower == "overdue" {
                f.overdue = true;
            } else if let Some(v) = lower.strip_prefix("sev>=") {
                f.min_severity = Some(prefix_match(Severity::ALL, Severity::as_str, v).ok_or(
                    format!("sev>= takes low, medium, high or critical, not `{v}`"),
                )?);
            } else if let Some(v) = lower.strip_prefix("sev:") {
                f.min_severity = Some(
                    prefix_match(Severity::ALL, Severity::as_str, v)
                        .ok_or(format!("unknown severity `{v}`"))?,
                );
            } else if let Some(v) = lower.strip_prefix("status:") {
                for part in v.split(',') {
                    f.statuses.push(
                        prefix_match(IncidentStatus::ALL, IncidentStatus::as_str, part)
                            .ok_or(format!("unknown status `{part}`"))?,
                    );
                }
            } else if let Some(v) = lower.strip_prefix("cat:") {
                for part in v.split(',') {
                    f.categories.push(
                        prefix_match(Category::ALL, Category::as_str, part)
                            .ok_or(format!("unknown category `{part}`"))?,
                    );
                }
            } else if let Some(v) = lower.strip_prefix("centre:") {
                f.centre = Some(
                    v.parse()
                        .map_err(|_| format!("centre is TRP or BEN, not `{v}`"))?,
                );
            } else if let Some(v) = lower.strip_prefix("agency:") {
                let a = agencies
                    .iter()
                    .find(|a| a.code.eq_ignore_ascii_case(v))
                    .ok_or(format!("no agency with code `{v}`"))?;
                f.agency = Some(a.id);
            } else if word.contains(':')
                && !word.starts_with(':')
                && word
                    .split(':')
                    .next()
                    .is_some_and(|k| k.chars().all(|c| c.is_ascii_alphabetic()))
            {
                return Err(format!(
                    "unknown filter key in `{word}`; use sev>=, status:, cat:, centre:, agency: or overdue"
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
        if self.min_severity.is_some_and(|s| f.severity < s) {
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
        self.text.iter().all(|t| f.search.contains(t.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_keys_and_text() {
        let f = Filter::parse(
            "sev>=high status:rep,ack cat:smuggling_fuel centre:BEN overdue Zuwara",
            &[],
        )
        .unwrap();
        assert_eq!(f.min_severity, Some(Severity::High));
        assert_eq!(
            f.statuses,
            vec![IncidentStatus::Reported, IncidentStatus::Acknowledged]
        );
        assert_eq!(f.categories, vec![Category::SmugglingFuel]);
        assert_eq!(f.centre, Some(Centre::Ben));
        assert!(f.overdue);
        assert_eq!(f.text, vec!["zuwara"]);
    }

    #[test]
    fn refuses_unknown_values() {
        assert!(Filter::parse("sev>=huge", &[]).is_err());
        assert!(Filter::parse("colour:red", &[]).is_err());
        assert!(Filter::parse("agency:NOPE", &[]).is_err());
    }
}
