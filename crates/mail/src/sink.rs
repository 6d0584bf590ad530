//! An in-process SMTP server that records what it receives, for tests.
//!
//! ```
//! use mail::{send, Message, SmtpConfig};
//! use std::time::Duration;
//!
//! let sink = mail::sink::Sink::start().unwrap();
//! let cfg = SmtpConfig {
//!     host: sink.addr().ip().to_string(),
//!     port: sink.addr().port(),
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
//! ```
//!
//! It listens on `127.0.0.1` on an ephemeral port and handles each
//! connection on its own thread. Supported: greeting 220, `EHLO` (advertises
//! `AUTH PLAIN LOGIN` and `8BITMIME`), `HELO`, `AUTH PLAIN` (with or without
//! initial response), `AUTH LOGIN`, `MAIL FROM`, `RCPT TO`, `DATA`, `RSET`,
//! `NOOP`, `QUIT`; anything else gets 502. Any credentials are accepted.

use crate::codec;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

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
}

impl Received {
    /// The first header called `name` (case-insensitive), unfolded and
    /// RFC 2047-decoded, without surrounding whitespace.
    pub fn header(&self, name: &str) -> Option<String> {
        header_value(&self.data, name).map(|v| codec::decode_encoded_words(&v))
    }
}

/// Unfolded raw value of header `name` in `data`.
fn header_value(data: &str, name: &str) -> Option<String> {
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

fn parse_received(
    mail_from: String,
    rcpt_to: Vec<String>,
    data: String,
    auth: Option<(String, String)>,
) -> Received {
    let subject = header_value(&data, "Subject")
        .map(|v| codec::decode_encoded_words(&v))
        .unwrap_or_default();
    let raw_body = data.find("\r\n\r\n").map_or("", |i| &data[i + 4..]);
    let base64 = header_value(&data, "Content-Transfer-Encoding")
        .is_some_and(|v| v.eq_ignore_ascii_case("base64"));
    let body_bytes = if base64 {
        codec::base64_decode(raw_body).unwrap_or_else(|| raw_body.as_bytes().to_vec())
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
    }
}

struct Shared {
    messages: Mutex<Vec<Received>>,
    arrived: Condvar,
    refuse_rcpt: Option<u16>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Vec<Received>> {
        self.messages.lock().unwrap_or_else(|e| e.into_inner())
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

impl Sink {
    /// Starts a sink that accepts everything.
    pub fn start() -> io::Result<Sink> {
        Sink::start_with(None)
    }

    /// Starts a sink that answers every `RCPT TO` with `code` (e.g. 550),
    /// so no message is ever accepted.
    pub fn start_refusing(code: u16) -> io::Result<Sink> {
        Sink::start_with(Some(code))
    }

    fn start_with(refuse_rcpt: Option<u16>) -> io::Result<Sink> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Arc::new(Shared {
            messages: Mutex::new(Vec::new()),
            arrived: Condvar::new(),
            refuse_rcpt,
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

const MAX_LINE: u64 = 1 << 20;

fn read_line(reader: &mut BufReader<TcpStream>) -> io::Result<Option<String>> {
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
    codec::base64_decode(s.trim()).and_then(|b| String::from_utf8(b).ok())
}

fn reply(out: &mut TcpStream, text: &str) -> io::Result<()> {
    let mut buf = Vec::with_capacity(text.len() + 2);
    buf.extend_from_slice(text.as_bytes());
    buf.extend_from_slice(b"\r\n");
    out.write_all(&buf)?;
    out.flush()
}

fn handle(stream: TcpStream, shared: &Shared) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut out = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    reply(&mut out, "220 127.0.0.1 mail sink ready")?;
    let mut auth: Option<(String, String)> = None;
    let mut mail_from: Option<String> = None;
    let mut rcpt_to: Vec<String> = Vec::new();

    while let Some(line) = read_line(&mut reader)? {
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim().to_string()),
            None => (line.trim().to_ascii_uppercase(), String::new()),
        };
        match verb.as_str() {
            "EHLO" => {
                mail_from = None;
                rcpt_to.clear();
                reply(&mut out, &format!("250-127.0.0.1 greets {arg}"))?;
                reply(&mut out, "250-AUTH PLAIN LOGIN")?;
                reply(&mut out, "250 8BITMIME")?;
            }
            "HELO" => {
                mail_from = None;
                rcpt_to.clear();
                reply(&mut out, "250 127.0.0.1")?;
            }
            "AUTH" => {
                let mut parts = arg.split_whitespace();
                let mech = parts.next().unwrap_or("").to_ascii_uppercase();
                let initial = parts.next().map(str::to_string);
                let creds = match mech.as_str() {
                    "PLAIN" => {
                        let token = match initial {
                            Some(t) => Some(t),
                            None => {
                                reply(&mut out, "334 ")?;
                                read_line(&mut reader)?
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
                                reply(&mut out, "334 VXNlcm5hbWU6")?; // "Username:"
                                read_line(&mut reader)?
                            }
                        };
                        let user = user.and_then(|u| decode_b64_text(&u));
                        match user {
                            Some(user) => {
                                reply(&mut out, "334 UGFzc3dvcmQ6")?; // "Password:"
                                read_line(&mut reader)?
                                    .and_then(|p| decode_b64_text(&p))
                                    .map(|pass| (user, pass))
                            }
                            None => None,
                        }
                    }
                    _ => {
                        reply(&mut out, "504 5.5.4 mechanism not supported")?;
                        continue;
                    }
                };
                match creds {
                    Some(c) => {
                        auth = Some(c);
                        reply(&mut out, "235 2.7.0 authentication successful")?;
                    }
                    None => reply(&mut out, "501 5.5.2 cannot decode credentials")?,
                }
            }
            "MAIL" => {
                match path_arg(&arg).filter(|_| arg.to_ascii_uppercase().starts_with("FROM:")) {
                    Some(from) => {
                        mail_from = Some(from);
                        rcpt_to.clear();
                        reply(&mut out, "250 2.1.0 ok")?;
                    }
                    None => reply(&mut out, "501 5.5.4 syntax: MAIL FROM:<address>")?,
                }
            }
            "RCPT" => {
                let to = path_arg(&arg).filter(|_| arg.to_ascii_uppercase().starts_with("TO:"));
                match (to, &mail_from, shared.refuse_rcpt) {
                    (None, _, _) => reply(&mut out, "501 5.5.4 syntax: RCPT TO:<address>")?,
                    (Some(_), None, _) => reply(&mut out, "503 5.5.1 need MAIL first")?,
                    (Some(to), Some(_), Some(code)) => {
                        reply(&mut out, &format!("{code} 5.1.1 <{to}> refused by sink"))?
                    }
                    (Some(to), Some(_), None) => {
                        rcpt_to.push(to);
                        reply(&mut out, "250 2.1.5 ok")?;
                    }
                }
            }
            "DATA" => {
                if mail_from.is_none() || rcpt_to.is_empty() {
                    reply(&mut out, "503 5.5.1 need MAIL and RCPT first")?;
                    continue;
                }
                reply(&mut out, "354 end data with <CR><LF>.<CR><LF>")?;
                let mut data = String::new();
                loop {
                    let Some(l) = read_line(&mut reader)? else {
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
                );
                shared.lock().push(received);
                shared.arrived.notify_all();
                reply(&mut out, "250 2.0.0 queued")?;
            }
            "RSET" => {
                mail_from = None;
                rcpt_to.clear();
                reply(&mut out, "250 2.0.0 ok")?;
            }
            "NOOP" => reply(&mut out, "250 2.0.0 ok")?,
            "QUIT" => {
                reply(&mut out, "221 2.0.0 bye")?;
                return Ok(());
            }
            _ => reply(&mut out, "502 5.5.2 command not recognized")?,
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
        let r = parse_received(String::new(), vec![], data.into(), None);
        assert_eq!(r.subject, "本月");
        assert_eq!(r.body, "Subject: no\n"); // not base64: raw, LF-normalised
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
}
