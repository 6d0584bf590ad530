//! End-to-end in headless Chromium: the real server as `dangjian serve --demo` builds it
//! (`testkit::spawn_server`: `app::Application` on a free port, in-process), driven over the
//! W3C WebDriver protocol by chromedriver through the `fantoccini` client (plain HTTP to
//! chromedriver on localhost, so no TLS stack is built).
//!
//! Flows: sign in, read the dashboard, create a society (field errors first), see the
//! dashboard figures change, search the list live (htmx), import a CSV with a bad row and see
//! the error row with nothing written; then the phone layout (390×844): login, dashboard,
//! the collapsed navigation, a list that scrolls inside its wrapper.
//! M7 at 390×844: a branch secretary reports to a community (我们报到了) and records a
//! service with a photo (记一次服务), and the campaign's figure moves; its pages at 1280 px.
//!
//! Screenshots go to `target/browser-screenshots/` (on failure, and a few on success).
//! Needs `/usr/bin/chromium` and `/usr/bin/chromedriver` (Debian: chromium, chromium-driver)
//! and a CJK font (fonts-noto-cjk); a missing browser fails the test, it does not skip.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ADMIN_PASSWORD: &str = testkit::DEMO_ADMIN_PASSWORD;
const WAIT: Duration = Duration::from_secs(15);
const POLL: Duration = Duration::from_millis(100);

type Res<T> = anyhow::Result<T>;

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

/// Starts chromedriver on a free port and waits until it accepts connections.
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
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "chromedriver did not start listening"
        );
        std::thread::sleep(POLL);
    }
    (proc, port)
}

// ------------------------------------------------------------------ the browser

/// A fantoccini session plus what the flows need on top: waiting finds, polling and
/// named screenshots.
struct Browser {
    c: Client,
    shots: PathBuf,
    /// Prefix of screenshot names (`desktop`, `phone`).
    name: &'static str,
    /// Whether the session emulates the 390×844 phone.
    phone: bool,
}

impl Browser {
    async fn open(port: u16, name: &'static str, profile: &Path, phone: bool) -> Res<Browser> {
        Self::open_with(port, name, profile, phone, (1366, 900)).await
    }

    /// A desktop session whose window is `width`×`height` (the big screen's 1920×1080).
    async fn open_sized(
        port: u16,
        name: &'static str,
        profile: &Path,
        (width, height): (u32, u32),
    ) -> Res<Browser> {
        let b = Self::open_with(port, name, profile, false, (width, height)).await?;
        // The window includes the browser's own bars: grow it until the page sees the size.
        let inner = b
            .script("return [window.outerWidth - window.innerWidth, window.outerHeight - window.innerHeight]")
            .await?;
        let d: Vec<u32> = inner
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_u64)
                    .map(|v| v as u32)
                    .collect()
            })
            .unwrap_or_default();
        if let [dw, dh] = d[..] {
            b.c.set_window_size(width + dw, height + dh).await?;
        }
        Ok(b)
    }

    async fn open_with(
        port: u16,
        name: &'static str,
        profile: &Path,
        phone: bool,
        (width, height): (u32, u32),
    ) -> Res<Browser> {
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
            format!("--window-size={width},{height}"),
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
        let Value::Object(caps) = json!({
            "browserName": "chrome",
            "goog:chromeOptions": opts,
            "timeouts": {"pageLoad": 60000, "script": 30000, "implicit": 0},
        }) else {
            unreachable!("a JSON object")
        };
        let c = ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .context("start a Chromium session")?;
        Ok(Browser {
            c,
            shots: screenshots_dir(),
            name,
            phone,
        })
    }

    /// Waits for an element to appear.
    async fn find(&self, css: &str) -> Res<Element> {
        self.c
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
            .map_err(|e| match e {
                CmdError::WaitTimeout => anyhow!("element `{css}` did not appear within {WAIT:?}"),
                e => anyhow!(e).context(format!("element `{css}` did not appear")),
            })
    }

    async fn text_of(&self, css: &str) -> Res<String> {
        Ok(self.find(css).await?.text().await?)
    }

    async fn script(&self, js: &str) -> Res<Value> {
        Ok(self.c.execute(js, vec![]).await?)
    }

    async fn url(&self) -> Res<String> {
        Ok(self.c.current_url().await?.to_string())
    }

    /// Polls `check` until it returns `Ok(Some(_))`.
    async fn wait_until<T>(
        &self,
        what: &str,
        mut check: impl AsyncFnMut() -> Res<Option<T>>,
    ) -> Res<T> {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            match check().await {
                Ok(Some(v)) => return Ok(v),
                Ok(None) => {}
                Err(e) => last = format!("{e:#}"),
            }
            if start.elapsed() > WAIT {
                bail!("timed out waiting for {what} {last}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn screenshot(&self, what: &str) -> Res<PathBuf> {
        let png = self.c.screenshot().await?;
        let path = self.shots.join(format!("{}-{what}.png", self.name));
        std::fs::write(&path, png).with_context(|| format!("write {}", path.display()))?;
        Ok(path)
    }

    /// Runs a flow, then ends the session (Chromium quits); on failure saves a screenshot
    /// first and says where.
    async fn run(self, flow: impl AsyncFnOnce(&Browser) -> Res<()>) -> Res<()> {
        let result = match flow(&self).await {
            Ok(()) => Ok(()),
            Err(e) => {
                let url = self.url().await.unwrap_or_default();
                Err(match self.screenshot("failure").await {
                    Ok(p) => {
                        eprintln!("browser test failed; screenshot: {}", p.display());
                        anyhow!("{e:#}\n  at {url}\n  screenshot: {}", p.display())
                    }
                    Err(s) => anyhow!("{e:#}\n  at {url}\n  (no screenshot: {s:#})"),
                })
            }
        };
        let _ = self.c.close().await;
        result
    }
}

// ------------------------------------------------------------------ the flows

fn number(text: &str) -> Res<i64> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    digits
        .parse()
        .with_context(|| format!("not a number: {text:?}"))
}

async fn login(b: &Browser, base: &str, user: &str, password: &str) -> Res<()> {
    b.c.goto(&format!("{base}/login")).await?;
    let u = b.find("#username").await?;
    u.send_keys(user).await?;
    let p = b.find("#password").await?;
    p.send_keys(password).await?;
    b.find("#login-form button[type=submit]")
        .await?
        .click()
        .await?;
    b.find("#kpi-societies").await?;
    Ok(())
}

async fn figures(b: &Browser, base: &str) -> Res<(i64, i64)> {
    b.c.goto(&format!("{base}/")).await?;
    let societies = number(&b.text_of("#kpi-societies .num").await?)?;
    let should = number(&b.text_of("#kpi-should-establish .num").await?)?;
    Ok((societies, should))
}

