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
    rules: Rules,
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
        })
    }

    pub fn web_config(&self) -> web::WebConfig {
        web::WebConfig {
            rules: self.rules.clone(),
            max_upload_bytes: self.max_upload_bytes,
            demo_logins: Vec::new(),
            secure_cookies: self.secure_cookies,
            session_hours: self.session_hours,
        }
    }
}
