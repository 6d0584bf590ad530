//! Passwords, tokens, sessions, login throttling, and the API caller extractor.

use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use chrono::{DateTime, Utc};
use domain::policy::{self, Permission};
use domain::Role;
use sha2::{Digest, Sha256};
use store::{Actor, NewSession, Scope, SessionKind, SessionUser, User};

use crate::platform::error::AppError;
use crate::{AppState, RequestId};

/// Secret bytes from the operating system, as hex (session tokens, CSRF tokens, salts,
/// generated passwords). Without randomness from the OS this fails closed: an error, never a
/// guessable value.
pub fn random_hex(bytes: usize) -> Result<String, AppError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| AppError::Internal(format!("no randomness from the OS: {e}")))?;
    Ok(hex(&buf))
}

/// A value that only has to differ from the others (request ids, temporary file names),
/// never a secret: random where the OS gives randomness, else the time and a counter.
pub fn unique_hex(bytes: usize) -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    random_hex(bytes).unwrap_or_else(|_| {
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let t = Utc::now().timestamp_nanos_opt().unwrap_or_default() as u64;
        format!("{:016x}{n:x}", t ^ n.rotate_left(32))
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Hashes a password with argon2id, off the async threads.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::encode_b64(random_hex(16)?.as_bytes())
            .map_err(|e| AppError::Internal(e.to_string()))?;
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(e.to_string()))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

pub async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
    .unwrap_or(false)
}

/// The value of cookie `name`.
pub fn cookie(h: &HeaderMap, name: &str) -> Option<String> {
    axum_extra::extract::cookie::CookieJar::from_headers(h)
        .get(name)
        .map(|c| c.value().to_string())
}

/// Locks a username out for a while after repeated failed logins. The failures are counted
/// in the database, so that several servers on one database count them together.
pub struct Throttle;

impl Throttle {
    pub const MAX_FAILURES: i64 = 5;
    pub const WINDOW: Duration = Duration::from_secs(15 * 60);

    fn key(username: &str) -> String {
        username.trim().to_lowercase()
    }

    fn window_start() -> DateTime<Utc> {
        Utc::now() - chrono::Duration::from_std(Self::WINDOW).unwrap_or_default()
    }

    /// `Err` with the seconds to wait when the username is locked.
    pub async fn check(state: &AppState, username: &str) -> Result<(), AppError> {
        let found = state
            .store
            .login_failures(&Self::key(username), Self::window_start())
            .await?;
        if let Some((n, since)) = found {
            if n >= Self::MAX_FAILURES {
                let elapsed = (Utc::now() - since).to_std().unwrap_or_default();
                return Err(AppError::Throttled {
                    retry_after_secs: Self::WINDOW.saturating_sub(elapsed).as_secs().max(1),
                });
            }
        }
        Ok(())
    }

    pub async fn fail(state: &AppState, username: &str) -> Result<(), AppError> {
        Ok(state
            .store
            .login_failed(&Self::key(username), Utc::now(), Self::window_start())
            .await?)
    }

    pub async fn succeed(state: &AppState, username: &str) -> Result<(), AppError> {
        Ok(state.store.login_succeeded(&Self::key(username)).await?)
    }
}

/// Resolves a token (bearer or cookie) to its session. The store memoizes the lookup until
/// the database changes, so a session ended on any server ends here at once.
pub async fn resolve(state: &AppState, token: &str) -> Result<Option<SessionUser>, AppError> {
    Ok(state
        .store
        .session(&token_hash(token), state.clock.now())
        .await?)
}

