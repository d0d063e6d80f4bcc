//! The wire types of shifts beside the model's: the list's query.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::model::Centre;

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
