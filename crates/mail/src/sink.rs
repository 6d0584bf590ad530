//! An in-process SMTP server that records what it receives, for tests.
//!
//! ```
//! use mail::{send, Message, Security, SmtpConfig};
//! use std::time::Duration;
//!
//! let sink = mail::sink::Sink::start().unwrap();
//! let cfg = SmtpConfig {
//!     host: sink.addr().ip().to_string(),
//!     port: sink.addr().port(),
//!     security: Security::None,
//!     ca_file: None,
//!     from: "dangjian@kx.example.gov.cn".into(),
//!     from_name: None,
//!     username: None,
//!     password: None,
//!     hello_name: "dangjian".into(),
//!     timeout: Duration::from_secs(5),
//! };
//! let msg = Message { to: vec!["a@example.org".into()], subject: "提醒".into(), body: "正文".into() };
//! send(&cfg, &msg).unwrap();
//! let got = sink.wait_for(1, Duration::from_secs(5));
//! assert_eq!(got[0].subject, "提醒");
//! assert_eq!(got[0].body, "正文");
//! assert!(!got[0].tls);
//! ```
//!
//! It listens on `127.0.0.1` on an ephemeral port and handles each
//! connection on its own thread. Supported: greeting 220, `EHLO` (advertises
//! `STARTTLS` when started with [`Sink::start_starttls`] and not yet in TLS,
//! `AUTH PLAIN LOGIN` and `8BITMIME`), `HELO`, `STARTTLS`, `AUTH PLAIN`
//! (with or without initial response), `AUTH LOGIN`, `MAIL FROM`, `RCPT TO`,
//! `DATA`, `RSET`, `NOOP`, `QUIT`; anything else gets 502. Any credentials
//! are accepted. [`Sink::start_tls`] speaks TLS from the first byte.
//!
//! The TLS variants take a certificate chain and key in PEM, e.g. made at test
//! time with `rcgen`; the client must trust the issuing CA (`ca_file`).

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use base64::Engine as _;
use rustls::pki_types::{pem::PemObject, CertificateDer, PrivateKeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};

/// A message the sink accepted.
#[derive(Debug, Clone)]
pub struct Received {
    /// Address from `MAIL FROM:<…>`.
    pub mail_from: String,
    /// Addresses from the accepted `RCPT TO:<…>` commands, in order.
    pub rcpt_to: Vec<String>,
    /// The raw DATA (headers and body), dot-unstuffed, every line ending in
    /// CRLF, without the terminating `.` line.
    pub data: String,
    /// The `Subject` header, unfolded and RFC 2047-decoded.
    pub subject: String,
    /// The body after the blank line, base64-decoded when the message says
    /// `Content-Transfer-Encoding: base64`, with line breaks normalised to
    /// `\n` (so a body sent with `\n` line breaks compares equal).
    pub body: String,
    /// `(user, password)` when the session authenticated with AUTH PLAIN or LOGIN.
    pub auth: Option<(String, String)>,
    /// Whether the message came over TLS (after `STARTTLS`, or implicit TLS).
    pub tls: bool,
}

impl Received {
    /// The first header called `name` (case-insensitive), unfolded and
    /// RFC 2047-decoded, without surrounding whitespace.
    pub fn header(&self, name: &str) -> Option<String> {
        header_value(&self.data, name).map(|v| decode_encoded_words(&v))
    }
}

/// Unfolded raw value of header `name` in `data`.
pub(crate) fn header_value(data: &str, name: &str) -> Option<String> {
    let head = match data.find("\r\n\r\n") {
        Some(i) => &data[..i + 2],
        None => data,
    };
    let mut found: Option<String> = None;
    for line in head.split("\r\n") {
        if let Some(value) = found.as_mut() {
            if line.starts_with([' ', '\t']) {
                value.push_str(line);
                continue;
            }
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.trim().eq_ignore_ascii_case(name) {
                found = Some(v.to_string());
            }
        }
    }
    found.map(|v| v.trim().to_string())
}

/// Base64 that ignores ASCII whitespace (MIME bodies come in lines).
fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let compact: String = text.split_ascii_whitespace().collect();
    base64::engine::general_purpose::STANDARD
        .decode(compact)
        .ok()
}

