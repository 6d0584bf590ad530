//! Helpers shared by the store's test binaries.
#![allow(dead_code)] // each test binary uses part of it

use domain::{OrgKind, PartyOrgInput};

/// A party org with only a name, a kind and `full_members` set.
pub fn org_input(name: &str, kind: OrgKind, full_members: i64) -> PartyOrgInput {
    PartyOrgInput {
        name: name.into(),
        kind,
        parent_id: None,
        secretary: None,
        secretary_joined_on: None,
        secretary_cross_appointed: false,
        established_on: None,
        term_ends_on: None,
        full_members,
        probationary_members: 0,
        grade: None,
    }
}

/// The backend the tests run against: `DANGJIAN_TEST_DB` is `sqlite` (the default) or a
/// `postgres://` URL, on which each store gets a fresh schema of its own.
pub fn test_db() -> Option<String> {
    match std::env::var("DANGJIAN_TEST_DB").as_deref() {
        Err(_) | Ok("") | Ok("sqlite") => None,
        Ok(url) => Some(url.to_string()),
    }
}

/// The `--db` of a fresh database for a store in `dir`.
pub fn fresh_db(dir: &std::path::Path, name: &str) -> String {
    let Some(url) = test_db() else {
        return dir.join(name).to_string_lossy().into_owned();
    };
    let tail: String = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let stem: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let schema = format!("s_{}_{tail}_{stem}", std::process::id());
    let (u, s) = (url.clone(), schema.clone());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&u, postgres::NoTls).unwrap();
        c.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {s}"))
            .unwrap();
    })
    .join()
    .unwrap();
    format!("{url}?options=-c%20search_path%3D{schema}")
}

/// A fresh store of the backend under test, in `dir`.
pub fn open_store(dir: &std::path::Path, name: &str, rules: domain::Rules) -> store::SqlStore {
    store::SqlStore::open(&fresh_db(dir, name), rules).unwrap()
}

/// Restores the `pg_dump` archive `path` into a new database beside the one `url` names and
/// opens it (the archive keeps the schema it was taken from).
pub fn restore_copy(url: &str, db: &str, path: &std::path::Path) -> store::SqlStore {
    let name = format!(
        "copy_{}_{}",
        std::process::id(),
        path.file_stem()
            .unwrap()
            .to_string_lossy()
            .to_lowercase()
            .replace(|c: char| !c.is_ascii_alphanumeric(), "")
    );
    let (u, n) = (url.to_string(), name.clone());
    std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&u, postgres::NoTls).unwrap();
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {n}"))
            .unwrap();
        c.batch_execute(&format!("CREATE DATABASE {n}")).unwrap();
    })
    .join()
    .unwrap();
    let base = url.rsplit_once('/').unwrap().0;
    let target = format!("{base}/{name}");
    let out = std::process::Command::new("pg_restore")
        .arg("--no-owner")
        .arg("--dbname")
        .arg(&target)
        .arg(path)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pg_restore: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let options = db.split_once('?').map(|(_, o)| o).unwrap_or("");
    store::SqlStore::open(&format!("{target}?{options}"), domain::Rules::default()).unwrap()
}
