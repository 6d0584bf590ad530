//! The `dangjian` binary: serve, users, import/export, backup, seed.

use app::{
    application, config, ensure_admin, seed_assessment, seed_campaigns, seed_liaison, seed_life,
    seed_registry, seed_reports, seed_training, seed_work,
};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use domain::Role;
use store::{Actor, SqlStore, Store};
use web::{AppState, Clock};

#[derive(Parser)]
#[command(
    name = "dangjian",
    version,
    about = "科技社团党建工作平台 — S&T societies party-building platform"
)]
struct Cli {
    /// TOML configuration file (default: ./dangjian.toml when present).
    #[arg(long, global = true, env = "DANGJIAN_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Start the web server.
    Serve {
        #[arg(long, env = "DANGJIAN_ADDR")]
        addr: Option<String>,
        #[arg(long, env = "DANGJIAN_DB")]
        db: Option<String>,
        /// A fresh demo database with fictional data (in a temporary directory unless --db).
        #[arg(long)]
        demo: bool,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Import a sheet (.xlsx or .csv).
    Import {
        #[command(subcommand)]
        what: ImportWhat,
    },
    /// Export to .xlsx.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// A consistent copy of the database, taken while the server runs.
    Backup {
        file: PathBuf,
        #[arg(long, env = "DANGJIAN_DB")]
        db: Option<String>,
    },
    /// Copy every record of one database (SQLite file or postgres:// URL) into a new,
    /// empty one of either backend: ids, users and the audit log included, sessions not.
    CopyDb {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Fill a database with synthetic data for benchmarks.
    Seed {
        #[arg(long, env = "DANGJIAN_DB")]
        db: Option<String>,
        #[arg(long, default_value_t = 200)]
        societies: usize,
        #[arg(long, default_value_t = 100)]
        orgs: usize,
        /// M2: activity records spread over the orgs and the last years.
        #[arg(long, default_value_t = 0)]
        activities: usize,
        /// M3: task assignments spread over the orgs.
        #[arg(long, default_value_t = 0)]
        assignments: usize,
        /// M4: findings with their rectifications spread over the orgs.
        #[arg(long, default_value_t = 0)]
        rectifications: usize,
        /// M5: report forms answered by every org (half monthly, half quarterly), active
        /// from two years back, with submissions in every state (about 10 % never started,
        /// 10 % late); with --funded-projects, one of them is the “双高” quarterly project report.
        #[arg(long, default_value_t = 0)]
        report_forms: usize,
        /// M5: “双高” funded projects of the societies over last year and this one, with
        /// expenditures.
        #[arg(long, default_value_t = 0)]
        funded_projects: usize,
        /// M7: campaigns of every kind over this year and the last ones (the first the open
        /// 社区报到), each joined by a share of the orgs, with their records.
        #[arg(long, default_value_t = 0)]
        campaigns: usize,
        /// M8: office-holders spread over the orgs (a secretary each first), with last
        /// year's and this year's courses and their attendance.
        #[arg(long, default_value_t = 0)]
        office_holders: usize,
        /// M9: committee members' visits over the last year (with 25 committee members,
        /// made when fewer, and their liaisons; some members below [rules] liaison_orgs).
        #[arg(long, default_value_t = 0)]
        visits: usize,
        /// M10: publication channels of the societies (some without an emergency plan, some
        /// never reviewed or reviewed too long ago), with their reviews.
        #[arg(long, default_value_t = 0)]
        channels: usize,
        /// M6: assessment schemes over the last years (this year's open, the earlier ones
        /// finalized), with manual scores for most orgs and a few grade overrides.
        #[arg(long, default_value_t = 0)]
        schemes: usize,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a user; the password is read from DANGJIAN_PASSWORD or prompted on stdin.
    Add {
        username: String,
        #[arg(long)]
        role: String,
        /// Party org id (required for role branch).
        #[arg(long)]
        party_org: Option<i64>,
        #[arg(long, env = "DANGJIAN_DB")]
        db: Option<String>,
    },
    /// Set a user's password (DANGJIAN_PASSWORD or stdin).
    Passwd {
        username: String,
        #[arg(long, env = "DANGJIAN_DB")]
        db: Option<String>,
    },
}

#[derive(Subcommand)]
enum ImportWhat {
    Societies {
        file: PathBuf,
        #[arg(long, env = "DANGJIAN_DB")]
        db: Option<String>,
    },
}

#[derive(Subcommand)]
enum ExportWhat {
    Societies {
        file: PathBuf,
        #[arg(long, env = "DANGJIAN_DB")]
        db: Option<String>,
    },
}

fn open(cfg: &config::Config, db: Option<String>) -> Result<SqlStore> {
    let db = db.unwrap_or_else(|| cfg.db.clone());
    SqlStore::open(&db, cfg.rules.clone())
        .with_context(|| format!("opening database {}", config::redact(&db)))
}

fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("DANGJIAN_PASSWORD") {
        return Ok(p);
    }
    eprint!("password: ");
    let mut line = String::new();
    std::io::stdin().read_line(&mut line)?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn cli_caller() -> web::platform::auth::Caller {
    web::platform::auth::Caller {
        user: store::User {
            id: 0,
            username: "cli".into(),
            role: Role::Admin,
            party_org_id: None,
            created_at: chrono::Utc::now(),
            email: None,
        },
        scope: store::Scope::All,
        request_id: "cli".into(),
        token_hash: String::new(),
    }
}

async fn serve(
    cfg: config::Config,
    addr: Option<String>,
    db: Option<String>,
    demo: bool,
) -> Result<()> {
    let addr = addr.unwrap_or_else(|| cfg.addr.clone());
    let (path, demo_dir) = match (demo, db) {
        (_, Some(p)) => (p, None),
        (true, None) => {
            let dir = std::env::temp_dir().join(format!("dangjian-demo-{}", std::process::id()));
            std::fs::create_dir_all(&dir)?;
            (
                dir.join("demo.db").to_string_lossy().into_owned(),
                Some(DemoDir(dir)),
            )
        }
        (false, None) => (cfg.db.clone(), None),
    };
    if demo && !config::is_url(&path) && Path::new(&path).exists() {
        bail!("--demo wants a fresh database, but {path} exists");
    }
    let app = application::Application::build(&cfg, &addr, &path, demo).await?;
    let local = app.local_addr()?;
    println!(
        "dangjian listening on http://{local}  (database {})",
        config::redact(&path)
    );
    app.run(shutdown()).await?;
    drop(demo_dir);
    Ok(())
}

/// `copy-db`: opens the source, creates and migrates the target (a SQLite file must not
/// exist yet; a PostgreSQL database must exist and be empty), copies, reports on stderr.
async fn copy_db(cfg: &config::Config, from: &str, to: &str) -> Result<()> {
    if !config::is_url(from) && !Path::new(from).exists() {
        bail!("copy-db: the source {from} does not exist");
    }
    if !config::is_url(to) && Path::new(to).exists() {
        bail!("copy-db: the target {to} exists; copy-db writes only into a new, empty database");
    }
    let source = open(cfg, Some(from.to_string()))?;
    let target = open(cfg, Some(to.to_string()))?;
    eprintln!(
        "copying {} ({}) into {} ({})",
        config::redact(from),
        source.describe(),
        config::redact(to),
        target.describe()
    );
    let started = std::time::Instant::now();
    let n = source
        .copy_into(&target, |p| {
            eprint!("\r  {:<22} {:>9} / {:<9}", p.table, p.copied, p.total);
            if p.copied == p.total {
                eprintln!();
            }
        })
        .await
        .with_context(|| format!("copy-db into {}", config::redact(to)))?;
    println!(
        "copied {n} rows in {:.1} s; sessions are not copied (everyone signs in again)",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The demo's temporary directory, removed when the demo ends: the demo database lives only
/// as long as the demo.
struct DemoDir(PathBuf);

impl Drop for DemoDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Ctrl-C or SIGTERM (service managers stop with it): finish the requests in flight, then
/// close the database cleanly.
async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

async fn import_societies(store: SqlStore, file: &Path) -> Result<()> {
    let bytes = std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
    let state = AppState::new(Arc::new(store), web::WebConfig::default(), Clock::default());
    let res = web::api::import_bytes(&state, &cli_caller(), web::platform::i18n::Lang::Zh, &bytes)
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.message(web::platform::i18n::Lang::Zh, "cli").0))?;
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX).await?;
    println!("{}", String::from_utf8_lossy(&body));
    if !status.is_success() {
        bail!("import failed; nothing was written");
    }
    Ok(())
}

async fn export_societies(store: SqlStore, file: &Path) -> Result<()> {
    let rows = store.export_societies(&store::Scope::All).await?;
    let n = rows.len();
    let bytes = web::modules::registry::sheets::export_xlsx(rows, None)
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    std::fs::write(file, bytes)?;
    println!("exported {n} societies to {}", file.display());
    Ok(())
}

/// glibc malloc gives each thread that contends for the heap its own arena (up to 8 per core)
/// and keeps freed memory in each. The server's blocking threads (SQLite reads and writes,
/// imports) then hold a peak's worth of memory apiece: measured on the 100,000-society
/// benchmark, the server peaked at 168 MB after an import with the default and at 85 MB with
/// two arenas, at the same request rates (BENCHMARKS.md). Must run before any thread
/// starts. `MALLOC_ARENA_MAX` in the environment, when set, is left to decide.
fn limit_malloc_arenas() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets a tuning parameter; no other thread exists yet.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 2);
        }
    }
}