/// Decodes RFC 2047 encoded words (`B` and `Q`, charset assumed UTF-8) in an
/// unfolded header value. Whitespace between adjacent encoded words is
/// dropped, as RFC 2047 §6.2 requires; other text is kept as is.
pub(crate) fn decode_encoded_words(value: &str) -> String {
    let mut out = String::new();
    let mut pending: Vec<u8> = Vec::new(); // bytes of adjacent encoded words
    let mut rest = value;
    while let Some(pos) = rest.find("=?") {
        let between = &rest[..pos];
        match parse_encoded_word(&rest[pos..]) {
            Some((bytes, len)) => {
                if pending.is_empty() || !between.chars().all(char::is_whitespace) {
                    flush(&mut out, &mut pending);
                    out.push_str(between);
                }
                pending.extend_from_slice(&bytes);
                rest = &rest[pos + len..];
            }
            None => {
                flush(&mut out, &mut pending);
                out.push_str(&rest[..pos + 2]);
                rest = &rest[pos + 2..];
            }
        }
    }
    flush(&mut out, &mut pending);
    out.push_str(rest);
    out
}

fn flush(out: &mut String, pending: &mut Vec<u8>) {
    if !pending.is_empty() {
        out.push_str(&String::from_utf8_lossy(pending));
        pending.clear();
    }
}

/// Parses `=?charset?enc?text?=` at the start of `s`; returns the decoded
/// bytes and the length of the word.
fn parse_encoded_word(s: &str) -> Option<(Vec<u8>, usize)> {
    let inner = s.strip_prefix("=?")?;
    let q1 = inner.find('?')?;
    let enc_and_rest = &inner[q1 + 1..];
    let q2 = enc_and_rest.find('?')?;
    let encoding = &enc_and_rest[..q2];
    let text_and_rest = &enc_and_rest[q2 + 1..];
    let end = text_and_rest.find("?=")?;
    let text = &text_and_rest[..end];
    if text.chars().any(char::is_whitespace) {
        return None;
    }
    let bytes = if encoding.eq_ignore_ascii_case("B") {
        base64_decode(text)?
    } else if encoding.eq_ignore_ascii_case("Q") {
        q_decode(text)?
    } else {
        return None;
    };
    let len = 2 + q1 + 1 + q2 + 1 + end + 2;
    Some((bytes, len))
}

