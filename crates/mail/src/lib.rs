//! A minimal, blocking SMTP client for reminder e-mails, plus an in-process
//! SMTP server ([`sink::Sink`]) for tests.
//!
//! # Scope
//!
//! * **Plain SMTP only.** The client talks unencrypted SMTP (port 25, or 587
//!   without TLS) to a relay on a trusted intranet. **STARTTLS and implicit
//!   TLS are not supported**: a deployment that needs TLS must point this
//!   client at a local relay (e.g. Postfix on `127.0.0.1:25`) that forwards
//!   over TLS. Note that `AUTH PLAIN`/`AUTH LOGIN` credentials travel in clear
//!   text (base64 only) on that connection.
//! * **Blocking I/O** with a connect/read/write timeout
//!   ([`SmtpConfig::timeout`]); async callers should run [`send`] in
//!   `spawn_blocking`. Name resolution is not covered by the timeout.
//! * **One message per call**: one connection, `EHLO` (falling back to
//!   `HELO`), optional `AUTH`, `MAIL FROM`, one `RCPT TO` per recipient,
//!   `DATA`, `QUIT`.
//!
//! # Message format
//!
//! Headers `Date` (RFC 5322, UTC), `From` (display name as RFC 2047 encoded
//! words), `To`, `Subject` (RFC 2047 `=?UTF-8?B?…?=` words of at most 75
//! characters, folded one per line), `Message-ID`, `MIME-Version: 1.0`,
//! `Content-Type: text/plain; charset=utf-8` and
//! `Content-Transfer-Encoding: base64`. The body is converted to CRLF line
//! breaks and base64-encoded in 76-character lines, so the whole DATA is
//! 7-bit ASCII; it is still dot-stuffed defensively.
//!
//! All addresses are checked with [`valid_address`] before any connection is
//! made, which also rules out header injection through addresses; CR/LF and
//! other control characters are removed from the subject and display name.

mod codec;
pub mod sink;

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where and how to send mail.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Relay host name or IP address.
    pub host: String,
    /// Relay port, usually 25 (or 587 on relays that allow plain submission).
    pub port: u16,
    /// Envelope sender and header `From` address, e.g. `dangjian@kx.example.gov.cn`.
    pub from: String,
    /// Display name for the `From` header, e.g. `科技社团党委` (RFC 2047 encoded).
    pub from_name: Option<String>,
    /// With `password`: authenticate with `AUTH PLAIN` (or `AUTH LOGIN` when
    /// only that is offered) if the server advertises AUTH. Ignored when the
    /// server offers neither mechanism, or when empty.
    pub username: Option<String>,
    /// See `username`.
    pub password: Option<String>,
    /// Name sent with `EHLO`/`HELO` and used as the right-hand side of the
    /// `Message-ID`, e.g. `dangjian`. Letters, digits, `-`, `.` and `_` only.
    pub hello_name: String,
    /// Connect, read and write timeout (each operation). Must be non-zero.
    pub timeout: Duration,
}

/// One plain-text message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// Recipients; all of them are listed in `To` and get one `RCPT TO`.
    pub to: Vec<String>,
    /// Subject, any Unicode text (line breaks are removed).
    pub subject: String,
    /// UTF-8 plain-text body; line breaks may be LF or CRLF.
    pub body: String,
}

/// Why a message was not sent.
#[derive(Debug)]
pub enum MailError {
    /// An address (recipient or `from`) failed [`valid_address`]; holds the address.
    Address(String),
    /// Connecting, reading or writing failed (includes timeouts, refused
    /// connections and the server closing the connection).
    Io(io::Error),
    /// The server answered a command with an unexpected reply.
    Smtp {
        /// The reply code, e.g. 550.
        code: u16,
        /// The reply text (lines of a multi-line reply joined with a space).
        text: String,
    },
    /// The server's reply was malformed, or the input cannot be sent at all
    /// (no recipients, invalid `hello_name`, NUL in credentials).
    Protocol(String),
}

