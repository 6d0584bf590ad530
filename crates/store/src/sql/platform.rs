//! Users, sessions and tokens, the audit log.

use super::db::{Connection, OptionalExtension, Row, Transaction};
use crate::params;
use chrono::{DateTime, NaiveDate, Utc};
use domain::Role;

use super::{audit, now_text, parse_code, parse_instant};
use crate::{
    Actor, ApiToken, AuditEntry, NewSession, NewUser, Result, Scope, SessionKind, SessionUser,
    StoreError, User,
};

const USER_COLS: &str = "u.id, u.username, u.role, u.party_org_id, u.created_at, u.email";

fn user_row(r: &Row) -> crate::Result<User> {
    Ok(User {
        id: r.get(0)?,
        username: r.get(1)?,
        role: parse_code(&r.get::<_, String>(2)?, Role::parse)?,
        party_org_id: r.get(3)?,
        created_at: parse_instant(&r.get::<_, String>(4)?)?,
        email: r.get(5)?,
    })
}

pub fn user_count(c: &Connection) -> Result<i64> {
    c.query_row("SELECT count(*) FROM users", (), |r| r.get(0))
}

pub fn create_user(tx: &Transaction, actor: &Actor, new: &NewUser) -> Result<User> {
    if let Some(org) = new.party_org_id {
        let live: Option<i64> = tx
            .query_row(
                "SELECT id FROM party_orgs WHERE id = ?1 AND deleted_at IS NULL",
                [org],
                |r| r.get(0),
            )
            .optional()?;
        if live.is_none() {
            return Err(
                domain::FieldErrors::single("party_org_id", domain::FieldError::NotFound).into(),
            );
        }
    }
    let taken: Option<i64> = tx
        .query_row(
            "SELECT id FROM users WHERE username = ?1",
            [&new.username],
            |r| r.get(0),
        )
        .optional()?;
    if taken.is_some() {
        return Err(StoreError::Conflict("username"));
    }
    let now = now_text();
    tx.execute(
        "INSERT INTO users (username, password_hash, role, party_org_id, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?5)",
        params![new.username, new.password_hash, new.role.as_str(), new.party_org_id, now],
    )?;
    let id = tx.last_insert_rowid()?;
    let user = tx.query_row(
        &format!("SELECT {USER_COLS} FROM users u WHERE u.id = ?1"),
        [id],
        user_row,
    )?;
    audit(
        tx,
        actor,
        "create",
        "user",
        Some(id),
        None::<&()>,
        Some(&user),
    )?;
    Ok(user)
}

pub fn set_password(tx: &Transaction, actor: &Actor, username: &str, hash: &str) -> Result<()> {
    let id: i64 = tx
        .query_row(
            "SELECT id FROM users WHERE username = ?1",
            [username],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(StoreError::NotFound)?;
    tx.execute(
        "UPDATE users SET password_hash = ?1, updated_at = ?2 WHERE id = ?3",
        params![hash, now_text(), id],
    )?;
    // A new password ends every browser and bearer session; long-lived API tokens stay.
    tx.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND kind <> 'api'",
        [id],
    )?;
    audit(
        tx,
        actor,
        "update",
        "user",
        Some(id),
        None::<&()>,
        Some(&serde_json::json!({"password": "changed"})),
    )?;
    Ok(())
}