fn main() -> Result<()> {
    limit_malloc_arenas();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?
        .block_on(run())
}

async fn run() -> Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("DANGJIAN_LOG")
                .unwrap_or_else(|_| "info".into()),
        )
        .with_target(false)
        .init();
    let cli = Cli::parse();
    let cfg = config::Config::load(cli.config.as_deref())?;
    match cli.cmd {
        Cmd::Serve { addr, db, demo } => serve(cfg, addr, db, demo).await,
        Cmd::User {
            cmd:
                UserCmd::Add {
                    username,
                    role,
                    party_org,
                    db,
                },
        } => {
            let store = open(&cfg, db)?;
            let password = read_password()?;
            let body = web::api::NewUserBody::new(username, password, role, party_org);
            let new = web::api::validate_new_user(body)
                .await
                .map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let u = store.create_user(&Actor::system("cli"), new).await?;
            println!("created user {} ({})", u.username, u.role);
            Ok(())
        }
        Cmd::User {
            cmd: UserCmd::Passwd { username, db },
        } => {
            let store = open(&cfg, db)?;
            let password = read_password()?;
            if password.chars().count() < web::api::PASSWORD_MIN {
                bail!(
                    "password must have at least {} characters",
                    web::api::PASSWORD_MIN
                );
            }
            let hash = web::platform::auth::hash_password(password)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            store
                .set_password(&Actor::system("cli"), &username, &hash)
                .await?;
            println!("password of {username} changed");
            Ok(())
        }
        Cmd::Import {
            what: ImportWhat::Societies { file, db },
        } => import_societies(open(&cfg, db)?, &file).await,
        Cmd::Export {
            what: ExportWhat::Societies { file, db },
        } => export_societies(open(&cfg, db)?, &file).await,
        Cmd::CopyDb { from, to } => copy_db(&cfg, &from, &to).await,
        Cmd::Backup { file, db } => {
            let store = open(&cfg, db)?;
            store.backup(&file).await?;
            println!("backup written to {}", file.display());
            Ok(())
        }
        Cmd::Seed {
            db,
            societies,
            orgs,
            activities,
            assignments,
            rectifications,
            report_forms,
            funded_projects,
            campaigns,
            office_holders,
            visits,
            channels,
            schemes,
        } => {
            let store = open(&cfg, db)?;
            seed_registry(&store, societies, orgs).await?;
            seed_life::run(&store, activities).await?;
            seed_work::run(&store, assignments, rectifications).await?;
            seed_reports::run(&store, report_forms, funded_projects).await?;
            seed_campaigns::run(&store, campaigns).await?;
            seed_training::run(&store, office_holders).await?;
            // admin first: the committee members M9 adds would make it skip
            ensure_admin(&store).await?;
            seed_liaison::run(&store, visits, channels).await?;
            // M6 last: its auto scores read every module's records
            seed_assessment::run(&store, schemes).await?;
            store.analyze().await?;
            Ok(())
        }
    }
}
