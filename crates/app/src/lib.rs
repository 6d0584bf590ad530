//! The server as a library: the binary (`main.rs`) is its command line, and the end-to-end
//! tests start [`application::Application`] in-process on a free port.

use anyhow::Result;
use domain::Role;
use store::{Actor, NewUser, Store};

pub mod application;
pub mod config;
pub mod demo;
mod demo_assessment;
mod demo_liaison;
mod demo_life;
mod demo_reports;
mod demo_work;
mod seed;
pub mod seed_assessment;
pub mod seed_campaigns;
pub mod seed_liaison;
pub mod seed_life;
pub mod seed_reports;
pub mod seed_training;
pub mod seed_work;

pub use application::Application;
/// The registry part of the `seed` command.
pub use seed::run as seed_registry;

/// Creates `admin` when the database has no users: with DANGJIAN_ADMIN_PASSWORD, or a
/// generated password printed once.
pub async fn ensure_admin(store: &dyn Store) -> Result<()> {
    if store.user_count().await? > 0 {
        return Ok(());
    }
    let (password, generated) = match std::env::var("DANGJIAN_ADMIN_PASSWORD") {
        Ok(p) if !p.is_empty() => (p, false),
        _ => (
            web::platform::auth::random_hex(8).map_err(|e| anyhow::anyhow!("{e}"))?,
            true,
        ),
    };
    let hash = web::platform::auth::hash_password(password.clone())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    store
        .create_user(
            &Actor::system("setup"),
            NewUser {
                username: "admin".into(),
                password_hash: hash,
                role: Role::Admin,
                party_org_id: None,
            },
        )
        .await?;
    if generated {
        println!("Created user admin with password: {password}  (shown once; change it with `dangjian user passwd admin`)");
    }
    Ok(())
}
