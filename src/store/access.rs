//! Commands on who may sign in: officers, their tokens, and the record of
//! sign-in lockouts. Tokens enter as hashes; the record holds only what a
//! token is (its id, officer, life), never the secret.

use time::OffsetDateTime;

use super::apply::{AccessCommand as C, Actor, NewToken, Outcome, Retire, Row, WriteTx};
use super::decide::{Change, change, load, reply, require};
use super::{StoreError, StoreResult};
use crate::model::token::{self, ROTATION_GRACE};
use crate::model::{
    DomainError, EntityKind as E, EventKind as K, Officer, Role, TokenInfo, validate,
};

pub async fn decide(
    tx: &mut impl WriteTx,
    actor: &Actor,
    command: &C,
    now: OffsetDateTime,
) -> StoreResult<(Outcome, Vec<Change>)> {
    match command {
        C::AddOfficer { officer, token } => {
            actor.admin()?;
            validate::line("name", &officer.name, 100)?;
            match (officer.role, officer.agency_id) {
                (Role::Liaison, None) => {
                    return Err(DomainError::invalid(
                        "agency",
                        "a liaison acts for one agency: name it",
                    )
                    .into());
                }
                (Role::Liaison, Some(a)) => require(tx, E::Agency, Some(a), "agency").await?,
                (_, Some(_)) => {
                    return Err(DomainError::invalid(
                        "agency",
                        "only a liaison is tied to an agency",
                    )
                    .into());
                }
                (_, None) => {}
            }
            let info = new_token(officer, token, now)?;
            let c = change(K::OfficerCreated, E::Officer, officer.id, 1, officer)?;
            tx.put(
                Row::Officer {
                    officer,
                    revoked: false,
                },
                &c.json,
            )
            .await?;
            let t = issue(tx, &info, token).await?;
            Ok((reply(201, None, officer)?, vec![c, t]))
        }
        C::RevokeOfficer { id } => {
            actor.admin()?;
            let officer: Officer = load(tx, E::Officer, *id).await?;
            let c = change(K::OfficerRevoked, E::Officer, officer.id, 2, &officer)?;
            tx.put(
                Row::Officer {
                    officer: &officer,
                    revoked: true,
                },
                &c.json,
            )
            .await?;
            Ok((reply(200, None, &officer)?, vec![c]))
        }
        C::IssueToken {
            officer_id,
            token,
            retire,
        } => {
            match actor {
                Actor::Admin => {}
                Actor::Officer(o) if o.id == *officer_id => {}
                _ => {
                    return Err(DomainError::Forbidden(
                        "only the officer or the admin command line issues an officer's token"
                            .into(),
                    )
                    .into());
                }
            }
            let officer: Officer = load(tx, E::Officer, *officer_id).await?;
            let info = new_token(&officer, token, now)?;
            let mut changes = Vec::new();
            for json in tx.tokens_of(officer.id).await? {
                let mut old: TokenInfo = serde_json::from_str(&json)?;
                let retired = match retire {
                    Retire::Nothing => false,
                    Retire::Others if !old.revoked => {
                        old.revoked = true;
                        true
                    }
                    Retire::Grace(id) if old.id == *id && old.expires_at > now + ROTATION_GRACE => {
                        old.expires_at = now + ROTATION_GRACE;
                        true
                    }
                    _ => false,
                };
                if retired {
                    let c = change(K::TokenUpdated, E::Token, old.id, 2, &old)?;
                    tx.put(
                        Row::Token {
                            token: &old,
                            hash: None,
                        },
                        &c.json,
                    )
                    .await?;
                    changes.push(c);
                }
            }
            changes.push(issue(tx, &info, token).await?);
            Ok((reply(201, None, &info)?, changes))
        }
        C::RecordLockout(lockout) => {
            if !matches!(actor, Actor::Server) {
                return Err(StoreError::Domain(DomainError::Forbidden(
                    "only the server records lockouts".into(),
                )));
            }
            let c = change(K::AuthLockedOut, E::Access, lockout.id, 1, lockout)?;
            Ok((reply(201, None, lockout)?, vec![c]))
        }
    }
}

fn new_token(officer: &Officer, token: &NewToken, now: OffsetDateTime) -> StoreResult<TokenInfo> {
    if token.hash.len() != 64 || !token.hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(
            DomainError::invalid("token", "a token is stored as its SHA-256, in hex").into(),
        );
    }
    Ok(TokenInfo {
        id: token.id,
        officer_id: officer.id,
        issued_at: now,
        expires_at: now + token::lifetime(officer.role, token.hours)?,
        revoked: false,
    })
}

async fn issue(tx: &mut impl WriteTx, info: &TokenInfo, token: &NewToken) -> StoreResult<Change> {
    let c = change(K::TokenIssued, E::Token, info.id, 1, info)?;
    tx.put(
        Row::Token {
            token: info,
            hash: Some(&token.hash),
        },
        &c.json,
    )
    .await?;
    Ok(c)
}
