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
    db: String,
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
    bulletin: web::BulletinConfig,
}

/// `[smtp]`: reminders go out by e-mail through this relay.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Smtp {
    host: String,
    /// Default by `security`: 25 (none), 587 (starttls), 465 (tls).
    port: Option<u16>,
    /// "none" | "starttls" | "tls"; default "none" (as before TLS existed). Relays on 587
    /// want "starttls", on 465 "tls". With username/password it must be given: "none"
    /// then sends them unencrypted, the admin's explicit choice.
    security: Option<String>,
    /// PEM file of an internal CA trusted in addition to the bundled public roots.
    ca_file: Option<PathBuf>,
    from: String,
    from_name: Option<String>,
    username: Option<String>,
    password: Option<String>,
}

impl Smtp {
    fn into_config(self) -> Result<mail::SmtpConfig> {
        let credentials = self.username.as_deref().is_some_and(|u| !u.is_empty());
        let security = match self.security.as_deref() {
            Some(s) => s
                .parse::<mail::Security>()
                .map_err(|e| anyhow::anyhow!("smtp.security: {e}"))?,
            None if credentials => anyhow::bail!(
                "smtp: username/password are set but security is not: set security = \"starttls\" \
                 (port 587) or \"tls\" (port 465), or security = \"none\" to send the \
                 credentials unencrypted to a relay on a trusted network"
            ),
            None => mail::Security::None,
        };
        if let Some(ca) = &self.ca_file {
            if security == mail::Security::None {
                anyhow::bail!("smtp.ca_file is only used with security = \"starttls\" or \"tls\"");
            }
            if !ca.is_file() {
                anyhow::bail!("smtp.ca_file: {} is not a readable file", ca.display());
            }
        }
        let port = self.port.unwrap_or(match security {
            mail::Security::None => 25,
            mail::Security::StartTls => 587,
            mail::Security::Tls => 465,
        });
        Ok(mail::SmtpConfig {
            host: self.host,
            port,
            security,
            ca_file: self.ca_file,
            from: self.from,
            from_name: self.from_name,
            username: self.username,
            password: self.password,
            hello_name: "dangjian".into(),
            timeout: std::time::Duration::from_secs(20),
        })
    }
}

impl Default for File {
    fn default() -> Self {
        File {
            addr: "127.0.0.1:8080".into(),
            db: "data/dangjian.db".to_string(),
            utc_offset: "+08:00".into(),
            max_upload_mib: 20,
            secure_cookies: false,
            session_hours: 12,
            files_dir: None,
            reminder_days: 7,
            reminder_hour: 8,
            smtp: None,
            rules: Rules::default(),
            bulletin: web::BulletinConfig::default(),
        }
    }
}

pub struct Config {
    pub addr: String,
    /// A SQLite file path or a `postgres://` URL.
    pub db: String,
    pub offset: FixedOffset,
    pub rules: Rules,
    max_upload_bytes: usize,
    secure_cookies: bool,
    session_hours: i64,
    /// Where attachments live (see [`Config::web_config`]).
    pub files_dir: Option<PathBuf>,
    reminder_days: i64,
    pub reminder_hour: u32,
    smtp: Option<mail::SmtpConfig>,
    bulletin: web::BulletinConfig,
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
            smtp: file.smtp.map(Smtp::into_config).transpose()?,
            bulletin: check_bulletin(file.bulletin)?,
        })
    }

    /// The web settings for the database `db`: attachments live next to a SQLite file by
    /// default; with PostgreSQL in `./files` unless `files_dir` says where (several servers
    /// must name one shared directory).
    pub fn web_config(&self, db: &str) -> web::WebConfig {
        let files_dir = self.files_dir.clone().unwrap_or_else(|| {
            if is_url(db) {
                return PathBuf::from("files");
            }
            Path::new(db)
                .parent()
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
            bulletin: self.bulletin.clone(),
        }
    }
}

/// Whether `db` names a PostgreSQL database rather than a SQLite file.
pub fn is_url(db: &str) -> bool {
    db.starts_with("postgres://") || db.starts_with("postgresql://")
}

