//! The real server on a free port, for the browser tests: `app::Application` built as
//! `dangjian serve --demo` builds it, over a fresh database in a temporary directory.

use std::path::Path;

/// The demo's `admin` password (when `DANGJIAN_ADMIN_PASSWORD` does not set another).
pub const DEMO_ADMIN_PASSWORD: &str = "admin-demo-2024";

/// A running server; stopped (and its directory removed) when dropped.
pub struct TestServer {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    dir: tempfile::TempDir,
}

impl TestServer {
    /// The server's directory (database, attachments); free for the test's own files too.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Starts the demo server (the demo's users and data, `admin` with
/// [`DEMO_ADMIN_PASSWORD`]) on port 0.
pub async fn spawn_server() -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mut cfg = app::config::Config::load(None).unwrap();
    // the server's own attachments, also on PostgreSQL (whose default is `./files`)
    cfg.files_dir = Some(dir.path().join("files"));
    let app = app::Application::build(
        &cfg,
        "127.0.0.1:0",
        &crate::Backend::from_env().fresh_db(dir.path()),
        true,
    )
    .await
    .unwrap();
    let addr = app.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(app.run(async {
        let _ = stopped.await;
    }));
    TestServer {
        url: format!("http://{addr}"),
        stop: Some(stop),
        dir,
    }
}