impl fmt::Display for MailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MailError::Address(a) => write!(f, "invalid e-mail address {a:?}"),
            MailError::Io(e) => write!(f, "SMTP connection error: {e}"),
            MailError::Smtp { code, text } => write!(f, "SMTP server replied {code}: {text}"),
            MailError::Protocol(m) => write!(f, "SMTP protocol error: {m}"),
        }
    }
}

impl std::error::Error for MailError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            MailError::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<io::Error> for MailError {
    fn from(e: io::Error) -> Self {
        MailError::Io(e)
    }
}

/// Conservative address check: `local@domain`, at most 254 characters, ASCII
/// only, exactly one `@`, no whitespace, control characters, `<`, `>` or
/// other specials. The local part is dot-separated RFC 5322 `atext`; the
/// domain is dot-separated labels of letters, digits and inner hyphens and
/// must contain a dot unless it is `localhost`. Quoted local parts, address
/// literals and internationalised addresses are refused.
pub fn valid_address(s: &str) -> bool {
    if s.is_empty() || s.len() > 254 || !s.is_ascii() {
        return false;
    }
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    if local.is_empty() || local.len() > 64 || domain.contains('@') {
        return false;
    }
    let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
    if !local
        .split('.')
        .all(|part| !part.is_empty() && part.chars().all(atext))
    {
        return false;
    }
    if domain.eq_ignore_ascii_case("localhost") {
        return true;
    }
    domain.contains('.')
        && domain.len() <= 253
        && domain.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn valid_hello_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 255
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
}

/// Sends `msg` to all its recipients over one SMTP connection.
///
/// Inputs are validated before connecting. Any refused recipient aborts the
/// whole message (nothing is sent; the error carries the server's reply). A
/// failed `QUIT` after the message was accepted (250 after DATA) is ignored.
pub fn send(cfg: &SmtpConfig, msg: &Message) -> Result<(), MailError> {
    if !valid_address(&cfg.from) {
        return Err(MailError::Address(cfg.from.clone()));
    }
    if let Some(bad) = msg.to.iter().find(|a| !valid_address(a)) {
        return Err(MailError::Address(bad.clone()));
    }
    if msg.to.is_empty() {
        return Err(MailError::Protocol("message has no recipients".into()));
    }
    if !valid_hello_name(&cfg.hello_name) {
        return Err(MailError::Protocol(format!(
            "invalid hello_name {:?}",
            cfg.hello_name
        )));
    }
    let credentials = match (&cfg.username, &cfg.password) {
        (Some(u), Some(p)) if !u.is_empty() => {
            if u.contains('\0') || p.contains('\0') {
                return Err(MailError::Protocol("NUL in SMTP credentials".into()));
            }
            Some((u.as_str(), p.as_str()))
        }
        _ => None,
    };
    let data = build_message(cfg, msg, unix_now());

    let mut conn = Conn::connect(&cfg.host, cfg.port, cfg.timeout)?;
    match conn.transaction(cfg, msg, credentials, &data) {
        Ok(()) => {
            // The message is accepted; a failing QUIT changes nothing.
            let _ = conn.command("QUIT");
            Ok(())
        }
        Err(e) => {
            if matches!(e, MailError::Smtp { .. }) {
                let _ = conn.command("QUIT"); // polite, best effort
            }
            Err(e)
        }
    }
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A random-looking 64-bit value from std only: `RandomState` is seeded
/// randomly per process (and varies per instance); mix in time, a counter and
/// the process id.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    h.write_u32(std::process::id());
    if let Ok(d) = SystemTime::now().duration_since(UNIX_EPOCH) {
        h.write_u128(d.as_nanos());
    }
    h.finish()
}

/// Appends `name: value-parts` folding one part per line (parts must be
/// non-empty and contain no line breaks).
fn push_folded_header(out: &mut String, name: &str, parts: &[String], separator: &str) {
    out.push_str(name);
    out.push(':');
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
            out.push_str("\r\n");
        }
        out.push(' ');
        out.push_str(part);
    }
    out.push_str("\r\n");
}