async fn desktop_flow(b: &Browser, base: &str, work: &Path) -> Res<()> {
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    let lang = b.script("return document.documentElement.lang").await?;
    if lang != json!("zh-CN") {
        bail!("the pages should default to Chinese, got lang={lang}");
    }
    let (societies, should) = figures(b, base).await?;
    if societies < 1 {
        bail!("the demo should have societies, dashboard says {societies}");
    }
    b.find("svg.donut").await?;
    b.find("svg.bars").await?;
    b.screenshot("dashboard").await?;

    // A bad form says what is wrong next to each field and keeps what was typed.
    b.c.goto(&format!("{base}/societies/new")).await?;
    let full = b.find("#f-full_members").await?;
    full.clear().await?;
    full.send_keys("-1").await?;
    b.find("#save").await?.click().await?;
    let name_err = b.text_of("#e-name").await?;
    let count_err = b.text_of("#e-full_members").await?;
    if !name_err.contains("必填") || !count_err.contains("不能为负数") {
        bail!("field errors should be in Chinese next to the fields: {name_err:?} / {count_err:?}");
    }
    let kept = b
        .script("return document.getElementById('f-full_members').value")
        .await?;
    if kept != json!("-1") {
        bail!("the form should keep what was typed, got {kept}");
    }

    // Create a society covered by no org with 5 full members: it should establish a branch.
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() % 1_000_000)
        .unwrap_or(0);
    let name = format!("浏览器测试学会{stamp}");
    let f_name = b.find("#f-name").await?;
    f_name.clear().await?;
    f_name.send_keys(&name).await?;
    let full = b.find("#f-full_members").await?;
    full.clear().await?;
    full.send_keys("5").await?;
    b.script("document.getElementById('f-party_org_id').value = ''; return true")
        .await?;
    b.find("#save").await?.click().await?;
    b.wait_until("the new society's page", async || {
        Ok(b.url().await?.contains("msg=created").then_some(()))
    })
    .await?;
    b.find(".facts .badge.cov-none").await?;
    let (societies2, should2) = figures(b, base).await?;
    if societies2 != societies + 1 || should2 != should + 1 {
        bail!(
            "dashboard should go from {societies}/{should} to {}/{} (societies/should-establish), got {societies2}/{should2}",
            societies + 1,
            should + 1
        );
    }

    // The list updates as one types (htmx), without a page load.
    b.c.goto(&format!("{base}/societies")).await?;
    b.find("#societies-table tbody tr").await?;
    b.screenshot("societies-list").await?;
    b.script("window.__same_page = true; return true").await?;
    let q = b.find("#q").await?;
    q.send_keys(&name).await?;
    b.wait_until(
        "the search to narrow the list to the new society",
        async || {
            let summary = b.text_of("#results-summary").await?;
            let rows = b
                .script("return document.querySelectorAll('#societies-table tbody tr').length")
                .await?;
            Ok((summary.contains("共 1 个") && rows == json!(1)).then_some(()))
        },
    )
    .await?;
    let same = b.script("return window.__same_page === true").await?;
    if same != json!(true) {
        bail!("typing in the search box should update the table in place");
    }
    if !b.text_of("#societies-table tbody").await?.contains(&name) {
        bail!("the search result should show the new society");
    }
    if !b.url().await?.contains("q=") {
        bail!("the search should be in the address bar (hx-push-url)");
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
    std::fs::write(&file, csv)?;
    b.c.goto(&format!("{base}/import")).await?;
    let input = b.find("#file").await?;
    input.send_keys(&file.display().to_string()).await?;
    b.find("#import-submit").await?.click().await?;
    b.find("#import-errors").await?;
    let rows = b.script(
        "return Array.from(document.querySelectorAll('#import-errors tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent.trim()))",
    ).await?;
    let rows = rows.as_array().cloned().unwrap_or_default();
    let hit = rows.iter().any(|r| {
        r[0] == json!("3")
            && r[1] == json!("正式党员数")
            && r[2].as_str().is_some_and(|m| m.contains("不小于 0 的整数"))
    });
    if rows.len() != 1 || !hit {
        bail!("expected one error on row 3, column 正式党员数; got {rows:?}");
    }
    if !b.text_of("#import-failed").await?.contains("未写入") {
        bail!("the import page should say nothing was written");
    }
    b.screenshot("import-errors").await?;
    for good in [&good_a, &good_b] {
        b.c.goto(&format!("{base}/societies?q={}", url_encode(good)))
            .await?;
        let summary = b.text_of("#results-summary").await?;
        if !summary.contains("共 0 个") {
            bail!("{good} must not be written by a failed import; the list says {summary:?}");
        }
    }

    // The language switch: English and back.
    b.c.goto(&format!("{base}/")).await?;
    b.find("a.lang-switch").await?.click().await?;
    b.wait_until("the English dashboard", async || {
        Ok((b.script("return document.documentElement.lang").await? == json!("en")).then_some(()))
    })
    .await?;
    if !b.text_of("main h1").await?.contains("Dashboard") {
        bail!("the English dashboard should say Dashboard");
    }
    b.find("a.lang-switch").await?.click().await?;
    b.wait_until("the Chinese dashboard", async || {
        Ok(
            (b.script("return document.documentElement.lang").await? == json!("zh-CN"))
                .then_some(()),
        )
    })
    .await?;

    // M2 at desktop size: the to-do on the dashboard, the heat map, the records, the rules.
    b.find("#todo").await?;
    for (path, marker, shot) in [
        ("/compliance", "#heatmap", "heatmap"),
        ("/activities", "#activities", "activities"),
        ("/obligations", "#obligations", "obligations"),
    ] {
        b.c.goto(&format!("{base}{path}")).await?;
        b.find(marker).await?;
        let overflow = b.script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        ).await?;
        if overflow.as_i64().unwrap_or(1) > 0 {
            bail!("{path} should not scroll sideways (overflow {overflow})");
        }
        b.screenshot(shot).await?;
    }
    // The heat map links each org to its year calendar.
    b.c.goto(&format!("{base}/compliance")).await?;
    b.find("#heatmap tbody a").await?.click().await?;
    b.find("#calendar").await?;
    b.screenshot("calendar").await?;
    Ok(())
}

async fn phone_flow(b: &Browser, base: &str) -> Res<()> {
    b.c.goto(&format!("{base}/login")).await?;
    b.find("#username").await?;
    b.screenshot("login").await?;
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    let toggle = b.find("#menu-toggle").await?;
    let nav = b.find("#sidenav").await?;
    if !toggle.is_displayed().await? || nav.is_displayed().await? {
        bail!("on a phone the navigation should collapse behind the menu button");
    }
    let overflow = b
        .script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        )
        .await?;
    if overflow.as_i64().unwrap_or(1) > 0 {
        bail!("the dashboard should not scroll sideways on a phone (overflow {overflow})");
    }
    b.screenshot("dashboard").await?;
    toggle.click().await?;
    b.wait_until("the navigation to open", async || {
        Ok(nav.is_displayed().await?.then_some(()))
    })
    .await?;
    if b.script("return document.getElementById('menu-toggle').getAttribute('aria-expanded')")
        .await?
        != json!("true")
    {
        bail!("the menu button should say it is expanded");
    }
    b.screenshot("navigation").await?;
    b.find("#sidenav a[href='/societies']")
        .await?
        .click()
        .await?;
    b.find("#societies-table tbody tr").await?;
    let widths = b.script(
        "const w = document.querySelector('.table-wrap'); return [w.scrollWidth, w.clientWidth, document.documentElement.scrollWidth, document.documentElement.clientWidth]",
    ).await?;
    let w: Vec<i64> = widths
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    if w.len() != 4 || w[0] > w[1] || w[2] > w[3] {
        bail!("on a phone the list should be cards that scroll neither in their wrapper nor the page: {w:?}");
    }
    b.screenshot("societies").await?;
    Ok(())
}

/// The status and `done/required` text of this month's themed party day on an org's calendar.
async fn theme_day_cell(b: &Browser, base: &str, org: &str, month: u32) -> Res<(String, String)> {
    b.c.goto(&format!("{base}/compliance/orgs/{org}")).await?;
    b.find("#calendar").await?;
    let v = b.script(&format!(
        "const r = [...document.querySelectorAll('#calendar tbody tr')].find(r => r.querySelector('th').textContent.includes('主题党日'));
         if (!r) return null;
         const c = r.querySelectorAll('td')[{}];
         const a = c.querySelector('a');
         return [c.dataset.status, a && a.childNodes[0] ? a.childNodes[0].textContent.trim() : ''];",
        month - 1
    )).await?;
    let a = v
        .as_array()
        .with_context(|| format!("no themed-day row on the calendar of org {org}"))?;
    Ok((
        a[0].as_str().unwrap_or("").to_string(),
        a[1].as_str().unwrap_or("").to_string(),
    ))
}

