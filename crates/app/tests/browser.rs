//! End-to-end in headless Chromium: the real `dangjian serve --demo` binary, driven over the
//! W3C WebDriver protocol by chromedriver. A tiny WebDriver client over `std::net` keeps the
//! dependency list short.
//!
//! Flows: sign in, read the dashboard, create a society (field errors first), see the
//! dashboard figures change, search the list live (htmx), import a CSV with a bad row and see
//! the error row with nothing written; then the phone layout (390×844): login, dashboard,
//! the collapsed navigation, a list that scrolls inside its wrapper.
//!
//! Screenshots go to `target/browser-screenshots/` (on failure, and a few on success).
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian: chromium, chromium-driver)
//! and a CJK font (fonts-noto-cjk); a missing browser fails the test, it does not skip.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ADMIN_PASSWORD: &str = "browser-test-admin-1";
const WAIT: Duration = Duration::from_secs(15);
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

type Res<T> = Result<T, String>;

/// A scratch directory removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("dangjian-browser-{}-{stamp}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("create a scratch directory");
        TempDir(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A child process killed when dropped.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free local port")
}

fn screenshots_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().unwrap_or(tmp).join("browser-screenshots");
    std::fs::create_dir_all(&dir).expect("create the screenshots directory");
    dir
}

// ------------------------------------------------------------------ processes

/// Starts `dangjian serve --demo` on a free port; returns the process and its base URL.
fn start_server(work: &Path) -> (Proc, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dangjian"))
        .args(["serve", "--demo", "--addr", "127.0.0.1:0"])
        .env("DANGJIAN_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("DANGJIAN_LOG", "warn")
        .env("TMPDIR", work)
        .current_dir(work)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the dangjian binary");
    let stdout = child.stdout.take().expect("server stdout");
    let proc = Proc(child);
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if let Some(rest) = line.split("dangjian listening on ").nth(1) {
                let url = rest.split_whitespace().next().unwrap_or("").to_string();
                let _ = tx.send(url);
            }
        }
    });
    let url = rx
        .recv_timeout(Duration::from_secs(120))
        .expect("the server printed `dangjian listening on http://…` in time");
    assert!(url.starts_with("http://"), "unexpected listen line: {url}");
    (proc, url)
}

fn start_chromedriver() -> (Proc, u16) {
    assert!(
        Path::new(CHROMIUM).exists(),
        "{CHROMIUM} is missing: install Debian's `chromium` package (the browser test does not skip)"
    );
    assert!(
        Path::new(CHROMEDRIVER).exists(),
        "{CHROMEDRIVER} is missing: install Debian's `chromium-driver` package (the browser test does not skip)"
    );
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let proc = Proc(child);
    let start = Instant::now();
    loop {
        if let Ok(v) = http(port, "GET", "/status", None) {
            if v["ready"].as_bool() == Some(true) {
                break;
            }
        }
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not become ready"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (proc, port)
}

// ------------------------------------------------------------------ a minimal WebDriver client

/// One HTTP/1.1 exchange with chromedriver; returns the `value` of the JSON answer.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Res<Value> {
    let mut stream =
        TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(|e| e.to_string())?;
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(req.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    // Read the header, then exactly the body (chromedriver may keep the connection open).
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = stream.read(&mut buf).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            return Err("connection closed before the HTTP header ended".into());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let lower = head.to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    let length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = lower.contains("transfer-encoding: chunked");
    loop {
        let done = match length {
            Some(n) => payload.len() >= n,
            None if chunked => payload.windows(5).any(|w| w == b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = stream.read(&mut buf).map_err(|e| format!("read: {e}"))?;
        if n == 0 {
            break;
        }
        payload.extend_from_slice(&buf[..n]);
    }
    if let Some(n) = length {
        payload.truncate(n);
    } else if chunked {
        payload = dechunk(&payload)?;
    }
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or("no HTTP status")?;
    let v: Value = serde_json::from_slice(&payload).map_err(|e| {
        format!(
            "bad JSON from chromedriver ({e}): {}",
            String::from_utf8_lossy(&payload)
        )
    })?;
    if status >= 400 {
        return Err(format!(
            "{method} {path} → {status}: {} {}",
            v["value"]["error"].as_str().unwrap_or(""),
            v["value"]["message"]
                .as_str()
                .unwrap_or("")
                .lines()
                .next()
                .unwrap_or("")
        ));
    }
    Ok(v["value"].clone())
}

fn dechunk(mut b: &[u8]) -> Res<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let line_end = b.windows(2).position(|w| w == b"\r\n").ok_or("bad chunk")?;
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..line_end])
                .split(';')
                .next()
                .unwrap_or("")
                .trim(),
            16,
        )
        .map_err(|e| e.to_string())?;
        b = &b[line_end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(b.get(..size).ok_or("short chunk")?);
        b = b.get(size + 2..).ok_or("short chunk")?;
    }
}