/// The complete message (headers and base64 body, CRLF line breaks, not yet
/// dot-stuffed) as sent after DATA, for the given send time.
fn build_message(cfg: &SmtpConfig, msg: &Message, unix: i64) -> String {
    let mut out = String::new();
    out.push_str(&format!("Date: {}\r\n", codec::rfc5322_date(unix)));

    let name = cfg
        .from_name
        .as_deref()
        .map(codec::sanitize_header_text)
        .unwrap_or_default();
    let mut from_parts = codec::encoded_words(&name);
    from_parts.push(format!("<{}>", cfg.from));
    push_folded_header(&mut out, "From", &from_parts, "");

    push_folded_header(&mut out, "To", &msg.to, ",");

    let subject = codec::sanitize_header_text(&msg.subject);
    let words = codec::encoded_words(&subject);
    if words.is_empty() {
        out.push_str("Subject:\r\n");
    } else {
        push_folded_header(&mut out, "Subject", &words, "");
    }

    out.push_str(&format!(
        "Message-ID: <{}.{:016x}@{}>\r\n",
        unix,
        random_u64(),
        cfg.hello_name
    ));
    out.push_str("MIME-Version: 1.0\r\n");
    out.push_str("Content-Type: text/plain; charset=utf-8\r\n");
    out.push_str("Content-Transfer-Encoding: base64\r\n");
    out.push_str("\r\n");
    out.push_str(&codec::base64_lines(codec::to_crlf(&msg.body).as_bytes()));
    out
}

/// Longest reply line accepted (RFC 5321 allows 512; be lenient).
const MAX_LINE: u64 = 8192;
/// Most lines accepted in one multi-line reply.
const MAX_REPLY_LINES: usize = 256;

struct Reply {
    code: u16,
    lines: Vec<String>,
}