/// M2 at phone size: a branch secretary records this month's themed party day with a photo,
/// and sees the month turn `met` on the org's calendar.
async fn phone_activity_flow(b: &Browser, base: &str, work: &Path) -> Res<()> {
    b.c.delete_all_cookies().await?;
    login(b, base, "zhibu", "zhibu-demo-1").await?;
    b.find("#todo").await?;
    b.screenshot("todo").await?;
    b.c.goto(&format!("{base}/activities/new")).await?;
    let today = b
        .script("return document.getElementById('f-held_on').value")
        .await?;
    let today = today.as_str().unwrap_or("").to_string();
    let month: u32 = today
        .get(5..7)
        .and_then(|m| m.parse().ok())
        .with_context(|| format!("the date field should hold today, got {today:?}"))?;
    let org = b
        .script("return document.getElementById('f-party_org_id').value")
        .await?;
    let org = org.as_str().unwrap_or("").to_string();
    if org.is_empty() {
        bail!("the form should preselect the secretary's own org");
    }
    let (_, before) = theme_day_cell(b, base, &org, month).await?;
    let done_before: i64 = before
        .split('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);

    b.c.goto(&format!("{base}/activities/new")).await?;
    b.find("#kind-theme_day").await?.click().await?;
    let topic = b.find("#f-topic").await?;
    topic.send_keys("主题党日：科技志愿服务进社区").await?;
    b.find("#f-attendees_expected")
        .await?
        .send_keys("12")
        .await?;
    b.find("#f-attendees_present")
        .await?
        .send_keys("11")
        .await?;
    let photo = work.join("photo.png");
    std::fs::write(
        &photo,
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x02\0\0\0\x90wS\xde",
    )?;
    b.find("#f-files")
        .await?
        .send_keys(&photo.display().to_string())
        .await?;
    let overflow = b
        .script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        )
        .await?;
    if overflow.as_i64().unwrap_or(1) > 0 {
        bail!("the activity form should fit a phone (overflow {overflow})");
    }
    b.screenshot("activity-form").await?;
    b.find("#save").await?.click().await?;
    b.wait_until("the record to be saved", async || {
        Ok(b.url().await?.contains("msg=saved").then_some(()))
    })
    .await?;
    let files = b
        .script("return document.querySelectorAll('#attachments li').length")
        .await?;
    if files.as_i64() != Some(1) {
        bail!("the photo should be attached, found {files}");
    }
    b.screenshot("activity-saved").await?;
    let (status, after) = theme_day_cell(b, base, &org, month).await?;
    let done_after: i64 = after
        .split('/')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or(-1);
    if status != "met" || done_after != done_before + 1 {
        bail!(
            "this month's themed party day should turn met with one more record: before {before:?}, after {after:?} ({status})"
        );
    }
    b.screenshot("calendar").await?;
    b.c.goto(&format!("{base}/compliance")).await?;
    b.find("#heatmap").await?;
    b.screenshot("heatmap").await?;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_flows() {
    for stale in ["desktop-failure.png", "phone-failure.png"] {
        let _ = std::fs::remove_file(screenshots_dir().join(stale));
    }
    let (_driver, driver_port) = start_chromedriver();
    let server = testkit::spawn_server().await;
    let (base, work) = (&server.url, server.path());

    let desktop = Browser::open(driver_port, "desktop", &work.join("profile-desktop"), false)
        .await
        .expect("a desktop Chromium session");
    let result = desktop
        .run(async |b| desktop_flow(b, base, work).await)
        .await;
    if let Err(e) = result {
        panic!("desktop flow failed: {e:#}");
    }

    let phone = Browser::open(driver_port, "phone", &work.join("profile-phone"), true)
        .await
        .expect("a phone-sized Chromium session");
    let result = phone
        .run(async |b| {
            phone_flow(b, base).await?;
            phone_activity_flow(b, base, work).await
        })
        .await;
    if let Err(e) = result {
        panic!("phone flow failed: {e:#}");
    }
    eprintln!("browser screenshots in {}", screenshots_dir().display());
}

/// M4: a branch secretary submits a rectification from the inbox on a phone; an inspector
/// verifies it (销号) on the desktop page; the ledger shows it closed out.
async fn rectification_flow(b: &Browser, base: &str) -> Res<()> {
    login(b, base, "zhibu", "zhibu-demo-1").await?;
    b.find("#work-dashboard").await?;
    b.c.goto(&format!("{base}/inbox")).await?;
    let link = b.find("#inbox-rectification li a").await?;
    link.click().await?;
    b.find("#submit-form").await?;
    let rect_url = b.url().await?;
    b.find("#f-response")
        .await?
        .send_keys("已补齐“三会一课”记录并整理归档。")
        .await?;
    b.screenshot("rect-submit").await?;
    b.find("#submit-save").await?.click().await?;
    b.find(".alert.ok").await?;
    let state = b.text_of("#record-state").await?;
    if state != "已提交" {
        bail!("after submitting, the state should be 已提交, got {state:?}");
    }
    b.c.delete_all_cookies().await?;
    login(b, base, "duzhi", "duzhi-demo-1").await?;
    b.c.goto(&rect_url).await?;
    b.find("#verify-form").await?;
    b.find("#f-comment")
        .await?
        .send_keys("整改到位，同意销号。")
        .await?;
    b.find("#verify-verify").await?.click().await?;
    let notice = b.text_of(".alert.ok").await?;
    if !notice.contains("销号") {
        bail!("after verifying, the notice should say the finding is closed out: {notice:?}");
    }
    let state = b.text_of("#record-state").await?;
    if state != "已销号" {
        bail!("after verifying, the state should be 已销号, got {state:?}");
    }
    let events = b.text_of("#events").await?;
    if !(events.contains("zhibu") && events.contains("duzhi")) {
        bail!("the history should name both users: {events}");
    }
    b.screenshot("rect-verified").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_rectification_flow() {
    let (_driver, driver_port) = start_chromedriver();
    let server = testkit::spawn_server().await;
    let (base, work) = (&server.url, server.path());
    let phone = Browser::open(
        driver_port,
        "rectification",
        &work.join("profile-rect"),
        true,
    )
    .await
    .expect("a phone-sized Chromium session");
    let result = phone.run(async |b| rectification_flow(b, base).await).await;
    if let Err(e) = result {
        panic!("rectification flow failed: {e:#}");
    }
}

// ------------------------------------------------------------------ each role's home, phone cards

/// The page's sideways overflow in CSS pixels (0: nothing scrolls sideways).
async fn overflow(b: &Browser) -> Res<i64> {
    let v = b
        .script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth",
        )
        .await?;
    v.as_i64().context("the overflow should be a number")
}

/// The demo's five users, one per role, and what each role's home must show first.
const ROLES: [(&str, &str, &str); 5] = [
    ("admin", ADMIN_PASSWORD, "admin"),
    ("weiyuan", "weiyuan-demo", "committee"),
    ("duzhi", "duzhi-demo-1", "inspector"),
    ("lingdao", "lingdao-demo", "viewer"),
    ("zhibu", "zhibu-demo-1", "branch"),
];

/// Each role's home at this session's size: nothing scrolls sideways; those who oversee see
/// the key figures, the trend by month and the orgs most behind before their to-do, and a
/// short to-do; a branch sees its to-do first and the count of what waits on it as a badge
/// in the navigation (on the phone, on the menu button).
async fn homes_flow(b: &Browser, base: &str) -> Res<()> {
    for (user, password, role) in ROLES {
        b.c.delete_all_cookies().await?;
        login(b, base, user, password).await?;
        b.find("#todo").await?;
        let over = overflow(b).await?;
        if over > 0 {
            bail!("{role}'s home scrolls sideways by {over}px");
        }
        let order = b
            .script(
                "const p = id => { const e = document.getElementById(id); return e ? e.getBoundingClientRect().top + window.scrollY : -1; };
                 return [p('kpi-societies'), p('trend'), p('work-dashboard'), p('todo'), document.querySelectorAll('#todo li').length, document.documentElement.scrollHeight];",
            )
            .await?;
        let o: Vec<f64> = order
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_f64).collect())
            .unwrap_or_default();
        let [kpis, trend, work, todo, todo_rows, height] = o[..] else {
            bail!("positions of the home's blocks: {order}");
        };
        if role == "branch" {
            if trend >= 0.0 {
                bail!("a branch's home has no committee-wide trend");
            }
            if !(todo < work && todo < kpis) {
                bail!("a branch sees its to-do first: {o:?}");
            }
            // What waits on the branch shows as a badge in the navigation.
            let badge = if b.phone {
                "#menu-toggle .nav-badge"
            } else {
                "#badge-inbox"
            };
            let n = number(&b.text_of(badge).await?)?;
            if n < 1 || !b.find(badge).await?.is_displayed().await? {
                bail!("the branch's inbox badge should show a count, got {n}");
            }
        } else {
            if !(kpis < trend && trend < work && work < todo) {
                bail!("{role} sees figures, trend, the orgs most behind, then the to-do: {o:?}");
            }
            let lines = b
                .script("return document.querySelectorAll('#trend svg.lines polyline').length")
                .await?;
            if lines != json!(3) {
                bail!("{role}'s trend should draw three lines, got {lines}");
            }
            if todo_rows > 30.0 {
                bail!("{role}'s to-do on the home should be short, it has {todo_rows} rows");
            }
        }
        if height > 9000.0 {
            bail!("{role}'s home is {height}px tall: it should summarize, not list");
        }
        b.screenshot(&format!("home-{role}")).await?;
        // And further down: the trend and the orgs most behind (to-do and ledgers for a branch).
        let below = if role == "branch" {
            "work-dashboard"
        } else {
            "trend"
        };
        b.script(&format!(
            "document.getElementById('{below}').scrollIntoView(); return true"
        ))
        .await?;
        b.screenshot(&format!("home-{role}-below")).await?;
    }
    Ok(())
}

