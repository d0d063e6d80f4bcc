//! The signed-in officer: who they are, until when their token holds, and
//! rotating it. A rotation answers the new token once; the token that asked
//! stays valid for ten minutes more, so a lost answer costs nothing but
//! another rotation.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::error::ApiError;
use super::extract::{Mutation, Signed};
use crate::api::{IssuedToken, Me, Problem, RotateToken};
use crate::model::TokenInfo;
use crate::model::officer::token_hash;
use crate::store::{AccessCommand, Actor, Command, NewToken, Request, Retire};

#[utoipa::path(get, path = "/api/v1/me", tag = "meta", security(("bearer" = [])),
    responses((status = 200, description = "The signed-in officer and their token's expiry", body = Me),
              (status = 401, description = "No, bad or expired token", body = Problem),
              (status = 429, description = "Locked out after repeated failed sign-ins", body = Problem)))]
pub async fn me(Signed(cred): Signed) -> Json<Me> {
    Json(Me {
        officer: cred.officer,
        token: cred.token,
    })
}

#[utoipa::path(post, path = "/api/v1/me/token", tag = "meta", security(("bearer" = [])), request_body = RotateToken,
    params(("Idempotency-Key" = String, Header, description = "Unique per rotation")),
    responses((status = 201, description = "The new token, shown once", body = IssuedToken),
              (status = 409, description = "This rotation was done before; its token is not shown again", body = Problem),
              (status = 422, description = "Lifetime out of range", body = Problem)))]
pub async fn rotate_token(
    State(state): State<AppState>,
    Signed(cred): Signed,
    m: Mutation<RotateToken>,
) -> Result<Response, ApiError> {
    let token = crate::admin::new_token();
    let officer_id = cred.officer.id;
    let outcome = state
        .store
        .execute(Request {
            actor: Actor::Officer(cred.officer),
            idempotency: Some(m.idempotency),
            command: Command::Access(AccessCommand::IssueToken {
                officer_id,
                token: NewToken {
                    id: uuid::Uuid::now_v7(),
                    hash: token_hash(&token),
                    hours: m.body.hours,
                },
                retire: Retire::Grace(cred.token.id),
            }),
        })
        .await?;
    if outcome.replayed {
        // The stored answer holds no secret, so the token cannot be shown again.
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "already-rotated",
            "this rotation was done before and its token was shown in that answer only; \
             rotate again with a new Idempotency-Key (the token you used stays valid for \
             ten minutes after a rotation)",
        ));
    }
    let info: TokenInfo =
        serde_json::from_str(&outcome.body).map_err(|e| ApiError::unprocessable(e.to_string()))?;
    tracing::info!(officer = %officer_id, token = %info.id, "token rotated by its officer");
    Ok((StatusCode::CREATED, Json(IssuedToken { token, info })).into_response())
}