fn base64_decode(s: &str) -> Res<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some((c - b'A') as u32),
            b'a'..=b'z' => Some((c - b'a' + 26) as u32),
            b'0'..=b'9' => Some((c - b'0' + 52) as u32),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    }
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= val(*c).ok_or("bad base64")? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    Ok(out)
}

struct Browser {
    port: u16,
    session: String,
    shots: PathBuf,
    /// Prefix of screenshot names (`desktop`, `phone`).
    name: &'static str,
}

impl Browser {
    fn open(port: u16, name: &'static str, profile: &Path, phone: bool) -> Res<Browser> {
        let mut args = vec![
            "--headless=new".to_string(),
            "--no-sandbox".into(),
            "--disable-gpu".into(),
            "--disable-dev-shm-usage".into(),
            "--disable-quic".into(),
            "--no-first-run".into(),
            "--disable-background-networking".into(),
            "--disable-component-update".into(),
            "--disable-sync".into(),
            "--lang=zh-CN".into(),
            "--window-size=1366,900".into(),
            format!("--user-data-dir={}", profile.display()),
        ];
        if phone {
            args.push("--hide-scrollbars".into());
        }
        let mut opts = json!({
            "binary": CHROMIUM,
            "args": args,
            "prefs": {"intl.accept_languages": "zh-CN,zh"},
        });
        if phone {
            opts["mobileEmulation"] = json!({"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 2.0, "touch": true}});
        }
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": opts,
            "timeouts": {"pageLoad": 60000, "script": 30000, "implicit": 0},
        }}});
        let v = http(port, "POST", "/session", Some(&caps))?;
        let session = v["sessionId"].as_str().ok_or("no session id")?.to_string();
        Ok(Browser {
            port,
            session,
            shots: screenshots_dir(),
            name,
        })
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Res<Value> {
        http(
            self.port,
            method,
            &format!("/session/{}{path}", self.session),
            body.as_ref(),
        )
    }

    fn goto(&self, url: &str) -> Res<()> {
        self.cmd("POST", "/url", Some(json!({ "url": url })))
            .map(|_| ())
    }

    fn url(&self) -> Res<String> {
        Ok(self
            .cmd("GET", "/url", None)?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    fn find_now(&self, css: &str) -> Res<String> {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        v[ELEMENT]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("no element id for {css}"))
    }

    /// Waits for an element to appear.
    fn find(&self, css: &str) -> Res<String> {
        let start = Instant::now();
        loop {
            match self.find_now(css) {
                Ok(e) => return Ok(e),
                Err(e) if start.elapsed() > WAIT => {
                    return Err(format!("element `{css}` did not appear: {e}"))
                }
                Err(_) => std::thread::sleep(Duration::from_millis(100)),
            }
        }
    }

    fn click(&self, el: &str) -> Res<()> {
        self.cmd("POST", &format!("/element/{el}/click"), Some(json!({})))
            .map(|_| ())
    }

    fn clear(&self, el: &str) -> Res<()> {
        self.cmd("POST", &format!("/element/{el}/clear"), Some(json!({})))
            .map(|_| ())
    }

    fn type_into(&self, el: &str, text: &str) -> Res<()> {
        self.cmd(
            "POST",
            &format!("/element/{el}/value"),
            Some(json!({ "text": text })),
        )
        .map(|_| ())
    }

    fn text(&self, el: &str) -> Res<String> {
        Ok(self
            .cmd("GET", &format!("/element/{el}/text"), None)?
            .as_str()
            .unwrap_or("")
            .to_string())
    }

    fn text_of(&self, css: &str) -> Res<String> {
        let el = self.find(css)?;
        self.text(&el)
    }

    fn displayed(&self, el: &str) -> Res<bool> {
        Ok(self
            .cmd("GET", &format!("/element/{el}/displayed"), None)?
            .as_bool()
            .unwrap_or(false))
    }

    fn script(&self, js: &str) -> Res<Value> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": js, "args": []})),
        )
    }

    /// Polls `check` until it returns `Ok(Some(_))`.
    fn wait_until<T>(&self, what: &str, mut check: impl FnMut() -> Res<Option<T>>) -> Res<T> {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            match check() {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last = e,
            }
            if start.elapsed() > WAIT {
                return Err(format!("timed out waiting for {what} {last}"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, what: &str) -> Res<PathBuf> {
        let b64 = self.cmd("GET", "/screenshot", None)?;
        let png = base64_decode(b64.as_str().ok_or("no screenshot data")?)?;
        let path = self.shots.join(format!("{}-{what}.png", self.name));
        std::fs::write(&path, png).map_err(|e| e.to_string())?;
        Ok(path)
    }

    /// Runs a flow; on failure saves a screenshot and says where.
    fn run(&self, flow: impl FnOnce(&Browser) -> Res<()>) -> Res<()> {
        flow(self).map_err(|e| {
            let url = self.url().unwrap_or_default();
            match self.screenshot("failure") {
                Ok(p) => {
                    eprintln!("browser test failed; screenshot: {}", p.display());
                    format!("{e}\n  at {url}\n  screenshot: {}", p.display())
                }
                Err(s) => format!("{e}\n  at {url}\n  (no screenshot: {s})"),
            }
        })
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.cmd("DELETE", "", None);
    }
}

// ------------------------------------------------------------------ the flows

fn number(text: &str) -> Res<i64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .map_err(|_| format!("not a number: {text:?}"))
}

fn login(b: &Browser, base: &str, user: &str, password: &str) -> Res<()> {
    b.goto(&format!("{base}/login"))?;
    let u = b.find("#username")?;
    b.type_into(&u, user)?;
    let p = b.find("#password")?;
    b.type_into(&p, password)?;
    b.click(&b.find("#login-form button[type=submit]")?)?;
    b.find("#kpi-societies")?;
    Ok(())
}

fn figures(b: &Browser, base: &str) -> Res<(i64, i64)> {
    b.goto(&format!("{base}/"))?;
    let societies = number(&b.text_of("#kpi-societies .num")?)?;
    let should = number(&b.text_of("#kpi-should-establish .num")?)?;
    Ok((societies, should))
}

fn desktop_flow(b: &Browser, base: &str, work: &Path) -> Res<()> {
    login(b, base, "admin", ADMIN_PASSWORD)?;
    let lang = b.script("return document.documentElement.lang")?;
    if lang != json!("zh-CN") {
        return Err(format!(
            "the pages should default to Chinese, got lang={lang}"
        ));
    }
    let (societies, should) = figures(b, base)?;
    if societies < 1 {
        return Err(format!(
            "the demo should have societies, dashboard says {societies}"
        ));
    }
    b.find("svg.donut")?;
    b.find("svg.bars")?;
    b.screenshot("dashboard")?;

    // A bad form says what is wrong next to each field and keeps what was typed.
    b.goto(&format!("{base}/societies/new"))?;
    let full = b.find("#f-full_members")?;
    b.clear(&full)?;
    b.type_into(&full, "-1")?;
    b.click(&b.find("#save")?)?;
    let name_err = b.text_of("#e-name")?;
    let count_err = b.text_of("#e-full_members")?;
    if !name_err.contains("必填") || !count_err.contains("不能为负数") {
        return Err(format!(
            "field errors should be in Chinese next to the fields: {name_err:?} / {count_err:?}"
        ));
    }
    let kept = b.script("return document.getElementById('f-full_members').value")?;
    if kept != json!("-1") {
        return Err(format!("the form should keep what was typed, got {kept}"));
    }

    // Create a society covered by no org with 5 full members: it should establish a branch.
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() % 1_000_000)
        .unwrap_or(0);
    let name = format!("浏览器测试学会{stamp}");
    let f_name = b.find("#f-name")?;
    b.clear(&f_name)?;
    b.type_into(&f_name, &name)?;
    let full = b.find("#f-full_members")?;
    b.clear(&full)?;
    b.type_into(&full, "5")?;
    b.script("document.getElementById('f-party_org_id').value = ''; return true")?;
    b.click(&b.find("#save")?)?;
    b.wait_until("the new society's page", || {
        Ok(b.url()?.contains("msg=created").then_some(()))
    })?;
    b.find(".facts .badge.cov-none")?;
    let (societies2, should2) = figures(b, base)?;
    if societies2 != societies + 1 || should2 != should + 1 {
        return Err(format!(
            "dashboard should go from {societies}/{should} to {}/{} (societies/should-establish), got {societies2}/{should2}",
            societies + 1,
            should + 1
        ));
    }

    // The list updates as one types (htmx), without a page load.
    b.goto(&format!("{base}/societies"))?;
    b.find("#societies-table tbody tr")?;
    b.screenshot("societies-list")?;
    b.script("window.__same_page = true; return true")?;
    let q = b.find("#q")?;
    b.type_into(&q, &name)?;
    b.wait_until("the search to narrow the list to the new society", || {
        let summary = b.text_of("#results-summary")?;
        let rows =
            b.script("return document.querySelectorAll('#societies-table tbody tr').length")?;
        Ok((summary.contains("共 1 个") && rows == json!(1)).then_some(()))
    })?;
    let same = b.script("return window.__same_page === true")?;
    if same != json!(true) {
        return Err("typing in the search box should update the table in place".into());
    }
    if !b.text_of("#societies-table tbody")?.contains(&name) {
        return Err("the search result should show the new society".into());
    }
    if !b.url()?.contains("q=") {
        return Err("the search should be in the address bar (hx-push-url)".into());
    }

    // Import a CSV with a bad row: the error row is shown and nothing is written.
    let good_a = format!("导入甲学会{stamp}");
    let good_b = format!("导入乙协会{stamp}");
    let csv = format!(
        "名称,类型,领域,正式党员数,预备党员数,党建入章,党建指导员,所属党组织\n\
         {good_a},学会,智能科技,4,1,是,,\n\
         导入坏行学会{stamp},学会,其他,-2,0,否,,\n\
         {good_b},协会,生命健康,2,0,否,王老师,\n"
    );
    let file = work.join("import-with-error.csv");
    std::fs::write(&file, csv).map_err(|e| e.to_string())?;
    b.goto(&format!("{base}/import"))?;
    let input = b.find("#file")?;
    b.type_into(&input, &file.display().to_string())?;
    b.click(&b.find("#import-submit")?)?;
    b.find("#import-errors")?;
    let rows = b.script(
        "return Array.from(document.querySelectorAll('#import-errors tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent.trim()))",
    )?;
    let rows = rows.as_array().cloned().unwrap_or_default();
    let hit = rows.iter().any(|r| {
        r[0] == json!("3")
            && r[1] == json!("正式党员数")
            && r[2].as_str().is_some_and(|m| m.contains("不小于 0 的整数"))
    });
    if rows.len() != 1 || !hit {
        return Err(format!(
            "expected one error on row 3, column 正式党员数; got {rows:?}"
        ));
    }
    if !b.text_of("#import-failed")?.contains("未写入") {
        return Err("the import page should say nothing was written".into());
    }
    b.screenshot("import-errors")?;
    for good in [&good_a, &good_b] {
        b.goto(&format!("{base}/societies?q={}", url_encode(good)))?;
        let summary = b.text_of("#results-summary")?;
        if !summary.contains("共 0 个") {
            return Err(format!(
                "{good} must not be written by a failed import; the list says {summary:?}"
            ));
        }
    }

    // The language switch: English and back.
    b.goto(&format!("{base}/"))?;
    b.click(&b.find("a.lang-switch")?)?;
    b.wait_until("the English dashboard", || {
        Ok((b.script("return document.documentElement.lang")? == json!("en")).then_some(()))
    })?;
    if !b.text_of("main h1")?.contains("Dashboard") {
        return Err("the English dashboard should say Dashboard".into());
    }
    b.click(&b.find("a.lang-switch")?)?;
    b.wait_until("the Chinese dashboard", || {
        Ok((b.script("return document.documentElement.lang")? == json!("zh-CN")).then_some(()))
    })?;

    // M2 at desktop size: the to-do on the dashboard, the heat map, the records, the rules.
    b.find("#todo")?;
    for (path, marker, shot) in [
        ("/compliance", "#heatmap", "heatmap"),
        ("/activities", "#activities", "activities"),
        ("/obligations", "#obligations", "obligations"),
    ] {
        b.goto(&format!("{base}{path}"))?;
        b.find(marker)?;
        let overflow = b.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        )?;
        if overflow.as_i64().unwrap_or(1) > 0 {
            return Err(format!(
                "{path} should not scroll sideways (overflow {overflow})"
            ));
        }
        b.screenshot(shot)?;
    }
    // The heat map links each org to its year calendar.
    b.goto(&format!("{base}/compliance"))?;
    b.click(&b.find("#heatmap tbody a")?)?;
    b.find("#calendar")?;
    b.screenshot("calendar")?;
    Ok(())
}