impl Reply {
    fn text(&self) -> String {
        self.lines.join(" ")
    }
}

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn connect(host: &str, port: u16, timeout: Duration) -> Result<Conn, MailError> {
        let mut last_err = None;
        for addr in (host, port).to_socket_addrs()? {
            match TcpStream::connect_timeout(&addr, timeout) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(timeout))?;
                    stream.set_write_timeout(Some(timeout))?;
                    let _ = stream.set_nodelay(true);
                    let reader = BufReader::new(stream.try_clone()?);
                    return Ok(Conn {
                        reader,
                        writer: stream,
                    });
                }
                Err(e) => last_err = Some(e),
            }
        }
        Err(MailError::Io(last_err.unwrap_or_else(|| {
            io::Error::new(
                io::ErrorKind::NotFound,
                format!("no address found for {host}:{port}"),
            )
        })))
    }

    fn read_line(&mut self) -> Result<String, MailError> {
        let mut buf = Vec::new();
        (&mut self.reader)
            .take(MAX_LINE)
            .read_until(b'\n', &mut buf)?;
        if !buf.ends_with(b"\n") {
            if buf.len() as u64 >= MAX_LINE {
                return Err(MailError::Protocol("reply line too long".into()));
            }
            return Err(MailError::Io(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "server closed the connection",
            )));
        }
        buf.pop();
        if buf.ends_with(b"\r") {
            buf.pop();
        }
        Ok(String::from_utf8_lossy(&buf).into_owned())
    }

    /// Reads a (possibly multi-line) reply: `250-a`, `250-b`, `250 c`.
    fn read_reply(&mut self) -> Result<Reply, MailError> {
        let mut lines = Vec::new();
        loop {
            let line = self.read_line()?;
            let b = line.as_bytes();
            let code_ok = b.len() >= 3 && b[..3].iter().all(u8::is_ascii_digit) && b[0] != b'0';
            let sep = b.get(3).copied();
            if !code_ok || !matches!(sep, None | Some(b' ') | Some(b'-')) {
                let shown: String = line.chars().take(100).collect();
                return Err(MailError::Protocol(format!("malformed reply {shown:?}")));
            }
            let code: u16 = line[..3].parse().unwrap_or(0);
            lines.push(line.get(4..).unwrap_or("").to_string());
            if sep != Some(b'-') {
                return Ok(Reply { code, lines });
            }
            if lines.len() >= MAX_REPLY_LINES {
                return Err(MailError::Protocol("reply has too many lines".into()));
            }
        }
    }

    fn write_line(&mut self, line: &str) -> Result<(), MailError> {
        let mut buf = Vec::with_capacity(line.len() + 2);
        buf.extend_from_slice(line.as_bytes());
        buf.extend_from_slice(b"\r\n");
        self.writer.write_all(&buf)?;
        self.writer.flush()?;
        Ok(())
    }

    fn command(&mut self, line: &str) -> Result<Reply, MailError> {
        self.write_line(line)?;
        self.read_reply()
    }

    fn expect_reply(&mut self, ok: &[u16]) -> Result<Reply, MailError> {
        let reply = self.read_reply()?;
        check(reply, ok)
    }

    fn expect(&mut self, line: &str, ok: &[u16]) -> Result<Reply, MailError> {
        let reply = self.command(line)?;
        check(reply, ok)
    }

    fn transaction(
        &mut self,
        cfg: &SmtpConfig,
        msg: &Message,
        credentials: Option<(&str, &str)>,
        data: &str,
    ) -> Result<(), MailError> {
        self.expect_reply(&[220])?;

        let ehlo = self.command(&format!("EHLO {}", cfg.hello_name))?;
        let auth_mechs = if ehlo.code == 250 {
            auth_mechanisms(&ehlo)
        } else {
            self.expect(&format!("HELO {}", cfg.hello_name), &[250])?;
            Vec::new()
        };

        if let Some((user, pass)) = credentials {
            self.authenticate(&auth_mechs, user, pass)?;
        }

        self.expect(&format!("MAIL FROM:<{}>", cfg.from), &[250])?;
        for rcpt in &msg.to {
            self.expect(&format!("RCPT TO:<{rcpt}>"), &[250, 251])?;
        }
        self.expect("DATA", &[354])?;
        let mut payload = codec::dot_stuff(data);
        if !payload.ends_with("\r\n") {
            payload.push_str("\r\n");
        }
        payload.push_str(".\r\n");
        self.writer.write_all(payload.as_bytes())?;
        self.writer.flush()?;
        self.expect_reply(&[250])?;
        Ok(())
    }

    fn authenticate(&mut self, mechs: &[String], user: &str, pass: &str) -> Result<(), MailError> {
        let has = |m: &str| mechs.iter().any(|x| x == m);
        if has("PLAIN") {
            let token = codec::base64_encode(format!("\0{user}\0{pass}").as_bytes());
            let reply = self.command(&format!("AUTH PLAIN {token}"))?;
            match reply.code {
                235 => return Ok(()),
                // 535: bad credentials, LOGIN would fail the same way.
                code if code == 535 || !has("LOGIN") => {
                    return Err(MailError::Smtp {
                        code,
                        text: reply.text(),
                    })
                }
                _ => {} // PLAIN advertised but refused: try LOGIN
            }
        }
        if has("LOGIN") {
            self.expect("AUTH LOGIN", &[334])?;
            self.expect(&codec::base64_encode(user.as_bytes()), &[334])?;
            self.expect(&codec::base64_encode(pass.as_bytes()), &[235])?;
        }
        Ok(())
    }
}

fn check(reply: Reply, ok: &[u16]) -> Result<Reply, MailError> {
    if ok.contains(&reply.code) {
        Ok(reply)
    } else {
        Err(MailError::Smtp {
            code: reply.code,
            text: reply.text(),
        })
    }
}