/// The lists on a phone: cards that do not scroll sideways, each card's title as wide as
/// the card (no word broken a character a line), its state readable; the heat map's cells
/// open the records behind them.
async fn cards_flow(b: &Browser, base: &str) -> Res<()> {
    b.c.delete_all_cookies().await?;
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    for (path, table, state) in [
        ("/societies", "societies-table", ".badge[class*=cov-]"),
        ("/activities", "activities", ".badge"),
        ("/tasks", "tasks-table", ".badge[class*=st-]"),
        ("/rectifications", "rects-table", ".badge[class*=st-]"),
        ("/inspections", "inspections", ""),
        ("/users", "users-table", ""),
        ("/audit", "audit-table", ".badge"),
    ] {
        b.c.goto(&format!("{base}{path}")).await?;
        b.find(&format!("#{table} tbody tr")).await?;
        let over = overflow(b).await?;
        if over > 0 {
            bail!("{path} scrolls sideways on a phone by {over}px");
        }
        let card = b
            .script(&format!(
                "const r = document.querySelector('#{table} tbody tr');
                 const t = r.querySelector('.card-title') || r.cells[0];
                 const s = '{state}' ? r.querySelector('{state}') : null;
                 const sr = s ? s.getBoundingClientRect() : null;
                 return [getComputedStyle(r).display, r.getBoundingClientRect().width, t.getBoundingClientRect().width,
                         document.querySelector('#{table} thead').getBoundingClientRect().height,
                         sr ? sr.right : 0, sr ? sr.width : -1];"
            ))
            .await?;
        let c = card.as_array().cloned().unwrap_or_default();
        let num = |i: usize| c.get(i).and_then(Value::as_f64).unwrap_or(-1.0);
        if c.first() != Some(&json!("flex")) {
            bail!("{path}: a row should be a card on a phone, got {card}");
        }
        if num(1) < 300.0 || num(2) < num(1) * 0.8 {
            bail!("{path}: the card and its title should take the width: {card}");
        }
        if num(3) > 2.0 {
            bail!("{path}: the table's header should give way to the cards' labels: {card}");
        }
        if !state.is_empty() && (num(5) <= 0.0 || num(4) > 390.0) {
            bail!("{path}: the card's state should be visible on screen: {card}");
        }
        b.screenshot(&format!("cards{}", path.replace('/', "-")))
            .await?;
    }
    // The org tree keeps to the screen too.
    b.c.goto(&format!("{base}/orgs")).await?;
    b.find("#org-tree").await?;
    if overflow(b).await? > 0 {
        bail!("the org tree scrolls sideways on a phone");
    }
    b.screenshot("cards-orgs").await?;
    // A heat-map cell opens the records behind it.
    b.c.goto(&format!("{base}/compliance")).await?;
    b.find("#heat-legend").await?;
    let colours = b
        .script("return document.querySelectorAll('#heat-legend li').length")
        .await?;
    if colours != json!(5) {
        bail!("the legend should explain five colours, got {colours}");
    }
    b.script("document.getElementById('h-heat').scrollIntoView(); return true")
        .await?;
    b.screenshot("cards-heatmap").await?;
    b.find("#heatmap td.heat.met a.heat-link, #heatmap td.heat.missed a.heat-link")
        .await?
        .click()
        .await?;
    b.wait_until("the records behind the cell", async || {
        Ok(b.url()
            .await?
            .contains("/activities?party_org_id=")
            .then_some(()))
    })
    .await?;
    b.find("#activities tbody tr, p.empty").await?;
    if overflow(b).await? > 0 {
        bail!("the records behind a cell scroll sideways on a phone");
    }
    b.screenshot("cards-heat-records").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_homes_and_phone_cards() {
    let (_driver, driver_port) = start_chromedriver();
    let server = testkit::spawn_server().await;
    let (base, work) = (&server.url, server.path());
    let desktop = Browser::open(driver_port, "desktop", &work.join("profile-homes-d"), false)
        .await
        .expect("a desktop Chromium session");
    if let Err(e) = desktop.run(async |b| homes_flow(b, base).await).await {
        panic!("homes at 1366×900 failed: {e:#}");
    }
    let phone = Browser::open(driver_port, "phone", &work.join("profile-homes-p"), true)
        .await
        .expect("a phone-sized Chromium session");
    let result = phone
        .run(async |b| {
            homes_flow(b, base).await?;
            cards_flow(b, base).await
        })
        .await;
    if let Err(e) = result {
        panic!("homes and cards at 390×844 failed: {e:#}");
    }
}

// ------------------------------------------------------------------ M5 periodic reports

const REPORT_TITLE: &str = "测试季报（浏览器）";

/// Sets a form control's value by its name (dates and selects, whatever the locale).
async fn set_value(b: &Browser, name: &str, value: &str) -> Res<()> {
    b.c.execute(
        "const e = document.querySelector(`[name=\"${arguments[0]}\"]`); e.value = arguments[1]; return true;",
        vec![json!(name), json!(value)],
    )
    .await?;
    Ok(())
}

async fn type_into(b: &Browser, name: &str, text: &str) -> Res<()> {
    let e = b.find(&format!("[name=\"{name}\"]")).await?;
    e.clear().await?;
    e.send_keys(text).await?;
    Ok(())
}

/// Scrolls an element to the middle of the screen (clear of the phone's sticky buttons),
/// then clicks it.
async fn click_centered(b: &Browser, css: &str) -> Res<()> {
    let e = b.find(css).await?;
    b.c.execute(
        "arguments[0].scrollIntoView({block: 'center'}); return true;",
        vec![serde_json::to_value(&e)?],
    )
    .await?;
    e.click().await?;
    Ok(())
}

/// The admin designs a quarterly report of the branches (desktop).
async fn report_design_flow(b: &Browser, base: &str) -> Res<String> {
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    b.c.goto(&format!("{base}/reports/forms/new")).await?;
    b.find("#designer").await?;
    type_into(b, "title", REPORT_TITLE).await?;
    b.script("document.querySelector('[name=active_from]').value = new Date().getFullYear() + '-01-01'; return true")
        .await?;
    for (i, (label, key, kind, unit, required)) in [
        ("进展情况", "progress", "text", "", true),
        ("本季度支出", "spent", "number", "元", true),
        ("完成程度", "status", "choice", "", true),
    ]
    .into_iter()
    .enumerate()
    {
        type_into(b, &format!("fields[{i}].label"), label).await?;
        type_into(b, &format!("fields[{i}].key"), key).await?;
        set_value(b, &format!("fields[{i}].type"), kind).await?;
        if !unit.is_empty() {
            type_into(b, &format!("fields[{i}].unit"), unit).await?;
            type_into(b, &format!("fields[{i}].min"), "0").await?;
        }
        if required {
            b.find(&format!("[name=\"fields[{i}].required\"]"))
                .await?
                .click()
                .await?;
        }
    }
    set_value(b, "fields[2].choices", "按计划推进\n滞后").await?;
    b.find("#designer-preview").await?.click().await?;
    b.find("#preview .choice").await?;
    b.screenshot("report-designer").await?;
    b.script("document.getElementById('preview').scrollIntoView(); return true")
        .await?;
    b.screenshot("report-designer-preview").await?;
    b.find("#designer-save").await?.click().await?;
    b.find("#matrix").await?;
    let url = b.url().await?;
    b.screenshot("report-matrix-new").await?;
    // a funded project with an expenditure, through the API (the demo has none)
    let made = b
        .c
        .execute_async(
            "const pw = arguments[0], done = arguments[arguments.length - 1];
             (async () => {
               const t = await (await fetch('/api/v1/auth/token', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({username: 'admin', password: pw})})).json();
               const h = {'content-type': 'application/json', authorization: 'Bearer ' + t.token};
               const soc = (await (await fetch('/api/v1/societies?per_page=1', {headers: h})).json()).items[0].id;
               const p = await (await fetch('/api/v1/funded-projects', {method: 'POST', headers: h, body: JSON.stringify({programme: 'double_high', title: '学术品牌建设', society_id: soc, year: new Date().getFullYear(), budget: 200000, indicators: [{name: '举办学术会议', unit: '场', target: 4, actual: 3}, {name: '科普活动', unit: '次', target: 2}]})})).json();
               await fetch(`/api/v1/funded-projects/${p.id}/expenditures`, {method: 'POST', headers: h, body: JSON.stringify({spent_on: new Date().toISOString().slice(0, 10), amount: 86000.5, purpose: '学术年会场地与资料印制'})});
               done(p.id);
             })().catch(e => done('error: ' + e));",
            vec![json!(ADMIN_PASSWORD)],
        )
        .await?;
    if !made.is_i64() {
        bail!("creating a funded project through the API: {made}");
    }
    b.c.goto(&format!("{base}/reports/projects/{made}")).await?;
    b.find("#expenditure-form").await?;
    b.screenshot("report-project").await?;
    Ok(url.split('?').next().unwrap_or_default().to_string())
}

/// The state badge of a submission's page.
async fn state_is(b: &Browser, want: &str) -> Res<()> {
    let state = b.text_of("#record-state").await?;
    if state != want {
        bail!("the state should be {want:?}, got {state:?}");
    }
    Ok(())
}