pub fn change_own_password(
    tx: &Transaction,
    actor: &Actor,
    user_id: i64,
    hash: &str,
    keep: &str,
) -> Result<()> {
    let n = tx.execute(
        "UPDATE users SET password_hash = ?1, updated_at = ?2 WHERE id = ?3",
        params![hash, now_text(), user_id],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    // Every other browser session, bearer session and API token of the user ends.
    tx.execute(
        "DELETE FROM sessions WHERE user_id = ?1 AND token_hash <> ?2",
        params![user_id, keep],
    )?;
    audit(
        tx,
        actor,
        "update",
        "user",
        Some(user_id),
        None::<&()>,
        Some(&serde_json::json!({"password": "changed", "other_sessions": "ended"})),
    )?;
    Ok(())
}

pub fn list_users(c: &Connection) -> Result<Vec<User>> {
    let mut st = c.prepare_cached(&format!("SELECT {USER_COLS} FROM users u ORDER BY u.id"))?;
    let rows = st
        .query_map((), user_row)?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn credentials(c: &Connection, username: &str) -> Result<Option<(User, String)>> {
    c.query_row(
        &format!("SELECT {USER_COLS}, u.password_hash FROM users u WHERE u.username = ?1"),
        [username],
        |r| Ok((user_row(r)?, r.get(6)?)),
    )
    .optional()
}

pub fn create_session(tx: &Transaction, s: &NewSession) -> Result<()> {
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, kind, name, csrf, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            s.token_hash,
            s.user_id,
            s.kind.as_str(),
            s.name,
            s.csrf,
            now_text(),
            s.expires_at.map(|e| e.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        ],
    )?;
    Ok(())
}

pub fn session(
    c: &Connection,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<SessionUser>> {
    // Memoized until the database changes — on any server: a session ended or a user
    // changed elsewhere is seen by the next request here.
    let found = super::memo(format!("session\u{1f}{token_hash}"), || {
        let mut st = c.prepare_cached(&format!(
            "SELECT {USER_COLS}, s.kind, s.csrf, s.expires_at, o.path
             FROM sessions s JOIN users u ON u.id = s.user_id
             LEFT JOIN party_orgs o ON o.id = u.party_org_id AND o.deleted_at IS NULL
             WHERE s.token_hash = ?1"
        ))?;
        st.query_row([token_hash], |r| {
            let user = user_row(r)?;
            let kind = match r.get::<_, String>(6)?.as_str() {
                "web" => SessionKind::Web,
                "bearer" => SessionKind::Bearer,
                _ => SessionKind::Api,
            };
            let expires_at = r
                .get::<_, Option<String>>(8)?
                .map(|s| parse_instant(&s))
                .transpose()?;
            let path: Option<String> = r.get(9)?;
            Ok((user, kind, r.get::<_, String>(7)?, expires_at, path))
        })
        .optional()
    })?;
    let Some((user, kind, csrf, expires_at, path)) = found else {
        return Ok(None);
    };
    if expires_at.is_some_and(|e| e <= now) {
        return Ok(None);
    }
    let scope = match (user.role, user.party_org_id) {
        (Role::Branch, Some(root)) => Scope::Subtree {
            root,
            path: path.unwrap_or_else(|| "/deleted/".into()),
        },
        // A branch user without an org sees nothing.
        (Role::Branch, None) => Scope::Subtree {
            root: -1,
            path: "/none/".into(),
        },
        _ => Scope::All,
    };
    Ok(Some(SessionUser {
        user,
        scope,
        kind,
        csrf,
        expires_at,
    }))
}

pub fn delete_session(tx: &Transaction, token_hash: &str) -> Result<()> {
    tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [token_hash])?;
    Ok(())
}

pub fn list_api_tokens(c: &Connection, user_id: i64) -> Result<Vec<ApiToken>> {
    let mut st = c.prepare_cached(
        "SELECT id, name, created_at, expires_at FROM sessions WHERE user_id = ?1 AND kind = 'api' ORDER BY id DESC",
    )?;
    let rows = st
        .query_map([user_id], |r| {
            Ok(ApiToken {
                id: r.get(0)?,
                name: r.get(1)?,
                created_at: parse_instant(&r.get::<_, String>(2)?)?,
                expires_at: r
                    .get::<_, Option<String>>(3)?
                    .map(|s| parse_instant(&s))
                    .transpose()?,
            })
        })?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn revoke_api_token(tx: &Transaction, actor: &Actor, user_id: i64, id: i64) -> Result<()> {
    let n = tx.execute(
        "DELETE FROM sessions WHERE id = ?1 AND user_id = ?2 AND kind = 'api'",
        params![id, user_id],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound);
    }
    audit(
        tx,
        actor,
        "delete",
        "api_token",
        Some(id),
        None::<&()>,
        None::<&()>,
    )?;
    Ok(())
}

pub fn audit_list(
    c: &Connection,
    entity: Option<&str>,
    entity_id: Option<i64>,
    limit: i64,
) -> Result<Vec<AuditEntry>> {
    let mut st = c.prepare_cached(
        "SELECT id, at, actor, action, entity, entity_id, before, after, request_id FROM audit
         WHERE (CAST(?1 AS TEXT) IS NULL OR entity = ?1) AND (CAST(?2 AS BIGINT) IS NULL OR entity_id = ?2)
         ORDER BY id DESC LIMIT ?3",
    )?;
    let json = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
    let rows = st
        .query_map(params![entity, entity_id, limit], |r| {
            Ok(AuditEntry {
                id: r.get(0)?,
                at: parse_instant(&r.get::<_, String>(1)?)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                entity: r.get(4)?,
                entity_id: r.get(5)?,
                before: json(r.get(6)?),
                after: json(r.get(7)?),
                request_id: r.get(8)?,
            })
        })?
        .collect::<crate::Result<Vec<_>>>()?;
    Ok(rows)
}

pub fn set_user_email(
    tx: &Transaction,
    actor: &Actor,
    id: i64,
    email: Option<&str>,
) -> Result<User> {
    let sql = format!("SELECT {USER_COLS} FROM users u WHERE u.id = ?1");
    let before = tx
        .query_row(&sql, [id], user_row)
        .optional()?
        .ok_or(StoreError::NotFound)?;
    tx.execute(
        "UPDATE users SET email = ?2, updated_at = ?3 WHERE id = ?1",
        params![id, email, now_text()],
    )?;
    let after = tx.query_row(&sql, [id], user_row)?;
    if before.email != after.email {
        audit(
            tx,
            actor,
            "update",
            "user",
            Some(id),
            Some(&before),
            Some(&after),
        )?;
    }
    Ok(after)
}

fn instant_text(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

pub fn login_failures(
    c: &Connection,
    key: &str,
    window_start: DateTime<Utc>,
) -> Result<Option<(i64, DateTime<Utc>)>> {
    c.query_row(
        "SELECT n, since FROM login_failures WHERE username_key = ?1 AND since >= ?2",
        params![key, instant_text(window_start)],
        |r| Ok((r.get(0)?, parse_instant(&r.get::<_, String>(1)?)?)),
    )
    .optional()
}

pub fn login_failed(
    tx: &Transaction,
    key: &str,
    now: DateTime<Utc>,
    window_start: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO login_failures (username_key, n, since) VALUES (?1, 1, ?2)
         ON CONFLICT (username_key) DO UPDATE SET
             n = CASE WHEN login_failures.since < ?3 THEN 1 ELSE login_failures.n + 1 END,
             since = CASE WHEN login_failures.since < ?3 THEN ?2 ELSE login_failures.since END",
        params![key, instant_text(now), instant_text(window_start)],
    )?;
    // Failures long past are of no use to anyone.
    tx.execute(
        "DELETE FROM login_failures WHERE since < ?1",
        [instant_text(window_start - chrono::Duration::days(1))],
    )?;
    Ok(())
}

pub fn login_succeeded(tx: &Transaction, key: &str) -> Result<()> {
    tx.execute("DELETE FROM login_failures WHERE username_key = ?1", [key])?;
    Ok(())
}

pub fn claim_daily_job(tx: &Transaction, job: &str, day: NaiveDate, server: &str) -> Result<bool> {
    let n = tx.execute(
        "INSERT INTO job_runs (job, day, claimed_by, claimed_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT DO NOTHING",
        params![job, day.to_string(), server, now_text()],
    )?;
    Ok(n == 1)
}