/// `db` with any password in it replaced, for logs and messages.
pub fn redact(db: &str) -> String {
    if !is_url(db) {
        return db.to_string();
    }
    let (scheme, rest) = db.split_once("://").unwrap_or(("", db));
    match rest.split_once('@') {
        Some((userinfo, host)) => match userinfo.split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***@{host}"),
            None => db.to_string(),
        },
        None => db.to_string(),
    }
}

/// `[bulletin]` as given, blank values as absent; a `layout` other than "party" or
/// "standard" is refused at start.
fn check_bulletin(mut b: web::BulletinConfig) -> Result<web::BulletinConfig> {
    for v in [&mut b.issuer, &mut b.code, &mut b.copy_to, &mut b.layout] {
        if v.as_deref().is_some_and(|s| s.trim().is_empty()) {
            *v = None;
        }
    }
    if let Some(l) = b.layout.as_deref() {
        if l != "party" && l != "standard" {
            anyhow::bail!("bulletin.layout: {l:?} is neither \"party\" nor \"standard\"");
        }
    }
    Ok(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn smtp(toml_text: &str) -> Result<mail::SmtpConfig> {
        let file: File = toml::from_str(toml_text)?;
        file.smtp.expect("an [smtp] table").into_config()
    }

    const BASE: &str = "[smtp]\nhost = \"mail.example.gov.cn\"\nfrom = \"dj@example.gov.cn\"\n";

    #[test]
    fn bulletin_table() {
        let file: File = toml::from_str(
            "[bulletin]\nissuer = \"中共云川市科协科技社团委员会\"\ncode = \"渝科协社党发\"\ncopy_to = \"\"\n",
        )
        .unwrap();
        let b = check_bulletin(file.bulletin).unwrap();
        assert_eq!(b.code.as_deref(), Some("渝科协社党发"));
        assert_eq!(b.issuer.as_deref(), Some("中共云川市科协科技社团委员会"));
        assert_eq!(b.copy_to, None);
        let file: File = toml::from_str("[bulletin]\nlayout = \"red\"\n").unwrap();
        assert!(check_bulletin(file.bulletin).is_err());
        assert!(toml::from_str::<File>("[bulletin]\nprefix = \"x\"\n").is_err());
    }

    #[test]
    fn smtp_security_and_ports() {
        let c = smtp(BASE).unwrap();
        assert_eq!(
            (c.security, c.port, c.ca_file),
            (mail::Security::None, 25, None)
        );
        let c = smtp(&format!("{BASE}security = \"starttls\"\n")).unwrap();
        assert_eq!((c.security, c.port), (mail::Security::StartTls, 587));
        let c = smtp(&format!("{BASE}security = \"tls\"\nport = 2465\n")).unwrap();
        assert_eq!((c.security, c.port), (mail::Security::Tls, 2465));
        let err = smtp(&format!("{BASE}security = \"ssl\"\n")).unwrap_err();
        assert!(err.to_string().contains("smtp.security"), "{err}");
    }

    #[test]
    fn smtp_credentials_need_an_explicit_security() {
        let creds = format!("{BASE}username = \"dj\"\npassword = \"pw\"\n");
        let err = smtp(&creds).unwrap_err().to_string();
        assert!(
            err.contains("starttls") && err.contains("unencrypted"),
            "{err}"
        );
        let c = smtp(&format!("{creds}security = \"none\"\n")).unwrap();
        assert_eq!(
            (c.security, c.username.as_deref()),
            (mail::Security::None, Some("dj"))
        );
        assert!(smtp(&format!("{creds}security = \"starttls\"\n")).is_ok());
    }

    #[test]
    fn smtp_ca_file() {
        let dir = std::env::temp_dir().join(format!("dangjian-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let ca = dir.join("ca.pem");
        std::fs::write(&ca, "-----BEGIN CERTIFICATE-----\n").unwrap();
        let with = |security: &str, path: &Path| {
            smtp(&format!(
                "{BASE}security = \"{security}\"\nca_file = {:?}\n",
                path.display().to_string()
            ))
        };
        let c = with("starttls", &ca).unwrap();
        assert_eq!(c.ca_file.as_deref(), Some(ca.as_path()));
        let err = with("none", &ca).unwrap_err().to_string();
        assert!(err.contains("only used with"), "{err}");
        let err = with("tls", &dir.join("missing.pem"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing.pem"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