/// On a phone: the branch fills in and submits, the committee returns it with a reason,
/// the branch corrects and resubmits, the committee accepts; then the matrix.
async fn report_phone_flow(b: &Browser, base: &str, matrix: &str) -> Res<()> {
    login(b, base, "zhibu", "zhibu-demo-1").await?;
    b.c.goto(&format!("{base}/reports")).await?;
    b.find("#todo-table").await?;
    if overflow(b).await? > 0 {
        bail!("the to-fill list scrolls sideways on a phone");
    }
    b.screenshot("report-todo").await?;
    let href = b
        .c
        .execute(
            "const r = [...document.querySelectorAll('#todo-table tbody tr')].find(r => r.textContent.includes(arguments[0])); return r ? r.querySelector('a.btn').href : null;",
            vec![json!(REPORT_TITLE)],
        )
        .await?;
    let href = href
        .as_str()
        .context("the new report is in the branch's list")?;
    b.c.goto(href).await?;
    b.find("#report-form").await?;
    type_into(b, "values.progress", "按计划开展主题党日和学术活动。").await?;
    type_into(b, "values.spent", "-3").await?;
    b.find("#report-save").await?.click().await?;
    let err = b.text_of("#e-spent").await?;
    if err.is_empty() {
        bail!("a negative amount should be named next to its field");
    }
    b.screenshot("report-field-error").await?;
    type_into(b, "values.spent", "12800.5").await?;
    click_centered(b, "#field-status label.choice").await?;
    if overflow(b).await? > 0 {
        bail!("the report form scrolls sideways on a phone");
    }
    b.screenshot("report-fill").await?;
    b.find("#report-submit").await?.click().await?;
    let notice = b.text_of(".alert.ok").await?;
    if !notice.contains("已提交") {
        bail!("after submitting, the notice should say so: {notice:?}");
    }
    state_is(b, "已提交").await?;
    let rec = b
        .url()
        .await?
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    b.screenshot("report-submitted").await?;

    b.c.delete_all_cookies().await?;
    login(b, base, "weiyuan", "weiyuan-demo").await?;
    b.c.goto(&rec).await?;
    b.find("#review-form").await?;
    b.find("#f-comment")
        .await?
        .send_keys("支出金额与佐证材料不符，请核实。")
        .await?;
    b.screenshot("report-review").await?;
    b.find("#review-return").await?.click().await?;
    b.find(".alert.ok").await?;
    state_is(b, "已退回").await?;

    b.c.delete_all_cookies().await?;
    login(b, base, "zhibu", "zhibu-demo-1").await?;
    b.c.goto(&rec).await?;
    let reason = b.text_of("#return-reason").await?;
    if !reason.contains("佐证材料不符") {
        bail!("the branch should see why it was returned: {reason:?}");
    }
    b.screenshot("report-returned").await?;
    type_into(b, "values.spent", "12000").await?;
    b.find("#report-submit").await?.click().await?;
    b.find(".alert.ok").await?;
    state_is(b, "已提交").await?;

    b.c.delete_all_cookies().await?;
    login(b, base, "weiyuan", "weiyuan-demo").await?;
    b.c.goto(&rec).await?;
    b.find("#review-accept").await?.click().await?;
    b.find(".alert.ok").await?;
    state_is(b, "已通过").await?;
    let events = b.text_of("#events").await?;
    if !(events.contains("zhibu") && events.contains("weiyuan")) {
        bail!("the history should name both users: {events}");
    }
    b.screenshot("report-accepted").await?;
    b.c.goto(matrix).await?;
    b.find("#matrix td.heat.met").await?;
    if overflow(b).await? > 0 {
        bail!("the matrix page scrolls sideways on a phone (the matrix scrolls in its box)");
    }
    b.screenshot("report-matrix").await?;
    b.script("document.getElementById('h-matrix').scrollIntoView(); return true")
        .await?;
    b.screenshot("report-matrix-cells").await?;
    b.c.goto(&format!("{base}/reports/projects")).await?;
    b.find("#projects-table").await?;
    if overflow(b).await? > 0 {
        bail!("the projects ledger scrolls sideways on a phone");
    }
    b.screenshot("report-projects").await?;
    b.find("#projects-table tbody a").await?.click().await?;
    b.find("#project-kpis").await?;
    if overflow(b).await? > 0 {
        bail!("a project's page scrolls sideways on a phone");
    }
    b.screenshot("report-project").await?;
    b.c.delete_all_cookies().await?;
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    b.c.goto(&format!("{base}/reports/forms/new")).await?;
    b.find("#designer").await?;
    if overflow(b).await? > 0 {
        bail!("the designer scrolls sideways on a phone");
    }
    b.script("document.getElementById('design-rows').scrollIntoView(); return true")
        .await?;
    b.screenshot("report-designer").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_report_flow() {
    let (_driver, driver_port) = start_chromedriver();
    let server = testkit::spawn_server().await;
    let (base, work) = (&server.url, server.path());
    let desktop = Browser::open(driver_port, "desktop", &work.join("profile-rep-d"), false)
        .await
        .expect("a desktop Chromium session");
    let designed = desktop
        .run(async |b| report_design_flow(b, base).await.map(|_| ()))
        .await;
    if let Err(e) = designed {
        panic!("designing a report failed: {e:#}");
    }
    let phone = Browser::open(driver_port, "phone", &work.join("profile-rep-p"), true)
        .await
        .expect("a phone-sized Chromium session");
    let result = phone
        .run(async |b| {
            // the form the admin designed is the newest
            login(b, base, "weiyuan", "weiyuan-demo").await?;
            b.c.goto(&format!("{base}/reports")).await?;
            let href = b
                .c
                .execute(
                    "const r = [...document.querySelectorAll('#forms-table tbody tr')].find(r => r.textContent.includes(arguments[0])); return r ? r.querySelector('a').href : null;",
                    vec![json!(REPORT_TITLE)],
                )
                .await?;
            let matrix = href.as_str().context("the form in the committee's list")?.to_string();
            b.screenshot("report-forms").await?;
            b.c.delete_all_cookies().await?;
            report_phone_flow(b, base, &matrix).await
        })
        .await;
    if let Err(e) = result {
        panic!("the report flow at 390×844 failed: {e:#}");
    }
    let desktop = Browser::open(driver_port, "desktop", &work.join("profile-rep-d2"), false)
        .await
        .expect("a desktop Chromium session");
    let result = desktop
        .run(async |b| {
            login(b, base, "weiyuan", "weiyuan-demo").await?;
            b.c.goto(&format!("{base}/reports")).await?;
            b.find("#forms-table").await?;
            b.screenshot("report-forms").await?;
            b.find("#forms-table tbody tr a").await?.click().await?;
            b.find("#matrix").await?;
            b.screenshot("report-matrix").await?;
            b.c.goto(&format!("{base}/reports/projects")).await?;
            b.find("#projects-table").await?;
            b.screenshot("report-projects").await?;
            Ok(())
        })
        .await;
    if let Err(e) = result {
        panic!("the report pages at 1366×900 failed: {e:#}");
    }
}

// ------------------------------------------------------------------ M7 campaigns

const CAMPAIGN_TITLE: &str = "社区报到·治理增效（浏览器）";

/// A 64×48 PNG of a few colours (a photo the thumbnails can show).
const PHOTO: &[u8] = b"\x89\x50\x4e\x47\x0d\x0a\x1a\x0a\x00\x00\x00\x0d\x49\x48\x44\x52\x00\x00\x00\x40\x00\x00\x00\x30\x08\x02\x00\x00\x00\x2e\x29\xeb\x48\x00\x00\x00\x65\x49\x44\x41\x54\x78\xda\xed\xd7\xa1\x0d\xc0\x30\x0c\x04\xc0\x4c\x51\xd6\x15\x0a\x8a\x33\x58\x49\xf6\xeb\x24\x99\x23\x0b\xb8\xc8\x20\xb5\x74\xd2\xc3\x07\x3e\xf4\x72\x7b\x8f\x33\xcc\x7c\x7a\x98\xbf\xf5\x1b\x00\x00\x00\x00\x40\x0a\x50\xe5\xd0\xaf\x3e\x00\x00\x00\x00\x40\x0e\x60\x89\x01\x00\x00\x00\xfc\x03\x96\x18\x00\xa0\x30\xe0\x1a\x77\xe9\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xec\xca\x02\x4c\x0c\x76\xa4\x61\x00\x0c\xa9\x00\x00\x00\x00\x49\x45\x4e\x44\xae\x42\x60\x82";

/// The campaign's figures on its page: (participants, records).
async fn campaign_figures(b: &Browser) -> Res<(i64, i64)> {
    let participants = number(&b.text_of("#fig-participants").await?)?;
    let records = number(&b.text_of("#fig-records").await?)?;
    Ok((participants, records))
}

/// The office starts a campaign from its form (desktop); the campaign's page address.
async fn campaign_start_flow(b: &Browser, base: &str) -> Res<String> {
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    b.c.goto(&format!("{base}/campaigns/new")).await?;
    b.find("#campaign-form").await?;
    type_into(b, "title", CAMPAIGN_TITLE).await?;
    type_into(b, "target", "100").await?;
    b.find("#save").await?.click().await?;
    b.wait_until("the campaign to be created", async || {
        Ok(b.url().await?.contains("msg=created").then_some(()))
    })
    .await?;
    let url = b.url().await?;
    Ok(url.split('?').next().unwrap_or(&url).to_string())
}

/// M7 at phone size: a branch secretary opens the campaign, taps 我们报到了 with the
/// community's name, then 记一次服务 with a photo, and the campaign's figure moves
/// (participants +1, records +1).
async fn campaign_phone_flow(b: &Browser, base: &str, work: &Path, url: &str) -> Res<()> {
    login(b, base, "zhibu", "zhibu-demo-1").await?;
    b.c.goto(&format!("{base}/campaigns")).await?;
    b.find("#campaigns-table").await?;
    if overflow(b).await? > 0 {
        bail!("the campaigns list should fit a phone");
    }
    b.c.goto(url).await?;
    let (participants, records) = campaign_figures(b).await?;
    if overflow(b).await? > 0 {
        bail!("the campaign's page should fit a phone");
    }
    b.screenshot("campaign-before").await?;
    type_into(b, "place", "花园路社区").await?;
    click_centered(b, "#join").await?;
    b.wait_until("the report to the community", async || {
        Ok(b.url().await?.contains("msg=joined").then_some(()))
    })
    .await?;
    let (p, r) = campaign_figures(b).await?;
    if (p, r) != (participants + 1, records) {
        bail!(
            "after 我们报到了 the figure should be {} / {records} records, it is {p} / {r}",
            participants + 1
        );
    }
    if b.c.find(Locator::Css("#join-form")).await.is_ok() {
        bail!("the one-tap report should be gone once the org takes part");
    }
    b.screenshot("campaign-joined").await?;
    click_centered(b, "#record").await?;
    b.find("#record-form").await?;
    let held_on = b
        .script("return document.getElementById('f-held_on').value")
        .await?;
    let today = serde_json::Value::String(server_today());
    if held_on != today {
        bail!("the record's date should default to today: {held_on} vs {today}");
    }
    type_into(b, "title", "楼道清理志愿服务").await?;
    type_into(b, "participants", "9").await?;
    type_into(b, "notes", "与社区共建，清理楼道杂物").await?;
    let photo = work.join("campaign-photo.png");
    std::fs::write(&photo, PHOTO)?;
    b.find("#f-files")
        .await?
        .send_keys(&photo.display().to_string())
        .await?;
    if overflow(b).await? > 0 {
        bail!("the record form should fit a phone");
    }
    b.screenshot("campaign-record-form").await?;
    click_centered(b, "#save").await?;
    b.wait_until("the service to be recorded", async || {
        Ok(b.url().await?.contains("msg=recorded").then_some(()))
    })
    .await?;
    let (p, r) = campaign_figures(b).await?;
    if (p, r) != (participants + 1, records + 1) {
        bail!(
            "after 记一次服务 the figure should be {} / {} records, it is {p} / {r}",
            participants + 1,
            records + 1
        );
    }
    b.wait_until("the photo's thumbnail to load", async || {
        let w = b
            .script("const i = document.querySelector('#records .photo-strip img'); return i && i.complete ? i.naturalWidth : 0")
            .await?;
        Ok((w.as_i64().unwrap_or(0) > 0).then_some(()))
    })
    .await?;
    b.script("window.scrollTo(0, 0); return true").await?;
    b.screenshot("campaign").await?;
    b.script("document.getElementById('records').scrollIntoView(); return true")
        .await?;
    b.screenshot("campaign-records").await?;
    b.c.goto(&format!("{base}/campaigns")).await?;
    b.find("#campaigns-table").await?;
    b.screenshot("campaigns").await?;
    Ok(())
}

/// The campaign's page and the list at 1280 px, for the office and for the branch.
async fn campaign_desktop_flow(b: &Browser, base: &str, url: &str) -> Res<()> {
    b.c.set_window_size(1280, 900).await?;
    for (user, password, name) in [
        ("admin", ADMIN_PASSWORD, "admin"),
        ("zhibu", "zhibu-demo-1", "branch"),
    ] {
        b.c.delete_all_cookies().await?;
        login(b, base, user, password).await?;
        b.c.goto(url).await?;
        let (p, r) = campaign_figures(b).await?;
        if p < 1 || r < 1 {
            bail!("the campaign should show the branch's report and record: {p} / {r}");
        }
        if overflow(b).await? > 0 {
            bail!("the campaign's page should fit 1280 px");
        }
        b.screenshot(&format!("campaign-{name}")).await?;
        b.script("document.getElementById('records').scrollIntoView(); return true")
            .await?;
        b.screenshot(&format!("campaign-{name}-records")).await?;
        b.c.goto(&format!("{base}/campaigns")).await?;
        b.find("#campaigns-table").await?;
        b.screenshot(&format!("campaigns-{name}")).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_campaign_flow() {
    let (_driver, driver_port) = start_chromedriver();
    let server = testkit::spawn_server().await;
    let (base, work) = (&server.url, server.path());
    let desktop = Browser::open(driver_port, "desktop", &work.join("profile-camp-d"), false)
        .await
        .expect("a desktop Chromium session");
    let mut url = String::new();
    let started = desktop
        .run(async |b| {
            url = campaign_start_flow(b, base).await?;
            Ok(())
        })
        .await;
    if let Err(e) = started {
        panic!("starting a campaign failed: {e:#}");
    }
    let phone = Browser::open(driver_port, "phone", &work.join("profile-camp-p"), true)
        .await
        .expect("a phone-sized Chromium session");
    if let Err(e) = phone
        .run(async |b| campaign_phone_flow(b, base, work, &url).await)
        .await
    {
        panic!("the campaign flow at 390×844 failed: {e:#}");
    }
    let desktop = Browser::open(driver_port, "desktop", &work.join("profile-camp-d2"), false)
        .await
        .expect("a desktop Chromium session");
    if let Err(e) = desktop
        .run(async |b| campaign_desktop_flow(b, base, &url).await)
        .await
    {
        panic!("the campaign pages at 1280 px failed: {e:#}");
    }
    eprintln!("browser screenshots in {}", screenshots_dir().display());
}

/// M9 at phone size: a committee member opens the dashboard, taps 记一次走访, picks one of
/// its contact points, a kind, adds a photo, and the visit appears with its thumbnail while
/// the contact point's "last visit" moves to today.
async fn liaison_phone_flow(b: &Browser, base: &str, work: &Path) -> Res<()> {
    login(b, base, "weiyuan", "weiyuan-demo").await?;
    b.c.goto(&format!("{base}/")).await?;
    b.find("#dash-liaison").await?;
    let org = b
        .script(
            "const li = document.querySelector('#my-points li'); return li ? li.dataset.org : ''",
        )
        .await?;
    let org = org.as_str().unwrap_or("").to_string();
    if org.is_empty() {
        bail!("the demo's committee member should have contact points");
    }
    let last_of = |org: String| {
        format!("const e = document.querySelector('#my-points li[data-org=\"{org}\"] [data-last]'); return e ? e.dataset.last : ''")
    };
    let before = b.script(&last_of(org.clone())).await?;
    if overflow(b).await? > 0 {
        bail!("the dashboard should fit a phone");
    }
    b.screenshot("liaison-home").await?;
    click_centered(b, "#record-visit").await?;
    b.find("#visit-form").await?;
    let held_on = b
        .script("return document.getElementById('f-held_on').value")
        .await?;
    let today = serde_json::Value::String(server_today());
    if held_on != today {
        bail!("the visit's date should default to today: {held_on} vs {today}");
    }
    b.script(&format!(
        "document.querySelector('#org-tiles input[value=\"{org}\"]').click(); \
         document.querySelector('#kind-tiles input[value=\"guidance\"]').click(); return true"
    ))
    .await?;
    type_into(b, "notes", "指导支部开展主题党日活动").await?;
    let photo = work.join("visit-photo.png");
    std::fs::write(&photo, PHOTO)?;
    b.find("#f-files")
        .await?
        .send_keys(&photo.display().to_string())
        .await?;
    if overflow(b).await? > 0 {
        bail!("the visit form should fit a phone");
    }
    b.screenshot("liaison-visit-form").await?;
    click_centered(b, "#save").await?;
    b.wait_until("the visit to be recorded", async || {
        Ok(b.url().await?.contains("msg=visited").then_some(()))
    })
    .await?;
    b.wait_until("the photo's thumbnail to load", async || {
        let w = b
            .script("const i = document.querySelector('#attachments img'); return i && i.complete ? i.naturalWidth : 0")
            .await?;
        Ok((w.as_i64().unwrap_or(0) > 0).then_some(()))
    })
    .await?;
    b.screenshot("liaison-visit").await?;
    b.c.goto(&format!("{base}/")).await?;
    b.find("#dash-liaison").await?;
    let after = b.script(&last_of(org.clone())).await?;
    if after != today || after == before {
        bail!("the last visit should move to today: {before} → {after}");
    }
    b.script("document.getElementById('dash-liaison').scrollIntoView(); return true")
        .await?;
    b.screenshot("liaison-home-after").await?;
    b.c.goto(&format!("{base}/visits")).await?;
    b.find("#visits-list").await?;
    if overflow(b).await? > 0 {
        bail!("the visits list should fit a phone");
    }
    b.screenshot("liaison-visits").await?;
    for (path, sel, name) in [
        ("/liaison", "#matrix-table", "liaison-matrix-phone"),
        ("/channels", "#channels-table", "channels-phone"),
        ("/cases", "#cases-list", "cases-phone"),
    ] {
        b.c.goto(&format!("{base}{path}")).await?;
        b.find(sel).await?;
        if overflow(b).await? > 0 {
            bail!("{path} should fit a phone");
        }
        b.screenshot(name).await?;
    }
    Ok(())
}

/// The office's liaison pages at 1280 px.
async fn liaison_desktop_flow(b: &Browser, base: &str) -> Res<()> {
    b.c.set_window_size(1280, 900).await?;
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    for (path, sel, name) in [
        ("/liaison", "#matrix-table", "liaison-matrix"),
        ("/visits", "#visits-list", "liaison-visits-desktop"),
        ("/research-reports", "#reports-table", "research-reports"),
        ("/cases", "#cases-list", "cases"),
        ("/channels", "#channels-table", "channels"),
    ] {
        b.c.goto(&format!("{base}{path}")).await?;
        b.find(sel).await?;
        if overflow(b).await? > 0 {
            bail!("{path} should fit 1280 px");
        }
        b.screenshot(name).await?;
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_liaison_flow() {
    let (_driver, driver_port) = start_chromedriver();
    let server = testkit::spawn_server().await;
    let (base, work) = (&server.url, server.path());
    let phone = Browser::open(driver_port, "phone", &work.join("profile-liaison-p"), true)
        .await
        .expect("a phone-sized Chromium session");
    if let Err(e) = phone
        .run(async |b| liaison_phone_flow(b, base, work).await)
        .await
    {
        panic!("the liaison flow at 390×844 failed: {e:#}");
    }
    let desktop = Browser::open(
        driver_port,
        "desktop",
        &work.join("profile-liaison-d"),
        false,
    )
    .await
    .expect("a desktop Chromium session");
    if let Err(e) = desktop
        .run(async |b| liaison_desktop_flow(b, base).await)
        .await
    {
        panic!("the liaison pages at 1280 px failed: {e:#}");
    }
    eprintln!("browser screenshots in {}", screenshots_dir().display());
}

// ------------------------------------------------------------------ M6 scheme designer

/// Whether the live check of `css` says the points add up (`ok`) or not (`bad`).
async fn sum_state(b: &Browser, css: &str) -> Res<String> {
    let v = b
        .script(&format!(
            "var e = document.querySelector({css:?}); return e ? (e.classList.contains('ok') ? 'ok' : e.classList.contains('bad') ? 'bad' : '') : 'missing'"
        ))
        .await?;
    Ok(v.as_str().unwrap_or("").to_string())
}

async fn wait_sum(b: &Browser, css: &str, want: &str) -> Res<()> {
    b.wait_until(&format!("{css} to turn {want}"), async || {
        Ok((sum_state(b, css).await? == want).then_some(()))
    })
    .await
}

/// The office designs a scheme at 1280 px: a new leaf under 组织建设 turns its sum red as its
/// points are typed, taking them from a sibling turns it green again, and the scheme saves
/// with its preview; the saved designer at 390 px fits the phone.
async fn designer_flow(b: &Browser, base: &str) -> Res<i64> {
    b.c.set_window_size(1280, 900).await?;
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    b.c.goto(&format!("{base}/assessment/schemes/new")).await?;
    b.find("#scheme-designer").await?;
    wait_sum(b, "#points-total", "ok").await?;
    b.find("button[value='child:0']").await?.click().await?;
    let name = b.find("input[name='indicators[3].name']").await?;
    name.send_keys("党员发展").await?;
    wait_sum(b, "#row-0 .sum-check", "ok").await?;
    b.find("input[name='indicators[3].points']")
        .await?
        .send_keys("5")
        .await?;
    wait_sum(b, "#row-0 .sum-check", "bad").await?;
    b.script(
        "document.getElementById('row-0').scrollIntoView(); window.scrollBy(0, -80); return true",
    )
    .await?;
    b.screenshot("designer-red").await?;
    let text = b.text_of("#row-0 .sum-check").await?;
    if !text.contains("35") {
        bail!("the sum should read 35: {text}");
    }
    // 组织生活落实 gives 5 of its 20
    let compliance = b.find("input[name='indicators[2].points']").await?;
    compliance.clear().await?;
    compliance.send_keys("15").await?;
    wait_sum(b, "#row-0 .sum-check", "ok").await?;
    wait_sum(b, "#points-total", "ok").await?;
    b.screenshot("designer").await?;
    b.find("#designer-save").await?.click().await?;
    b.find("#scores-preview").await?;
    let url = b.url().await?;
    let id = url
        .split("/assessment/schemes/")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .and_then(|n| n.parse::<i64>().ok())
        .ok_or_else(|| anyhow!("saved scheme's id in {url}"))?;
    if !url.contains("msg=saved") {
        bail!("saved: {url}");
    }
    let v = b
        .script("return document.querySelector(\"input[name='indicators[3].name']\").value")
        .await?;
    if v != json!("党员发展") {
        bail!("the new leaf should be saved: {v}");
    }
    if overflow(b).await? > 0 {
        bail!("the designer should fit 1280 px");
    }
    b.script("document.getElementById('scores-preview').scrollIntoView(); return true")
        .await?;
    b.screenshot("designer-preview").await?;
    Ok(id)
}

async fn designer_phone_flow(b: &Browser, base: &str, id: i64) -> Res<()> {
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    b.c.goto(&format!("{base}/assessment/schemes/{id}/edit"))
        .await?;
    b.find("#scheme-designer").await?;
    wait_sum(b, "#points-total", "ok").await?;
    if overflow(b).await? > 0 {
        bail!("the designer should fit a phone");
    }
    b.screenshot("designer").await?;
    b.script("document.getElementById('row-3').scrollIntoView(); return true")
        .await?;
    b.screenshot("designer-rows").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_scheme_designer_flow() {
    let (_driver, driver_port) = start_chromedriver();
    let server = testkit::spawn_server().await;
    let (base, work) = (&server.url, server.path());
    let desktop = Browser::open(
        driver_port,
        "desktop",
        &work.join("profile-design-d"),
        false,
    )
    .await
    .expect("a desktop Chromium session");
    let mut id = 0;
    if let Err(e) = desktop
        .run(async |b| {
            id = designer_flow(b, base).await?;
            Ok(())
        })
        .await
    {
        panic!("the designer at 1280 px failed: {e:#}");
    }
    let phone = Browser::open(driver_port, "phone", &work.join("profile-design-p"), true)
        .await
        .expect("a phone-sized Chromium session");
    if let Err(e) = phone
        .run(async |b| designer_phone_flow(b, base, id).await)
        .await
    {
        panic!("the designer at 390×844 failed: {e:#}");
    }
    eprintln!("browser screenshots in {}", screenshots_dir().display());
}

// ------------------------------------------------------------------ M6 assessment

const SCHEME_TITLE: &str = "党支部工作考核（浏览器）";

/// The office sets up this year's scheme through the API (the demo may have none): an auto
/// leaf (组织生活落实率, 10), a manual leaf already scored 70 for the committee member's
/// first contact point, and a manual leaf of 20 left 待评; B from 60, A from 90, so the org
/// is B (70–80) until the 20 are scored. Answers the scheme, the org and the leaf to score.
async fn assessment_setup(b: &Browser, base: &str) -> Res<(i64, i64, i64)> {
    b.c.set_window_size(1280, 900).await?;
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    let made = b
        .c
        .execute_async(
            "const [pw, title] = arguments, done = arguments[arguments.length - 1];
             (async () => {
               const t = await (await fetch('/api/v1/auth/token', {method: 'POST', headers: {'content-type': 'application/json'}, body: JSON.stringify({username: 'admin', password: pw})})).json();
               const h = {'content-type': 'application/json', authorization: 'Bearer ' + t.token};
               const ls = (await (await fetch('/api/v1/liaisons?current=true&per_page=500', {headers: h})).json()).items;
               const mine = ls.filter(l => l.username === 'weiyuan');
               if (!mine.length) { done('error: weiyuan has no contact point'); return; }
               const s = await (await fetch('/api/v1/assessment-schemes', {method: 'POST', headers: h, body: JSON.stringify({
                 year: new Date().getFullYear(), title, thresholds: {A: 90, B: 60},
                 indicators: [
                   {id: 1, name: '基础工作', points: 80},
                   {id: 2, parent_id: 1, name: '三会一课落实', points: 10, method: 'auto', metric: 'compliance_rate'},
                   {id: 3, parent_id: 1, name: '基础台账', points: 70, method: 'manual'},
                   {id: 4, name: '工作实效', points: 20, method: 'manual'}]})})).json();
               if (!s.id) { done('error: ' + JSON.stringify(s)); return; }
               const id = n => s.indicators.find(i => i.name === n).id;
               for (const l of mine) {
                 const r = await fetch(`/api/v1/assessments/${s.id}/scores`, {method: 'PUT', headers: h, body: JSON.stringify({party_org_id: l.party_org_id, indicator_id: id('基础台账'), score: 70, comment: '台账齐全'})});
                 if (!r.ok) { done('error: score ' + r.status); return; }
               }
               done([s.id, mine[0].party_org_id, id('工作实效')]);
             })().catch(e => done('error: ' + e));",
            vec![json!(ADMIN_PASSWORD), json!(SCHEME_TITLE)],
        )
        .await?;
    let ids: Vec<i64> = made
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let [scheme, org, leaf] = ids[..] else {
        bail!("setting up the scheme through the API: {made}");
    };
    // the office's view at 1280 px: the wide table, an org's page, the finalize confirmation
    for (path, sel, name) in [
        (
            format!("/assessment?scheme_id={scheme}"),
            "#assess-table",
            "assessment-table",
        ),
        (
            format!("/assessment/{scheme}/orgs/{org}"),
            "#root-bars",
            "assessment-org",
        ),
        (
            format!("/assessment/{scheme}/finalize"),
            "#finalize-form",
            "assessment-finalize",
        ),
    ] {
        b.c.goto(&format!("{base}{path}")).await?;
        b.find(sel).await?;
        if overflow(b).await? > 0 {
            bail!("{path} should fit 1280 px");
        }
        b.screenshot(name).await?;
    }
    Ok((scheme, org, leaf))
}

/// At 390×844 a committee member opens the table, taps its contact point's card, scores
/// the manual indicator left 待评, and the total and the grade move (B → A).
async fn assessment_phone_flow(b: &Browser, base: &str, ids: (i64, i64, i64)) -> Res<()> {
    let (scheme, org, leaf) = ids;
    login(b, base, "weiyuan", "weiyuan-demo").await?;
    b.c.goto(&format!("{base}/assessment?scheme_id={scheme}"))
        .await?;
    b.find("#my-points").await?;
    if overflow(b).await? > 0 {
        bail!("the scoring table should fit a phone");
    }
    b.screenshot("assessment-table").await?;
    click_centered(
        b,
        &format!("#my-points a.assess-card[href=\"/assessment/{scheme}/orgs/{org}\"]"),
    )
    .await?;
    b.find("#root-bars").await?;
    let grade = b.text_of("#grade-letter").await?;
    let total = b.text_of("#total .num").await?;
    if grade != "B" {
        bail!("before scoring the org should be B, is {grade} ({total})");
    }
    if overflow(b).await? > 0 {
        bail!("an org's assessment should fit a phone");
    }
    b.screenshot("assessment-org").await?;
    click_centered(b, &format!("#ind-{leaf} .score-form > summary")).await?;
    let score = b.find(&format!("#score-{leaf}")).await?;
    score.send_keys("20").await?;
    b.find(&format!("#comment-{leaf}"))
        .await?
        .send_keys("联系点调研：工作实效突出")
        .await?;
    if overflow(b).await? > 0 {
        bail!("the score form should fit a phone");
    }
    b.screenshot("assessment-score-form").await?;
    click_centered(b, &format!("#score-form-{leaf} button[type=submit]")).await?;
    b.wait_until("the score to be saved", async || {
        Ok(b.url().await?.contains("msg=saved").then_some(()))
    })
    .await?;
    let after = b.text_of("#grade-letter").await?;
    let total_after = b.text_of("#total .num").await?;
    if after != "A" || total_after == total {
        bail!("the grade should move B → A: {grade} ({total}) → {after} ({total_after})");
    }
    b.screenshot("assessment-org-after").await?;
    b.c.goto(&format!("{base}/assessment?scheme_id={scheme}"))
        .await?;
    b.find("#my-points").await?;
    b.screenshot("assessment-table-after").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_assessment_flow() {
    let (_driver, driver_port) = start_chromedriver();
    let server = testkit::spawn_server().await;
    let (base, work) = (&server.url, server.path());
    let desktop = Browser::open(
        driver_port,
        "desktop",
        &work.join("profile-assess-d"),
        false,
    )
    .await
    .expect("a desktop Chromium session");
    let mut ids = (0, 0, 0);
    if let Err(e) = desktop
        .run(async |b| {
            ids = assessment_setup(b, base).await?;
            Ok(())
        })
        .await
    {
        panic!("setting up the assessment failed: {e:#}");
    }
    let phone = Browser::open(driver_port, "phone", &work.join("profile-assess-p"), true)
        .await
        .expect("a phone-sized Chromium session");
    if let Err(e) = phone
        .run(async |b| assessment_phone_flow(b, base, ids).await)
        .await
    {
        panic!("the assessment flow at 390×844 failed: {e:#}");
    }
    eprintln!("browser screenshots in {}", screenshots_dir().display());
}

/// Today as the server sees it: the day at UTC+8, its default zone (the browser's own
/// zone here is the machine's, UTC on CI, which is a day behind from 16:00 UTC).
fn server_today() -> String {
    (chrono::Utc::now() + chrono::Duration::hours(8))
        .date_naive()
        .to_string()
}

// ------------------------------------------------------------------ the big screen (M11)

/// The leadership's big screen at 1920×1080: every panel there, nothing scrolls either way,
/// the figures are the dashboard's (coverage, training), and it reloads itself.
async fn screen_flow(b: &Browser, base: &str) -> Res<()> {
    login(b, base, "admin", ADMIN_PASSWORD).await?;
    let home_rate = b.text_of("#kpi-coverage .num").await?;
    let home_training = b.text_of("#dash-training-rate").await?;
    // the navigation leads there
    b.find("#sidenav a[href='/screen']").await?.click().await?;
    b.find("#screen-behind").await?;
    let size = b
        .script(
            "const d = document.documentElement; return [window.innerWidth, window.innerHeight, d.scrollWidth, d.scrollHeight];",
        )
        .await?;
    let s: Vec<i64> = size
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let [w, h, scroll_w, scroll_h] = s[..] else {
        bail!("the screen's size: {size}");
    };
    if (w, h) != (1920, 1080) {
        bail!("the window should show 1920×1080 CSS pixels, it shows {w}×{h}");
    }
    if scroll_h > 1080 || scroll_w > 1920 {
        bail!("the big screen scrolls: its page is {scroll_w}×{scroll_h} at 1920×1080");
    }
    // every panel lies inside the window and none of them cuts its content off
    let cut = b
        .script(
            "const out = [];
             for (const p of document.querySelectorAll('.s-panel')) {
               const r = p.getBoundingClientRect();
               if (r.bottom > window.innerHeight || r.right > window.innerWidth || r.height < 150) out.push(p.id + ' at ' + JSON.stringify(r));
               if (p.scrollHeight > p.clientHeight + 1) out.push(p.id + ' holds ' + p.scrollHeight + 'px in ' + p.clientHeight);
             }
             return out;",
        )
        .await?;
    if cut != json!([]) {
        bail!("panels outside the window or cut off: {cut}");
    }
    for id in [
        "screen-coverage",
        "screen-compliance",
        "screen-tasks",
        "screen-rects",
        "screen-reports",
        "screen-training",
        "screen-campaigns",
        "screen-grades",
        "screen-behind",
    ] {
        b.find(&format!("#{id} h2")).await?;
    }
    b.find("#screen-compliance svg.lines polyline").await?;
    let title = b.text_of(".s-head h1").await?;
    if title != "科技社团党建工作大屏" {
        bail!("the screen's title: {title:?}");
    }
    let rate = b.text_of("#screen-coverage svg .donut-value").await?;
    let training = b.text_of("#screen-training-rate").await?;
    if rate != format!("{home_rate}%") || training != home_training {
        bail!(
            "the screen's figures are the dashboard's: coverage {rate} vs {home_rate}, training {training} vs {home_training}"
        );
    }
    let rows = b
        .script("return document.querySelectorAll('#screen-behind tbody tr').length")
        .await?;
    if rows.as_i64().unwrap_or(0) < 1 {
        bail!("the demo should have orgs behind, the screen lists {rows}");
    }
    let refresh = b
        .script(
            "const m = document.querySelector('meta[http-equiv=refresh]'); return m && m.content",
        )
        .await?;
    if refresh != json!("300") {
        bail!("the screen should reload itself every 5 minutes, its refresh is {refresh}");
    }
    // nothing but the app's own assets
    let foreign = b
        .script(
            "return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin));",
        )
        .await?;
    if foreign != json!([]) {
        bail!("the screen loads from elsewhere: {foreign}");
    }
    b.screenshot("screen-1920x1080").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_chromium_big_screen() {
    let (_driver, driver_port) = start_chromedriver();
    let server = testkit::spawn_server().await;
    let (base, work) = (&server.url, server.path());
    let screen = Browser::open_sized(
        driver_port,
        "desktop",
        &work.join("profile-screen"),
        (1920, 1080),
    )
    .await
    .expect("a 1920×1080 Chromium session");
    if let Err(e) = screen.run(async |b| screen_flow(b, base).await).await {
        panic!("the big screen at 1920×1080 failed: {e:#}");
    }
    eprintln!("browser screenshots in {}", screenshots_dir().display());
}
