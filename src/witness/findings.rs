//! What a witness found, kept as the API's findings: the first
//! [`FINDINGS_MAX`] listed, all of them counted.

use crate::api::{FINDINGS_MAX, Finding, FindingKind};
use crate::model::chain::Broken;

#[derive(Debug, Default)]
pub struct Findings {
    pub list: Vec<Finding>,
    pub total: u64,
}

impl Findings {
    pub fn push(&mut self, f: Finding) {
        self.total += 1;
        if self.list.len() < FINDINGS_MAX {
            self.list.push(f);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    pub fn at(&mut self, kind: FindingKind, seq: u64, expected: String, found: String) {
        self.push(Finding {
            kind,
            seq: Some(seq),
            entity: None,
            expected,
            found,
        });
    }

    pub fn on(&mut self, kind: FindingKind, entity: String, expected: String, found: String) {
        self.push(Finding {
            kind,
            seq: None,
            entity: Some(entity),
            expected,
            found,
        });
    }

    /// A served event that does not follow the one before it.
    pub fn broken(&mut self, b: Broken) {
        let kind = if b.checkpoint {
            FindingKind::Checkpoint
        } else {
            FindingKind::Chain
        };
        self.at(kind, b.seq, b.expected, b.found);
    }
}
