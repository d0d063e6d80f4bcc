//! The wire types of shifts beside the model's: the list's query, and who
//! is connected now.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::model::{Centre, Role};

/// An officer connected now (an event stream open on some instance).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Presence {
    pub officer_id: Uuid,
    pub name: String,
    pub role: Role,
    pub centre: Centre,
    /// Connected without a break since.
    #[serde(with = "time::serde::rfc3339")]
    #[schema(value_type = String, format = DateTime)]
    pub since: OffsetDateTime,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ShiftQuery {
    pub centre: Option<Centre>,
    /// `true`: only shifts not yet ended; `false`: only ended ones.
    pub on_duty: Option<bool>,
    /// At most this many, newest first (1 to 500; 100 by default).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl ShiftQuery {
    pub fn limit(&self) -> u32 {
        self.limit.unwrap_or(100).clamp(1, 500)
    }
}