fn phone_flow(b: &Browser, base: &str) -> Res<()> {
    b.goto(&format!("{base}/login"))?;
    b.find("#username")?;
    b.screenshot("login")?;
    login(b, base, "admin", ADMIN_PASSWORD)?;
    let toggle = b.find("#menu-toggle")?;
    let nav = b.find("#sidenav")?;
    if !b.displayed(&toggle)? || b.displayed(&nav)? {
        return Err("on a phone the navigation should collapse behind the menu button".into());
    }
    let overflow = b.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    )?;
    if overflow.as_i64().unwrap_or(1) > 0 {
        return Err(format!(
            "the dashboard should not scroll sideways on a phone (overflow {overflow})"
        ));
    }
    b.screenshot("dashboard")?;
    b.click(&toggle)?;
    b.wait_until("the navigation to open", || {
        Ok(b.displayed(&nav)?.then_some(()))
    })?;
    if b.script("return document.getElementById('menu-toggle').getAttribute('aria-expanded')")?
        != json!("true")
    {
        return Err("the menu button should say it is expanded".into());
    }
    b.screenshot("navigation")?;
    b.click(&b.find("#sidenav a[href='/societies']")?)?;
    b.find("#societies-table tbody tr")?;
    let widths = b.script(
        "const w = document.querySelector('.table-wrap'); return [w.scrollWidth, w.clientWidth, document.documentElement.scrollWidth, document.documentElement.clientWidth]",
    )?;
    let w: Vec<i64> = widths
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    if w.len() != 4 || w[0] <= w[1] || w[2] > w[3] {
        return Err(format!(
            "on a phone the table should scroll inside its wrapper, not the page: {w:?}"
        ));
    }
    b.screenshot("societies")?;
    Ok(())
}