/// Upper-cased SASL mechanisms from an EHLO reply's `AUTH` (or old-style
/// `AUTH=`) lines.
fn auth_mechanisms(ehlo: &Reply) -> Vec<String> {
    let mut mechs = Vec::new();
    for line in ehlo.lines.iter().skip(1) {
        let upper = line.to_ascii_uppercase();
        let rest = upper
            .strip_prefix("AUTH ")
            .or_else(|| upper.strip_prefix("AUTH="));
        if let Some(rest) = rest {
            mechs.extend(rest.split_whitespace().map(str::to_string));
        }
    }
    mechs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 25,
            from: "dangjian@kx.example.gov.cn".into(),
            from_name: Some("科技社团党委\r\nBcc: evil@x.cn".into()),
            username: None,
            password: None,
            hello_name: "dangjian".into(),
            timeout: Duration::from_secs(5),
        }
    }

    #[test]
    fn valid_addresses() {
        for good in [
            "dangjian@kx.example.gov.cn",
            "a.b+tag@example.org",
            "root@localhost",
            "ROOT@LOCALHOST",
            "x_y-z@a-b.cn",
        ] {
            assert!(valid_address(good), "{good}");
        }
        let long_local = format!("{}@example.org", "a".repeat(65));
        let long = format!("a@{}.org", "b.".repeat(130));
        for bad in [
            "",
            "no-at-sign",
            "a@b\r\nBcc: x@y",
            "a b@c.d",
            "a@b",
            "a@@b.c",
            "a@b@c.d",
            "@b.cn",
            "a@",
            "<a@b.cn>",
            "a@b.cn>",
            ".a@b.cn",
            "a..b@b.cn",
            "a@.b.cn",
            "a@b..cn",
            "a@-b.cn",
            "a@b.cn\n",
            "a\"b@c.cn",
            "a,b@c.cn",
            "张三@example.cn",
            "a@[127.0.0.1]",
            long_local.as_str(),
            long.as_str(),
        ] {
            assert!(!valid_address(bad), "{bad:?}");
        }
    }

    #[test]
    fn message_headers_and_body() {
        let msg = Message {
            to: vec!["a@x.cn".into(), "b@y.cn".into()],
            subject: "提醒\r\nBcc: evil@x.cn".into(),
            body: "第一行\n.第二行\n".into(),
        };
        let data = build_message(&cfg(), &msg, 1_795_773_600);
        let (head, body) = data.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"));
        // no injected header lines: every line is a known header or a fold
        for line in head.split("\r\n") {
            assert!(
                line.starts_with(' ')
                    || [
                        "Date:",
                        "From:",
                        "To:",
                        "Subject:",
                        "Message-ID:",
                        "MIME-Version: 1.0",
                        "Content-Type: text/plain; charset=utf-8",
                        "Content-Transfer-Encoding: base64"
                    ]
                    .iter()
                    .any(|h| line.starts_with(h)),
                "{line:?}"
            );
            assert!(!line.contains("Bcc"));
        }
        assert!(head.contains("To: a@x.cn,\r\n b@y.cn\r\n"));
        assert!(head.contains(" <dangjian@kx.example.gov.cn>\r\n"));
        assert!(head.contains("Message-ID: <1795773600."));
        assert!(head.contains("@dangjian>\r\n"));
        assert!(data.is_ascii());
        let decoded = codec::base64_decode(body).unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "第一行\r\n.第二行\r\n");
        let subject_line = head.lines().find(|l| l.starts_with("Subject:")).unwrap();
        assert_eq!(
            codec::decode_encoded_words(&subject_line["Subject:".len()..]).trim(),
            "提醒Bcc: evil@x.cn"
        );
    }

    #[test]
    fn message_ids_differ() {
        let msg = Message {
            to: vec!["a@x.cn".into()],
            subject: String::new(),
            body: String::new(),
        };
        let id = |d: String| {
            d.lines()
                .find(|l| l.starts_with("Message-ID:"))
                .unwrap()
                .to_string()
        };
        let a = id(build_message(&cfg(), &msg, 1));
        let b = id(build_message(&cfg(), &msg, 1));
        assert_ne!(a, b);
        assert!(build_message(&cfg(), &msg, 1).contains("Subject:\r\n"));
    }

    #[test]
    fn invalid_inputs_are_refused_before_connecting() {
        let msg = Message {
            to: vec![],
            subject: "x".into(),
            body: "y".into(),
        };
        // validation comes before any connection attempt
        assert!(matches!(send(&cfg(), &msg), Err(MailError::Protocol(_))));
        let msg = Message {
            to: vec!["a@x.cn".into()],
            ..msg
        };
        let mut c = cfg();
        c.hello_name = "bad name\r\n".into();
        assert!(matches!(send(&c, &msg), Err(MailError::Protocol(_))));
        let mut c = cfg();
        c.from = "bad".into();
        assert!(matches!(send(&c, &msg), Err(MailError::Address(a)) if a == "bad"));
    }
}