fn q_decode(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'_' => out.push(b' '),
            b'=' => {
                let hex = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            c => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

fn parse_received(
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
    auth: Option<(String, String)>,
    tls: bool,
) -> Received {
    let subject = header_value(&data, "Subject")
        .map(|v| decode_encoded_words(&v))
        .unwrap_or_default();
    let raw_body = data.find("\r\n\r\n").map_or("", |i| &data[i + 4..]);
    let base64 = header_value(&data, "Content-Transfer-Encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("base64"));
    let body_bytes = if base64 {
        base64_decode(raw_body).unwrap_or_else(|| raw_body.as_bytes().to_vec())
    } else {
        raw_body.as_bytes().to_vec()
    };
    let body = String::from_utf8_lossy(&body_bytes).replace("\r\n", "\n");
    Received {
        mail_from,
        rcpt_to,
        data,
        subject,
        body,
        auth,
        tls,
    }
}

/// How the sink offers TLS.
enum Mode {
    Plain,
    StartTls(Arc<ServerConfig>),
    Implicit(Arc<ServerConfig>),
}

struct Shared {
    messages: Mutex<Vec<Received>>,
    commands: Mutex<Vec<String>>,
    arrived: Condvar,
    refuse_rcpt: Option<u16>,
    mode: Mode,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Vec<Received>> {
        self.messages.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn log(&self, verb: &str) {
        self.commands
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(verb.to_string());
    }
}

/// A running test SMTP server. Dropping it stops accepting connections.
pub struct Sink {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for Sink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sink").field("addr", &self.addr).finish()
    }
}

fn invalid(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, e.to_string())
}

/// A rustls server configuration (ring, TLS 1.2 and 1.3) for the PEM
/// certificate chain (leaf first) and private key.
fn server_config(cert_chain_pem: &str, key_pem: &str) -> io::Result<Arc<ServerConfig>> {
    let certs = CertificateDer::pem_slice_iter(cert_chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(invalid)?;
    if certs.is_empty() {
        return Err(invalid("no certificate in the PEM chain"));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(invalid)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(invalid)?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(invalid)?;
    Ok(Arc::new(config))
}

impl Sink {
    /// Starts a plain sink (no TLS) that accepts everything.
    pub fn start() -> io::Result<Sink> {
        Sink::start_with(None, Mode::Plain)
    }

    /// Starts a plain sink that answers every `RCPT TO` with `code` (e.g. 550),
    /// so no message is ever accepted.
    pub fn start_refusing(code: u16) -> io::Result<Sink> {
        Sink::start_with(Some(code), Mode::Plain)
    }

    /// Starts a sink that offers `STARTTLS` with this certificate chain (PEM,
    /// leaf first) and private key (PEM, PKCS#8, PKCS#1 or SEC1). After the
    /// upgrade the session starts over (RFC 3207): a new `EHLO`, no `AUTH`.
    pub fn start_starttls(cert_chain_pem: &str, key_pem: &str) -> io::Result<Sink> {
        let config = server_config(cert_chain_pem, key_pem)?;
        Sink::start_with(None, Mode::StartTls(config))
    }

    /// Starts a sink that speaks TLS from the first byte (implicit TLS, as on
    /// port 465), with this certificate chain and key (PEM).
    pub fn start_tls(cert_chain_pem: &str, key_pem: &str) -> io::Result<Sink> {
        let config = server_config(cert_chain_pem, key_pem)?;
        Sink::start_with(None, Mode::Implicit(config))
    }

    fn start_with(refuse_rcpt: Option<u16>, mode: Mode) -> io::Result<Sink> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            messages: Mutex::new(Vec::new()),
            commands: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
            refuse_rcpt,
            mode,
        });
        let thread = {
            let stop = Arc::clone(&stop);
            let shared = Arc::clone(&shared);
            std::thread::Builder::new()
                .name("mail-sink-accept".into())
                .spawn(move || accept_loop(listener, &stop, &shared))?
        };
        Ok(Sink {
            addr,
            stop,
            shared,
            thread: Some(thread),
        })
    }

    /// The address the sink listens on (`127.0.0.1:<port>`).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The messages accepted so far, in arrival order.
    pub fn messages(&self) -> Vec<Received> {
        self.shared.lock().clone()
    }

    /// The verbs (first word, upper-cased, e.g. `EHLO`, `STARTTLS`, `AUTH`)
    /// of every command received so far on any connection, in order. Neither
    /// arguments, credentials nor message text are recorded.
    pub fn commands(&self) -> Vec<String> {
        self.shared
            .commands
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Waits until at least `n` messages arrived or `timeout` passed, then
    /// returns all messages (possibly fewer than `n`).
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        let mut guard = self.shared.lock();
        while guard.len() < n {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            guard = match self.shared.arrived.wait_timeout(guard, deadline - now) {
                Ok((g, _)) => g,
                Err(e) => e.into_inner().0,
            };
        }
        guard.clone()
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Unblock accept(); if this fails the thread is still blocked, so
        // don't join it.
        let woke = TcpStream::connect_timeout(&self.addr, Duration::from_secs(2)).is_ok();
        if let Some(t) = self.thread.take() {
            if woke {
                let _ = t.join();
            }
        }
    }
}

fn accept_loop(listener: TcpListener, stop: &AtomicBool, shared: &Arc<Shared>) {
    for conn in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            break;
        }
        let Ok(stream) = conn else {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        };
        let shared = Arc::clone(shared);
        let _ = std::thread::Builder::new()
            .name("mail-sink-conn".into())
            .spawn(move || {
                let _ = handle(stream, &shared);
            });
    }
}

/// The connection, before or after TLS.
enum Stream {
    Plain(TcpStream),
    Tls(Box<StreamOwned<ServerConnection, TcpStream>>),
}