/// The status and `done/required` text of this month's themed party day on an org's calendar.
fn theme_day_cell(b: &Browser, base: &str, org: &str, month: u32) -> Res<(String, String)> {
    b.goto(&format!("{base}/compliance/orgs/{org}"))?;
    b.find("#calendar")?;
    let v = b.script(&format!(
        "const r = [...document.querySelectorAll('#calendar tbody tr')].find(r => r.querySelector('th').textContent.includes('主题党日'));
         if (!r) return null;
         const c = r.querySelectorAll('td')[{}];
         return [c.dataset.status, c.childNodes[0] ? c.childNodes[0].textContent.trim() : ''];",
        month - 1
    ))?;
    let a = v
        .as_array()
        .ok_or_else(|| format!("no themed-day row on the calendar of org {org}"))?;
    Ok((
        a[0].as_str().unwrap_or("").to_string(),
        a[1].as_str().unwrap_or("").to_string(),
    ))
}

/// M2 at phone size: a branch secretary records this month's themed party day with a photo,
/// and sees the month turn `met` on the org's calendar.
fn phone_activity_flow(b: &Browser, base: &str, work: &Path) -> Res<()> {
    b.cmd("DELETE", "/cookie", None)?;
    login(b, base, "zhibu", "zhibu-demo-1")?;
    b.find("#todo")?;
    b.screenshot("todo")?;
    b.goto(&format!("{base}/activities/new"))?;
    let today = b.script("return document.getElementById('f-held_on').value")?;
    let today = today.as_str().unwrap_or("").to_string();
    let month: u32 = today
        .get(5..7)
        .and_then(|m| m.parse().ok())
        .ok_or_else(|| format!("the date field should hold today, got {today:?}"))?;
    let org = b.script("return document.getElementById('f-party_org_id').value")?;
    let org = org.as_str().unwrap_or("").to_string();
    if org.is_empty() {
        return Err("the form should preselect the secretary's own org".into());
    }
    let (_, before) = theme_day_cell(b, base, &org, month)?;
    let done_before: i64 = before
        .split('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);

    b.goto(&format!("{base}/activities/new"))?;
    b.click(&b.find("#kind-theme_day")?)?;
    let topic = b.find("#f-topic")?;
    b.type_into(&topic, "主题党日：科技志愿服务进社区")?;
    b.type_into(&b.find("#f-attendees_expected")?, "12")?;
    b.type_into(&b.find("#f-attendees_present")?, "11")?;
    let photo = work.join("photo.png");
    std::fs::write(
        &photo,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde",
    )
    .map_err(|e| e.to_string())?;
    b.type_into(&b.find("#f-files")?, &photo.display().to_string())?;
    let overflow = b.script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
    )?;
    if overflow.as_i64().unwrap_or(1) > 0 {
        return Err(format!(
            "the activity form should fit a phone (overflow {overflow})"
        ));
    }
    b.screenshot("activity-form")?;
    b.click(&b.find("#save")?)?;
    b.wait_until("the record to be saved", || {
        Ok(b.url()?.contains("msg=saved").then_some(()))
    })?;
    let files = b.script("return document.querySelectorAll('#attachments li').length")?;
    if files.as_i64() != Some(1) {
        return Err(format!("the photo should be attached, found {files}"));
    }
    b.screenshot("activity-saved")?;
    let (status, after) = theme_day_cell(b, base, &org, month)?;
    let done_after: i64 = after
        .split('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(-1);
    if status != "met" || done_after != done_before + 1 {
        return Err(format!(
            "this month's themed party day should turn met with one more record: before {before:?}, after {after:?} ({status})"
        ));
    }
    b.screenshot("calendar")?;
    b.goto(&format!("{base}/compliance"))?;
    b.find("#heatmap")?;
    b.screenshot("heatmap")?;
    Ok(())
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[test]
fn headless_chromium_flows() {
    let work = TempDir::new();
    for stale in ["desktop-failure.png", "phone-failure.png"] {
        let _ = std::fs::remove_file(screenshots_dir().join(stale));
    }
    let (_driver, driver_port) = start_chromedriver();
    let (_server, base) = start_server(work.path());

    let desktop = Browser::open(
        driver_port,
        "desktop",
        &work.path().join("profile-desktop"),
        false,
    )
    .expect("a desktop Chromium session");
    let result = desktop.run(|b| desktop_flow(b, &base, work.path()));
    drop(desktop);
    if let Err(e) = result {
        panic!("desktop flow failed: {e}");
    }

    let phone = Browser::open(
        driver_port,
        "phone",
        &work.path().join("profile-phone"),
        true,
    )
    .expect("a phone-sized Chromium session");
    let result = phone.run(|b| {
        phone_flow(b, &base)?;
        phone_activity_flow(b, &base, work.path())
    });
    drop(phone);
    if let Err(e) = result {
        panic!("phone flow failed: {e}");
    }
    eprintln!("browser screenshots in {}", screenshots_dir().display());
}

/// M4: a branch secretary submits a rectification from the inbox on a phone; an inspector
/// verifies it (销号) on the desktop page; the ledger shows it closed out.
fn rectification_flow(b: &Browser, base: &str) -> Res<()> {
    login(b, base, "zhibu", "zhibu-demo-1")?;
    b.find("#work-dashboard")?;
    b.goto(&format!("{base}/inbox"))?;
    let link = b.find("#inbox-rects li a")?;
    b.click(&link)?;
    b.find("#submit-form")?;
    let rect_url = b.url()?;
    b.type_into(&b.find("#f-response")?, "已补齐“三会一课”记录并整理归档。")?;
    b.screenshot("rect-submit")?;
    b.click(&b.find("#submit-save")?)?;
    b.find(".alert.ok")?;
    let state = b.text_of("#rect-state")?;
    if state != "已提交" {
        return Err(format!(
            "after submitting, the state should be 已提交, got {state:?}"
        ));
    }
    b.cmd("DELETE", "/cookie", None)?;
    login(b, base, "duzhi", "duzhi-demo-1")?;
    b.goto(&rect_url)?;
    b.find("#verify-form")?;
    b.type_into(&b.find("#f-comment")?, "整改到位，同意销号。")?;
    b.click(&b.find("#verify-ok")?)?;
    b.find(".alert.ok")?;
    let state = b.text_of("#rect-state")?;
    if state != "已销号" {
        return Err(format!(
            "after verifying, the state should be 已销号, got {state:?}"
        ));
    }
    let events = b.text_of("#events")?;
    if !(events.contains("zhibu") && events.contains("duzhi")) {
        return Err(format!("the history should name both users: {events}"));
    }
    b.screenshot("rect-verified")?;
    Ok(())
}

#[test]
fn headless_chromium_rectification_flow() {
    let work = TempDir::new();
    let (_driver, driver_port) = start_chromedriver();
    let (_server, base) = start_server(work.path());
    let phone = Browser::open(
        driver_port,
        "rectification",
        &work.path().join("profile-rect"),
        true,
    )
    .expect("a phone-sized Chromium session");
    let result = phone.run(|b| rectification_flow(b, &base));
    drop(phone);
    if let Err(e) = result {
        panic!("rectification flow failed: {e}");
    }
}