/// Checks a username and password, with throttling. The same error for an unknown user and a
/// wrong password.
pub async fn login(state: &AppState, username: &str, password: &str) -> Result<User, AppError> {
    Throttle::check(state, username).await?;
    let found = state.store.credentials(username.trim()).await?;
    let ok = match &found {
        Some((_, hash)) => verify_password(password.to_string(), hash.clone()).await,
        None => {
            // Spend the same time as a real check so usernames cannot be probed by timing.
            let _ = hash_password(password.to_string()).await;
            false
        }
    };
    match found {
        Some((user, _)) if ok => {
            Throttle::succeed(state, username).await?;
            Ok(user)
        }
        _ => {
            Throttle::fail(state, username).await?;
            Err(AppError::Unauthorized("error.bad_credentials"))
        }
    }
}

/// A user's own password change (`POST /auth/password`, the account page): the current
/// password must be right (`422` on `current`, throttled like a login), the new one long
/// enough (`422` on `new`); every other session and token of the user ends.
pub async fn change_own_password(
    state: &AppState,
    caller: &Caller,
    current: Option<&str>,
    new: Option<&str>,
) -> Result<(), AppError> {
    let actor = caller.may(Permission::OwnAccount)?;
    let mut errs = domain::FieldErrors::new();
    let current = current.unwrap_or("");
    let new = new.unwrap_or("");
    if current.is_empty() {
        errs.add("current", domain::FieldError::Required);
    }
    if new.is_empty() {
        errs.add("new", domain::FieldError::Required);
    } else if new.chars().count() < crate::modules::admin::api::PASSWORD_MIN {
        errs.add(
            "new",
            domain::FieldError::TooShort {
                min: crate::modules::admin::api::PASSWORD_MIN,
            },
        );
    }
    errs.into_result().map_err(AppError::Validation)?;
    let name = caller.user.username.as_str();
    Throttle::check(state, name).await?;
    let hash = state
        .store
        .credentials(name)
        .await?
        .map(|(_, h)| h)
        .unwrap_or_default();
    if !verify_password(current.to_string(), hash).await {
        Throttle::fail(state, name).await?;
        return Err(AppError::field("current", domain::FieldError::Incorrect));
    }
    Throttle::succeed(state, name).await?;
    let hash = hash_password(new.to_string()).await?;
    state
        .store
        .change_own_password(&actor, caller.user.id, &hash, &caller.token_hash)
        .await?;
    Ok(())
}

/// Creates a session or token for `user`; returns the secret and its expiry.
pub async fn issue(
    state: &AppState,
    user: &User,
    kind: SessionKind,
    name: Option<String>,
    expires_at: Option<DateTime<Utc>>,
) -> Result<(String, String), AppError> {
    let token = random_hex(32)?;
    let csrf = random_hex(16)?;
    state
        .store
        .create_session(NewSession {
            token_hash: token_hash(&token),
            user_id: user.id,
            kind,
            name,
            csrf: csrf.clone(),
            expires_at,
        })
        .await?;
    Ok((token, csrf))
}

/// The signed-in caller of an API request (`Authorization: Bearer …`).
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub scope: Scope,
    pub request_id: String,
    /// The hash of the token or session this request came with.
    pub token_hash: String,
}

impl Caller {
    /// Checks the policy table and gives the actor a store write needs: 403 when the role
    /// may not do this. A write cannot be made without it.
    pub fn may(&self, p: Permission) -> Result<Actor, AppError> {
        let proof = policy::check(self.user.role, p).map_err(|_| AppError::Forbidden)?;
        Ok(Actor::user(
            proof,
            self.user.id,
            &self.user.username,
            &self.request_id,
        ))
    }

    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn from_session(s: SessionUser, request_id: String, token_hash: String) -> Self {
        Caller {
            user: s.user,
            scope: s.scope,
            request_id,
            token_hash,
        }
    }
}

pub fn request_id(parts: &Parts) -> String {
    parts
        .extensions
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(AppError::Unauthorized("error.unauthorized"))?;
        match resolve(state, token).await? {
            Some(s) if s.kind != SessionKind::Web => Ok(Caller::from_session(
                s,
                request_id(parts),
                token_hash(token),
            )),
            _ => Err(AppError::Unauthorized("error.unauthorized")),
        }
    }
}