impl Stream {
    /// Completes a TLS handshake as the server; fails when the client
    /// rejects the certificate (it sends an alert) or hangs up.
    fn accept_tls(mut tcp: TcpStream, config: &Arc<ServerConfig>) -> io::Result<Stream> {
        let mut conn = ServerConnection::new(Arc::clone(config)).map_err(io::Error::other)?;
        while conn.is_handshaking() {
            conn.complete_io(&mut tcp)?;
        }
        Ok(Stream::Tls(Box::new(StreamOwned::new(conn, tcp))))
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

const MAX_LINE: u64 = 1 << 20;

fn read_line(reader: &mut BufReader<Stream>) -> io::Result<Option<String>> {
    let mut buf = Vec::new();
    reader.take(MAX_LINE).read_until(b'\n', &mut buf)?;
    if buf.is_empty() {
        return Ok(None);
    }
    if buf.ends_with(b"\n") {
        buf.pop();
        if buf.ends_with(b"\r") {
            buf.pop();
        }
    }
    Ok(Some(String::from_utf8_lossy(&buf).into_owned()))
}

/// The address inside `<…>` after a `MAIL FROM:`/`RCPT TO:` prefix.
fn path_arg(arg: &str) -> Option<String> {
    let start = arg.find('<')?;
    let end = arg[start..].find('>')? + start;
    Some(arg[start + 1..end].to_string())
}

fn decode_b64_text(s: &str) -> Option<String> {
    base64_decode(s.trim()).and_then(|b| String::from_utf8(b).ok())
}

fn reply(reader: &mut BufReader<Stream>, text: &str) -> io::Result<()> {
    let mut buf = Vec::with_capacity(text.len() + 2);
    buf.extend_from_slice(text.as_bytes());
    buf.extend_from_slice(b"\r\n");
    let out = reader.get_mut();
    out.write_all(&buf)?;
    out.flush()
}

fn handle(tcp: TcpStream, shared: &Shared) -> io::Result<()> {
    tcp.set_read_timeout(Some(Duration::from_secs(60)))?;
    tcp.set_write_timeout(Some(Duration::from_secs(60)))?;
    let (stream, mut tls) = match &shared.mode {
        Mode::Implicit(config) => (Stream::accept_tls(tcp, config)?, true),
        _ => (Stream::Plain(tcp), false),
    };
    let mut r = BufReader::new(stream);
    reply(&mut r, "220 127.0.0.1 mail sink ready")?;
    let mut auth: Option<(String, String)> = None;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();

    while let Some(line) = read_line(&mut r)? {
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
            None => (line.trim().to_ascii_uppercase(), String::new()),
        };
        shared.log(&verb);
        match verb.as_str() {
            "EHLO" => {
                mail_from = None;
                rcpt_to.clear();
                reply(&mut r, &format!("250-127.0.0.1 greets {arg}"))?;
                if matches!(shared.mode, Mode::StartTls(_)) && !tls {
                    reply(&mut r, "250-STARTTLS")?;
                }
                reply(&mut r, "250-AUTH PLAIN LOGIN")?;
                reply(&mut r, "250 8BITMIME")?;
            }
            "HELO" => {
                mail_from = None;
                rcpt_to.clear();
                reply(&mut r, "250 127.0.0.1")?;
            }
            "STARTTLS" => match &shared.mode {
                Mode::StartTls(config) if !tls => {
                    reply(&mut r, "220 2.0.0 ready to start TLS")?;
                    // Whatever the client sent after STARTTLS in clear is dropped
                    // with the buffer (no command injection).
                    let Stream::Plain(tcp) = r.into_inner() else {
                        unreachable!("not in TLS yet");
                    };
                    r = BufReader::new(Stream::accept_tls(tcp, config)?);
                    tls = true;
                    auth = None;
                    mail_from = None;
                    rcpt_to.clear();
                }
                Mode::StartTls(_) | Mode::Implicit(_) => {
                    reply(&mut r, "503 5.5.1 TLS already active")?
                }
                Mode::Plain => reply(&mut r, "502 5.5.2 command not recognized")?,
            },
            "AUTH" => {
                let mut parts = arg.split_whitespace();
                let mech = parts.next().unwrap_or("").to_ascii_uppercase();
                let initial = parts.next().map(str::to_string);
                let creds = match mech.as_str() {
                    "PLAIN" => {
                        let token = match initial {
                            Some(t) => Some(t),
                            None => {
                                reply(&mut r, "334 ")?;
                                read_line(&mut r)?
                            }
                        };
                        token.and_then(|t| decode_b64_text(&t)).and_then(|s| {
                            let mut f = s.split('\0');
                            let (_authzid, user, pass) = (f.next()?, f.next()?, f.next()?);
                            Some((user.to_string(), pass.to_string()))
                        })
                    }
                    "LOGIN" => {
                        let user = match initial {
                            Some(t) => Some(t),
                            None => {
                                reply(&mut r, "334 VXNlcm5hbWU6")?; // "Username:"
                                read_line(&mut r)?
                            }
                        };
                        let user = user.and_then(|u| decode_b64_text(&u));
                        match user {
                            Some(user) => {
                                reply(&mut r, "334 UGFzc3dvcmQ6")?; // "Password:"
                                read_line(&mut r)?
                                    .and_then(|p| decode_b64_text(&p))
                                    .map(|pass| (user, pass))
                            }
                            None => None,
                        }
                    }
                    _ => {
                        reply(&mut r, "504 5.5.4 mechanism not supported")?;
                        continue;
                    }
                };
                match creds {
                    Some(c) => {
                        auth = Some(c);
                        reply(&mut r, "235 2.7.0 authentication successful")?;
                    }
                    None => reply(&mut r, "501 5.5.2 cannot decode credentials")?,
                }
            }
            "MAIL" => {
                match path_arg(&arg).filter(|_| arg.to_ascii_uppercase().starts_with("FROM:")) {
                    Some(from) => {
                        mail_from = Some(from);
                        rcpt_to.clear();
                        reply(&mut r, "250 2.1.0 ok")?;
                    }
                    None => reply(&mut r, "501 5.5.4 syntax: MAIL FROM:<address>")?,
                }
            }
            "RCPT" => {
                let to = path_arg(&arg).filter(|_| arg.to_ascii_uppercase().starts_with("TO:"));
                match (to, &mail_from, shared.refuse_rcpt) {
                    (None, _, _) => reply(&mut r, "501 5.5.4 syntax: RCPT TO:<address>")?,
                    (Some(_), None, _) => reply(&mut r, "503 5.5.1 need MAIL first")?,
                    (Some(to), Some(_), Some(code)) => {
                        reply(&mut r, &format!("{code} 5.1.1 <{to}> refused by sink"))?
                    }
                    (Some(to), Some(_), None) => {
                        rcpt_to.push(to);
                        reply(&mut r, "250 2.1.5 ok")?;
                    }
                }
            }
            "DATA" => {
                if mail_from.is_none() || rcpt_to.is_empty() {
                    reply(&mut r, "503 5.5.1 need MAIL and RCPT first")?;
                    continue;
                }
                reply(&mut r, "354 end data with <CR><LF>.<CR><LF>")?;
                let mut data = String::new();
                loop {
                    let Some(l) = read_line(&mut r)? else {
                        return Ok(()); // connection closed mid-DATA: discard
                    };
                    if l == "." {
                        break;
                    }
                    data.push_str(l.strip_prefix('.').unwrap_or(&l));
                    data.push_str("\r\n");
                }
                let received = parse_received(
                    mail_from.take().unwrap_or_default(),
                    std::mem::take(&mut rcpt_to),
                    data,
                    auth.clone(),
                    tls,
                );
                shared.lock().push(received);
                shared.arrived.notify_all();
                reply(&mut r, "250 2.0.0 queued")?;
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                reply(&mut r, "250 2.0.0 ok")?;
            }
            "NOOP" => reply(&mut r, "250 2.0.0 ok")?,
            "QUIT" => {
                reply(&mut r, "221 2.0.0 bye")?;
                return Ok(());
            }
            _ => reply(&mut r, "502 5.5.2 command not recognized")?,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_value_unfolds() {
        let data =
            "Subject: =?UTF-8?B?5pys?=\r\n =?UTF-8?B?5pyI?=\r\nTo: a@b.cn\r\n\r\nSubject: no\r\n";
        assert_eq!(
            header_value(data, "subject").as_deref(),
            Some("=?UTF-8?B?5pys?= =?UTF-8?B?5pyI?=")
        );
        assert_eq!(header_value(data, "To").as_deref(), Some("a@b.cn"));
        assert_eq!(header_value(data, "Cc"), None);
        let r = parse_received(String::new(), vec![], data.into(), None, false);
        assert_eq!(r.subject, "本月");
        assert_eq!(r.body, "Subject: no\n"); // not base64: raw, LF-normalised
    }

    #[test]
    fn decode_mixed_header_text() {
        assert_eq!(decode_encoded_words("plain text"), "plain text");
        assert_eq!(
            decode_encoded_words("=?UTF-8?B?5pys5pyI?= <a@b.cn>"),
            "本月 <a@b.cn>"
        );
        assert_eq!(
            decode_encoded_words("Re: =?utf-8?q?caf=C3=A9_au_lait?= now"),
            "Re: café au lait now"
        );
        assert_eq!(decode_encoded_words("a =?bogus b"), "a =?bogus b");
        assert_eq!(
            decode_encoded_words("=?UTF-8?B?YQ==?= x =?UTF-8?B?Yg==?="),
            "a x b"
        );
        assert_eq!(base64_decode("Zm9v\r\nYmFy").unwrap(), b"foobar");
        assert_eq!(base64_decode("Zm9*"), None);
    }

    #[test]
    fn path_args() {
        assert_eq!(
            path_arg("FROM:<a@b.cn> BODY=8BITMIME").as_deref(),
            Some("a@b.cn")
        );
        assert_eq!(path_arg("TO:<>").as_deref(), Some(""));
        assert_eq!(path_arg("TO:a@b.cn"), None);
    }

    #[test]
    fn bad_pem_is_refused() {
        let err = Sink::start_starttls("not a certificate", "not a key").unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
    }
}
