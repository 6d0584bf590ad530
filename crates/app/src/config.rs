//! Configuration: CLI flags over environment (`DANGJIAN_*`) over a TOML file; the defaults run
//! out of the box.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use chrono::FixedOffset;
use domain::Rules;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct File {
    addr: String,
    db: PathBuf,
    /// UTC offset of the local time zone, e.g. "+08:00" (Asia/Shanghai).
    utc_offset: String,
    max_upload_mib: usize,
    secure_cookies: bool,
    session_hours: i64,
    /// Where attachments are kept; default: `files/` next to the database.
    files_dir: Option<PathBuf>,
    /// Remind of unmet obligations this many days before their period ends.
    reminder_days: i64,
    /// Local hour at which the daily reminder job runs.
    reminder_hour: u32,
    smtp: Option<Smtp>,
    rules: Rules,
}

/// `[smtp]`: reminders go out by e-mail through this relay (plain SMTP, no TLS).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Smtp {
    host: String,
    #[serde(default = "default_smtp_port")]
    port: u16,
    from: String,
    from_name: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

fn default_smtp_port() -> u16 {
    25
}

impl Default for File {
    fn default() -> Self {
        File {
            addr: "127.0.0.1:8080".into(),
            db: PathBuf::from("data/dangjian.db"),
            utc_offset: "+08:00".into(),
            max_upload_mib: 20,
            secure_cookies: false,
            session_hours: 12,
            files_dir: None,
            reminder_days: 7,
            reminder_hour: 8,
            smtp: None,
            rules: Rules::default(),
        }
    }
}

pub struct Config {
    pub addr: String,
    pub db: PathBuf,
    pub offset: FixedOffset,
    pub rules: Rules,
    max_upload_bytes: usize,
    secure_cookies: bool,
    session_hours: i64,
    files_dir: Option<PathBuf>,
    reminder_days: i64,
    pub reminder_hour: u32,
    smtp: Option<mail::SmtpConfig>,
}

fn env<T: std::str::FromStr>(name: &str) -> Result<Option<T>> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .map(Some)
            .map_err(|_| anyhow::anyhow!("{name}: cannot read {v:?}")),
        Err(_) => Ok(None),
    }
}

impl Config {
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let default_path = Path::new("dangjian.toml");
        let file: File = match path.or(default_path.exists().then_some(default_path)) {
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("reading {}", p.display()))?;
                toml::from_str(&text).with_context(|| format!("in {}", p.display()))?
            }
            None => File::default(),
        };
        let offset_text: String = env("DANGJIAN_UTC_OFFSET")?.unwrap_or(file.utc_offset);
        let offset: FixedOffset = offset_text
            .parse()
            .map_err(|_| anyhow::anyhow!("utc_offset: cannot read {offset_text:?}"))?;
        Ok(Config {
            addr: file.addr,
            db: file.db,
            offset,
            rules: file.rules,
            max_upload_bytes: env::<usize>("DANGJIAN_MAX_UPLOAD_MIB")?
                .unwrap_or(file.max_upload_mib)
                * 1024
                * 1024,
            secure_cookies: env("DANGJIAN_SECURE_COOKIES")?.unwrap_or(file.secure_cookies),
            session_hours: env("DANGJIAN_SESSION_HOURS")?.unwrap_or(file.session_hours),
            files_dir: env::<PathBuf>("DANGJIAN_FILES_DIR")?.or(file.files_dir),
            reminder_days: env("DANGJIAN_REMINDER_DAYS")?.unwrap_or(file.reminder_days),
            reminder_hour: env("DANGJIAN_REMINDER_HOUR")?.unwrap_or(file.reminder_hour),
            smtp: file.smtp.map(|s| mail::SmtpConfig {
                host: s.host,
                port: s.port,
                from: s.from,
                from_name: s.from_name,
                username: s.username,
                password: s.password,
                hello_name: "dangjian".into(),
                timeout: std::time::Duration::from_secs(20),
            }),
        })
    }

    /// The web settings for a database at `db` (attachments live next to it by default).
    pub fn web_config(&self, db: &Path) -> web::WebConfig {
        let files_dir = self.files_dir.clone().unwrap_or_else(|| {
            db.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
                .join("files")
        });
        web::WebConfig {
            rules: self.rules.clone(),
            max_upload_bytes: self.max_upload_bytes,
            demo_logins: Vec::new(),
            secure_cookies: self.secure_cookies,
            session_hours: self.session_hours,
            files_dir,
            smtp: self.smtp.clone(),
            reminder_days: self.reminder_days,
        }
    }
}
