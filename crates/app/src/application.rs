//! The server as a value: `Application::build` opens the database, prepares the state,
//! binds the address (port 0 picks a free one) and says which port it got; `run` serves
//! until Ctrl-C or SIGTERM. The background jobs live here too, beside the server they
//! serve, not in the web layer.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use store::SqlStore;
use web::{AppState, Clock};

use crate::config::Config;

pub struct Application {
    listener: tokio::net::TcpListener,
    state: AppState,
    reminder_hour: u32,
}

impl Application {
    /// Opens (creating and migrating) the database `db` (a path or a `postgres://` URL), fills the demo when asked, makes
    /// `admin` when there are no users, and binds `addr`.
    pub async fn build(cfg: &Config, addr: &str, db: &str, demo: bool) -> Result<Application> {
        let store = SqlStore::open(db, cfg.rules.clone())?;
        let mut web_cfg = cfg.web_config(db);
        if demo {
            web_cfg.demo_logins = crate::demo::load(&store).await?;
            store.analyze().await?;
        }
        crate::ensure_admin(&store).await?;
        let state = AppState::new(Arc::new(store), web_cfg, Clock::new(cfg.offset));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        Ok(Application {
            listener,
            state,
            reminder_hour: cfg.reminder_hour,
        })
    }

    /// Where it listens (the port chosen when the address asked for port 0).
    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Starts the background jobs and serves until `shutdown` resolves.
    pub async fn run(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        spawn_reminders(self.state.clone(), self.reminder_hour);
        axum::serve(self.listener, web::router(self.state))
            .with_graceful_shutdown(shutdown)
            .await?;
        Ok(())
    }
}

/// The daily reminder job (M2 obligations, due and missed): shortly after start, then every
/// day at `hour` in the configured zone — run by one server a day, whichever claims the day
/// first in the database.
pub fn spawn_reminders(st: AppState, hour: u32) {
    let server = format!(
        "{}:{}",
        std::env::var("HOSTNAME").unwrap_or_else(|_| "server".into()),
        std::process::id()
    );
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(5)).await;
        loop {
            match web::modules::life::reminders::run_daily(&st, &server).await {
                Ok(None) => tracing::info!("reminders: today's run is taken"),
                Ok(Some(o)) => tracing::info!(
                    prepared = o.prepared,
                    emailed = o.emailed,
                    failed = o.failed,
                    "reminders"
                ),
                Err(e) => tracing::warn!(error = %e, "reminder job failed"),
            }
            let now = st
                .clock
                .now()
                .with_timezone(&st.clock.offset())
                .naive_local();
            let next = (now.date() + chrono::Days::new(1))
                .and_hms_opt(hour.min(23), 0, 0)
                .unwrap_or(now);
            let wait = (next - now).num_seconds().clamp(60, 86_400) as u64;
            tokio::time::sleep(Duration::from_secs(wait)).await;
        }
    });
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};

    use super::*;

    /// Port 0 gives a free port; the server answers there and stops when told.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn build_binds_a_free_port_and_serves_until_stopped() {
        let dir = std::env::temp_dir().join(format!("dangjian-app-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = Config::load(None).unwrap();
        let app = Application::build(
            &cfg,
            "127.0.0.1:0",
            &dir.join("t.db").to_string_lossy(),
            false,
        )
        .await
        .unwrap();
        let addr = app.local_addr().unwrap();
        assert_ne!(addr.port(), 0);
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(app.run(async {
            let _ = stopped.await;
        }));
        let answer = tokio::task::spawn_blocking(move || {
            let mut s = std::net::TcpStream::connect(addr).unwrap();
            s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .unwrap();
            let mut out = String::new();
            s.read_to_string(&mut out).unwrap();
            out
        })
        .await
        .unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
