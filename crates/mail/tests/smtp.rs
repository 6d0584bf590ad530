//! End-to-end tests of `mail::send` against `mail::sink::Sink` (plain,
//! STARTTLS and implicit TLS, with a CA and certificate made here by rcgen)
//! and against scripted fake servers.

use mail::sink::Sink;
use mail::{send, MailError, Message, Security, SmtpConfig};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

fn cfg_for(addr: SocketAddr) -> SmtpConfig {
    SmtpConfig {
        host: addr.ip().to_string(),
        port: addr.port(),
        security: Security::None,
        ca_file: None,
        from: "dangjian@kx.example.gov.cn".into(),
        from_name: Some("科技社团党委".into()),
        username: None,
        password: None,
        hello_name: "dangjian".into(),
        timeout: Duration::from_secs(10),
    }
}

fn message(to: &[&str], subject: &str, body: &str) -> Message {
    Message {
        to: to.iter().map(|s| s.to_string()).collect(),
        subject: subject.into(),
        body: body.into(),
    }
}

#[test]
fn chinese_subject_and_body_round_trip() {
    let sink = Sink::start().unwrap();
    let long_line = "本月主题党日尚未开展，还剩 3 天。".repeat(60);
    let body = format!(
        "各位同志：\n\n本月主题党日尚未开展，还剩 3 天。\n.以点开头的一行\n.\n..\n{long_line}\n此致\n敬礼"
    );
    let subject = "【提醒】本月主题党日尚未开展";
    send(
        &cfg_for(sink.addr()),
        &message(&["zhangsan@kx.example.gov.cn"], subject, &body),
    )
    .unwrap();

    let got = sink.wait_for(1, WAIT);
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert_eq!(m.subject, subject);
    assert_eq!(m.body, body);
    assert!(!m.tls);
    assert_eq!(m.mail_from, "dangjian@kx.example.gov.cn");
    assert_eq!(m.rcpt_to, vec!["zhangsan@kx.example.gov.cn"]);
    assert_eq!(m.auth, None);
    assert_eq!(
        m.header("From").as_deref(),
        Some("科技社团党委 <dangjian@kx.example.gov.cn>")
    );
    assert_eq!(
        m.header("To").as_deref(),
        Some("zhangsan@kx.example.gov.cn")
    );
    assert_eq!(m.header("MIME-Version").as_deref(), Some("1.0"));
    assert_eq!(
        m.header("Content-Type").as_deref(),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        m.header("Content-Transfer-Encoding").as_deref(),
        Some("base64")
    );
    let id = m.header("Message-ID").unwrap();
    assert!(id.starts_with('<') && id.ends_with("@dangjian>"), "{id}");

    // wire format: ASCII, CRLF only, body lines of at most 76 chars
    assert!(m.data.is_ascii());
    assert!(!m.data.replace("\r\n", "").contains(['\r', '\n']));
    let (_, raw_body) = m.data.split_once("\r\n\r\n").unwrap();
    assert!(raw_body.split("\r\n").all(|l| l.len() <= 76));
    assert!(raw_body.split("\r\n").filter(|l| l.len() == 76).count() > 10);
    assert!(!m.data.contains("主题"));
}

#[test]
fn date_header_is_rfc5322_and_current() {
    let sink = Sink::start().unwrap();
    send(
        &cfg_for(sink.addr()),
        &message(&["a@example.org"], "x", "y"),
    )
    .unwrap();
    let m = &sink.wait_for(1, WAIT)[0];
    let date = m.header("Date").unwrap();
    // "Fri, 27 Nov 2026 10:00:00 +0000"
    let parts: Vec<&str> = date.split(' ').collect();
    assert_eq!(parts.len(), 6, "{date}");
    assert!(["Mon,", "Tue,", "Wed,", "Thu,", "Fri,", "Sat,", "Sun,"].contains(&parts[0]));
    let day: u32 = parts[1].parse().unwrap();
    assert!((1..=31).contains(&day));
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    assert!(months.contains(&parts[2]));
    let year: i32 = parts[3].parse().unwrap();
    assert!(year >= 2024);
    let hms: Vec<u32> = parts[4].split(':').map(|p| p.parse().unwrap()).collect();
    assert!(hms.len() == 3 && hms[0] < 24 && hms[1] < 60 && hms[2] < 60);
    assert_eq!(parts[5], "+0000");
}

#[test]
fn multiple_recipients_all_arrive_in_one_message() {
    let sink = Sink::start().unwrap();
    let to = ["a@example.org", "b@kx.example.gov.cn", "c.d+e@example.net"];
    send(&cfg_for(sink.addr()), &message(&to, "通知", "内容")).unwrap();
    let got = sink.wait_for(1, WAIT);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].rcpt_to, to);
    assert_eq!(
        got[0].header("To").as_deref(),
        Some("a@example.org, b@kx.example.gov.cn, c.d+e@example.net")
    );
    // a second send over a new connection is a second message
    send(&cfg_for(sink.addr()), &message(&to[..1], "二", "内容")).unwrap();
    let got = sink.wait_for(2, WAIT);
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].subject, "二");
}

/// With `security = none` the credentials go in clear: the admin's choice.
#[test]
fn auth_plain_credentials_arrive() {
    let sink = Sink::start().unwrap();
    let mut cfg = cfg_for(sink.addr());
    assert_eq!(cfg.security, Security::None);
    cfg.username = Some("dangjian".into());
    cfg.password = Some("密码 p@ss:word".into());
    send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap();
    let got = sink.wait_for(1, WAIT);
    assert_eq!(
        got[0].auth,
        Some(("dangjian".to_string(), "密码 p@ss:word".to_string()))
    );
}

#[test]
fn refused_recipient_gives_smtp_error() {
    let sink = Sink::start_refusing(550).unwrap();
    let err = send(
        &cfg_for(sink.addr()),
        &message(&["a@example.org"], "s", "b"),
    )
    .unwrap_err();
    match err {
        MailError::Smtp { code, ref text } => {
            assert_eq!(code, 550);
            assert!(text.contains("a@example.org"), "{text}");
        }
        other => panic!("expected Smtp error, got {other:?}"),
    }
    assert!(err.to_string().contains("550"));
    assert!(sink.wait_for(1, Duration::from_millis(200)).is_empty());
}

#[test]
fn closed_port_gives_io_error_quickly() {
    let addr = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    }; // listener dropped: nothing listens there now
    let mut cfg = cfg_for(addr);
    cfg.timeout = Duration::from_secs(2);
    let start = Instant::now();
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(matches!(err, MailError::Io(_)), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(5));
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn bad_addresses_are_refused_before_connecting() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let cfg = cfg_for(listener.local_addr().unwrap());
    for bad in ["a@b\r\nBcc: x@y", "no-at-sign", "", "a b@c.d"] {
        let err = send(&cfg, &message(&["ok@example.org", bad], "s", "b")).unwrap_err();
        assert!(
            matches!(&err, MailError::Address(a) if a == bad),
            "{bad:?}: {err:?}"
        );

        let mut bad_from = cfg.clone();
        bad_from.from = bad.to_string();
        let err = send(&bad_from, &message(&["ok@example.org"], "s", "b")).unwrap_err();
        assert!(
            matches!(&err, MailError::Address(a) if a == bad),
            "{bad:?}: {err:?}"
        );
    }
    // nobody ever connected
    match listener.accept() {
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::WouldBlock),
        Ok((_, peer)) => panic!("unexpected connection from {peer}"),
    }
}

#[test]
fn long_subject_is_split_into_short_encoded_words() {
    let sink = Sink::start().unwrap();
    let subject =
        "【提醒】本月主题党日尚未开展，请各党支部于月底前完成组织生活会并上传会议记录，还剩 3 天"
            .repeat(3);
    send(
        &cfg_for(sink.addr()),
        &message(&["a@example.org"], &subject, "b"),
    )
    .unwrap();
    let m = &sink.wait_for(1, WAIT)[0];
    assert_eq!(m.subject, subject);
    let head = m.data.split("\r\n\r\n").next().unwrap();
    let mut words = 0;
    let mut in_subject = false;
    for line in head.split("\r\n") {
        if line.starts_with("Subject:") {
            in_subject = true;
        } else if !line.starts_with(' ') {
            in_subject = false;
        }
        if in_subject {
            for w in line.split_whitespace().filter(|w| w.starts_with("=?")) {
                assert!(w.len() <= 75, "{} chars: {w}", w.len());
                assert!(w.to_ascii_uppercase().starts_with("=?UTF-8?B?") && w.ends_with("?="));
                words += 1;
            }
        }
    }
    assert!(words >= 4, "only {words} encoded words");
}

#[test]
fn subject_and_name_line_breaks_are_stripped() {
    let sink = Sink::start().unwrap();
    let mut cfg = cfg_for(sink.addr());
    cfg.from_name = Some("党委\r\nBcc: evil@example.org".into());
    send(
        &cfg,
        &message(&["a@example.org"], "提醒\r\nBcc: evil@example.org", "b"),
    )
    .unwrap();
    let m = &sink.wait_for(1, WAIT)[0];
    assert_eq!(m.subject, "提醒Bcc: evil@example.org");
    assert_eq!(m.header("Bcc"), None);
    assert_eq!(m.rcpt_to, vec!["a@example.org"]);
}

#[test]
fn sink_stops_on_drop() {
    let sink = Sink::start().unwrap();
    let addr = sink.addr();
    drop(sink);
    let err = send(&cfg_for(addr), &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(matches!(err, MailError::Io(_)), "{err:?}");
}

#[test]
fn wait_for_times_out_with_fewer_messages() {
    let sink = Sink::start().unwrap();
    let start = Instant::now();
    assert!(sink.wait_for(1, Duration::from_millis(150)).is_empty());
    assert!(start.elapsed() >= Duration::from_millis(150));
    assert!(sink.messages().is_empty());
}

/// Speaks raw SMTP to the sink: unknown commands, RSET, NOOP, AUTH LOGIN,
/// dot-unstuffing, DATA without recipients.
#[test]
fn sink_protocol_by_hand() {
    let sink = Sink::start().unwrap();
    let stream = std::net::TcpStream::connect(sink.addr()).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut w = stream.try_clone().unwrap();
    let mut r = BufReader::new(stream);
    let mut reply = || {
        let mut all = String::new();
        loop {
            let mut line = String::new();
            r.read_line(&mut line).unwrap();
            all.push_str(&line);
            if line.as_bytes().get(3) != Some(&b'-') {
                return all;
            }
        }
    };
    let cmd =
        |w: &mut std::net::TcpStream, c: &str| w.write_all(format!("{c}\r\n").as_bytes()).unwrap();

    assert!(reply().starts_with("220 "));
    cmd(&mut w, "EHLO tester");
    let ehlo = reply();
    assert!(ehlo.contains("250-AUTH PLAIN LOGIN\r\n") && ehlo.ends_with("250 8BITMIME\r\n"));
    cmd(&mut w, "VRFY someone");
    assert!(reply().starts_with("502"));
    cmd(&mut w, "STARTTLS"); // a plain sink offers no TLS
    assert!(reply().starts_with("502"));
    cmd(&mut w, "NOOP");
    assert!(reply().starts_with("250"));
    cmd(&mut w, "DATA");
    assert!(reply().starts_with("503"));
    cmd(&mut w, "AUTH LOGIN");
    assert_eq!(reply(), "334 VXNlcm5hbWU6\r\n");
    cmd(&mut w, "dXNlcg=="); // user
    assert_eq!(reply(), "334 UGFzc3dvcmQ6\r\n");
    cmd(&mut w, "cGFzcw=="); // pass
    assert!(reply().starts_with("235"));
    cmd(&mut w, "MAIL FROM:<x@example.org>");
    assert!(reply().starts_with("250"));
    cmd(&mut w, "RCPT TO:<dropped@example.org>");
    assert!(reply().starts_with("250"));
    cmd(&mut w, "RSET");
    assert!(reply().starts_with("250"));
    cmd(&mut w, "RCPT TO:<y@example.org>");
    assert!(reply().starts_with("503"), "RCPT after RSET needs MAIL");
    cmd(&mut w, "mail from:<x@example.org> BODY=8BITMIME");
    assert!(reply().starts_with("250"));
    cmd(&mut w, "rcpt to:<y@example.org>");
    assert!(reply().starts_with("250"));
    cmd(&mut w, "DATA");
    assert!(reply().starts_with("354"));
    w.write_all(b"Subject: plain\r\n\r\n..dot\r\nline\r\n.\r\n")
        .unwrap();
    assert!(reply().starts_with("250"));
    cmd(&mut w, "QUIT");
    assert!(reply().starts_with("221"));

    let m = &sink.wait_for(1, WAIT)[0];
    assert_eq!(
        sink.commands(),
        [
            "EHLO", "VRFY", "STARTTLS", "NOOP", "DATA", "AUTH", "MAIL", "RCPT", "RSET", "RCPT",
            "MAIL", "RCPT", "DATA", "QUIT"
        ]
    );
    assert_eq!(m.rcpt_to, vec!["y@example.org"]);
    assert!(!m.tls);
    assert_eq!(m.data, "Subject: plain\r\n\r\n.dot\r\nline\r\n");
    assert_eq!(m.subject, "plain");
    assert_eq!(m.body, ".dot\nline\n");
    assert_eq!(m.auth, Some(("user".into(), "pass".into())));
}

/// A one-connection fake server: sends `greeting`, then for every
/// `(expected prefix, response)` reads one command line, checks it, and
/// writes the response. The prefix `"<data>"` reads DATA lines up to `.`.
/// Returns everything the client sent.
fn scripted(
    greeting: &'static str,
    script: Vec<(&'static str, &'static str)>,
) -> (SocketAddr, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let handle = std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        stream.set_read_timeout(Some(WAIT)).unwrap();
        let mut w = stream.try_clone().unwrap();
        let mut r = BufReader::new(stream);
        let mut seen = Vec::new();
        w.write_all(greeting.as_bytes()).unwrap();
        for (expect, response) in script {
            if expect == "<data>" {
                loop {
                    let mut line = String::new();
                    assert!(r.read_line(&mut line).unwrap() > 0, "EOF in DATA");
                    seen.push(line.clone());
                    if line == ".\r\n" {
                        break;
                    }
                }
            } else {
                let mut line = String::new();
                r.read_line(&mut line).unwrap();
                assert!(
                    line.starts_with(expect),
                    "expected {expect:?}, got {line:?}"
                );
                seen.push(line);
            }
            if response.is_empty() {
                return seen; // hang up
            }
            w.write_all(response.as_bytes()).unwrap();
        }
        seen
    });
    (addr, handle)
}

#[test]
fn multiline_replies_251_and_quit_failure() {
    let (addr, server) = scripted(
        "220-relay.example.gov.cn\r\n220-welcome\r\n220 ESMTP\r\n",
        vec![
            ("EHLO dangjian\r\n", "250 relay\r\n"),
            ("MAIL FROM:<dangjian@kx.example.gov.cn>\r\n", "250 ok\r\n"),
            ("RCPT TO:<a@example.org>\r\n", "251 will forward\r\n"),
            ("DATA\r\n", "354 go\r\n"),
            ("<data>", "250-queued\r\n250 as 1234\r\n"),
            ("QUIT\r\n", ""), // hang up without 221: still sent
        ],
    );
    send(&cfg_for(addr), &message(&["a@example.org"], "提醒", "b")).unwrap();
    let seen = server.join().unwrap();
    assert!(seen
        .iter()
        .any(|l| l.to_ascii_uppercase().starts_with("SUBJECT: =?UTF-8?B?")));
    assert_eq!(seen.last().unwrap(), "QUIT\r\n");
    // the DATA end marker was sent exactly once, after a CRLF
    assert_eq!(seen.iter().filter(|l| *l == ".\r\n").count(), 1);
}

/// lettre has no HELO fallback: a server that refuses EHLO is an error.
#[test]
fn refused_ehlo_is_an_smtp_error() {
    let (addr, server) = scripted(
        "220 relay\r\n",
        vec![
            ("EHLO dangjian\r\n", "502 5.5.1 EHLO not supported\r\n"),
            ("QUIT\r\n", "221 bye\r\n"),
        ],
    );
    let err = send(&cfg_for(addr), &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(matches!(err, MailError::Smtp { code: 502, .. }), "{err:?}");
    server.join().unwrap();
}

#[test]
fn auth_login_used_when_plain_not_offered() {
    let (addr, server) = scripted(
        "220 relay\r\n",
        vec![
            (
                "EHLO dangjian",
                "250-relay\r\n250-SIZE 1000000\r\n250 AUTH LOGIN\r\n",
            ),
            ("AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n"),
            ("dXNlcg==\r\n", "334 UGFzc3dvcmQ6\r\n"),
            ("cGFzcw==\r\n", "235 ok\r\n"),
            ("MAIL FROM:", "250 ok\r\n"),
            ("RCPT TO:", "250 ok\r\n"),
            ("DATA", "354 go\r\n"),
            ("<data>", "250 ok\r\n"),
            ("QUIT", "221 bye\r\n"),
        ],
    );
    let mut cfg = cfg_for(addr);
    cfg.username = Some("user".into());
    cfg.password = Some("pass".into());
    send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap();
    server.join().unwrap();
}

#[test]
fn failed_auth_and_bad_greeting_and_garbage() {
    // 535 on AUTH PLAIN (lettre then hangs up without QUIT)
    let (addr, server) = scripted(
        "220 relay\r\n",
        vec![
            ("EHLO", "250-relay\r\n250 AUTH PLAIN LOGIN\r\n"),
            (
                "AUTH PLAIN AHVzZXIAcGFzcw==\r\n",
                "535 5.7.8 bad credentials\r\n",
            ),
        ],
    );
    let mut cfg = cfg_for(addr);
    cfg.username = Some("user".into());
    cfg.password = Some("pass".into());
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(matches!(err, MailError::Smtp { code: 535, .. }), "{err:?}");
    let seen = server.join().unwrap();
    assert!(!seen.iter().any(|l| l.starts_with("MAIL")));

    // credentials given, but the server offers no AUTH
    let (addr, server) = scripted("220 relay\r\n", vec![("EHLO", "250 relay\r\n")]);
    let cfg = SmtpConfig {
        port: addr.port(),
        ..cfg
    };
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(matches!(err, MailError::Protocol(_)), "{err:?}");
    server.join().unwrap();

    // 554 greeting
    let (addr, server) = scripted("554 go away\r\n", vec![]);
    let err = send(&cfg_for(addr), &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(
        matches!(&err, MailError::Smtp { code: 554, text } if text == "go away"),
        "{err:?}"
    );
    server.join().unwrap();

    // not SMTP at all
    let (addr, server) = scripted("HTTP/1.1 400 Bad Request\r\n", vec![]);
    let err = send(&cfg_for(addr), &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(matches!(err, MailError::Protocol(_)), "{err:?}");
    server.join().unwrap();

    // server closes after the greeting: lettre reports an incomplete response
    let (addr, server) = scripted("220 hi\r\n", vec![("EHLO", "")]);
    let err = send(&cfg_for(addr), &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(
        matches!(err, MailError::Protocol(_) | MailError::Io(_)),
        "{err:?}"
    );
    server.join().unwrap();
}

#[test]
fn silent_server_times_out() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut cfg = cfg_for(listener.local_addr().unwrap());
    cfg.timeout = Duration::from_millis(300);
    let start = Instant::now();
    // the kernel completes the handshake; nobody ever says 220
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(matches!(err, MailError::Io(_)), "{err:?}");
    assert!(start.elapsed() < Duration::from_secs(3));
    drop(listener);
}

// ---------------------------------------------------------------- TLS

/// A CA and a server certificate for "localhost" signed by it, made fresh for
/// each test; the CA's PEM is in `ca_file`, as an admin would deploy it.
struct Pki {
    ca_file: tempfile::NamedTempFile,
    cert_pem: String,
    key_pem: String,
}

fn pki() -> Pki {
    use rcgen::{
        BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
    };
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.distinguished_name
        .push(DnType::CommonName, "dangjian test intranet CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    let ca_cert = ca.self_signed(&ca_key).unwrap();

    let key = KeyPair::generate().unwrap();
    let mut leaf = CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    leaf.distinguished_name
        .push(DnType::CommonName, "localhost");
    let cert = leaf
        .signed_by(&key, &Issuer::from_params(&ca, &ca_key))
        .unwrap();

    let mut ca_file = tempfile::NamedTempFile::new().unwrap();
    ca_file.write_all(ca_cert.pem().as_bytes()).unwrap();
    ca_file.flush().unwrap();
    Pki {
        ca_file,
        cert_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

/// A client for `sink` by the name in its certificate, with credentials.
fn tls_cfg(sink: &Sink, security: Security, ca_file: Option<&Pki>) -> SmtpConfig {
    let mut cfg = cfg_for(sink.addr());
    cfg.host = "localhost".into();
    cfg.security = security;
    cfg.ca_file = ca_file.map(|p| p.ca_file.path().to_path_buf());
    cfg.username = Some("dangjian".into());
    cfg.password = Some("密码 secret".into());
    cfg
}

fn position(commands: &[String], verb: &str) -> Option<usize> {
    commands.iter().position(|c| c == verb)
}

#[test]
fn starttls_with_internal_ca_delivers_over_tls_after_auth() {
    let pki = pki();
    let sink = Sink::start_starttls(&pki.cert_pem, &pki.key_pem).unwrap();
    let cfg = tls_cfg(&sink, Security::StartTls, Some(&pki));
    let body = "各位同志：\n本月主题党日尚未开展，还剩 3 天。\n";
    send(
        &cfg,
        &message(&["zhangsan@kx.example.gov.cn"], "【提醒】主题党日", body),
    )
    .unwrap();

    let got = sink.wait_for(1, WAIT);
    assert_eq!(got.len(), 1);
    let m = &got[0];
    assert!(m.tls, "the message came over TLS");
    assert_eq!(
        m.auth,
        Some(("dangjian".to_string(), "密码 secret".to_string()))
    );
    assert_eq!(m.subject, "【提醒】主题党日");
    assert_eq!(m.body, body);
    assert_eq!(m.rcpt_to, vec!["zhangsan@kx.example.gov.cn"]);
    // STARTTLS, a fresh EHLO inside TLS, and only then AUTH
    let commands = sink.commands();
    assert_eq!(
        &commands[..4],
        ["EHLO", "STARTTLS", "EHLO", "AUTH"],
        "{commands:?}"
    );
}

#[test]
fn implicit_tls_with_internal_ca_delivers() {
    let pki = pki();
    let sink = Sink::start_tls(&pki.cert_pem, &pki.key_pem).unwrap();
    let cfg = tls_cfg(&sink, Security::Tls, Some(&pki));
    send(&cfg, &message(&["a@example.org"], "通知", "内容")).unwrap();
    let m = &sink.wait_for(1, WAIT)[0];
    assert!(m.tls);
    assert_eq!(m.subject, "通知");
    assert_eq!(m.body, "内容");
    assert!(m.auth.is_some());
    let commands = sink.commands();
    assert_eq!(&commands[..2], ["EHLO", "AUTH"], "{commands:?}");
    assert_eq!(position(&commands, "STARTTLS"), None);
}

/// Without the internal CA the certificate is not trusted: a clear TLS
/// error, and neither credentials nor the message reach the server.
#[test]
fn untrusted_certificate_fails_and_nothing_is_sent() {
    let pki = pki();
    let sink = Sink::start_starttls(&pki.cert_pem, &pki.key_pem).unwrap();
    let cfg = tls_cfg(&sink, Security::StartTls, None);
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    match &err {
        MailError::Tls(m) => assert!(m.contains("not trusted") && m.contains("ca_file"), "{m}"),
        other => panic!("expected a TLS error, got {other:?}"),
    }
    assert!(err.to_string().contains("localhost"), "{err}");
    let commands = sink.commands();
    assert!(position(&commands, "STARTTLS").is_some(), "{commands:?}");
    assert_eq!(position(&commands, "AUTH"), None, "{commands:?}");
    assert_eq!(position(&commands, "MAIL"), None, "{commands:?}");
    assert!(sink.wait_for(1, Duration::from_millis(200)).is_empty());

    // the same with implicit TLS
    let sink = Sink::start_tls(&pki.cert_pem, &pki.key_pem).unwrap();
    let cfg = tls_cfg(&sink, Security::Tls, None);
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(
        matches!(&err, MailError::Tls(m) if m.contains("not trusted")),
        "{err:?}"
    );
    assert!(sink.commands().is_empty());
    assert!(sink.messages().is_empty());
}

/// The certificate names "localhost"; connecting by IP address fails even
/// with the right CA.
#[test]
fn certificate_for_another_name_fails() {
    let pki = pki();
    let sink = Sink::start_starttls(&pki.cert_pem, &pki.key_pem).unwrap();
    let mut cfg = tls_cfg(&sink, Security::StartTls, Some(&pki));
    cfg.host = "127.0.0.1".into();
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(
        matches!(&err, MailError::Tls(m) if m.contains("not valid for the name")),
        "{err:?}"
    );
    assert_eq!(position(&sink.commands(), "AUTH"), None);
    assert!(sink.messages().is_empty());
}

/// `security = starttls` against a server that does not offer STARTTLS
/// (e.g. a stripping man in the middle): AUTH is never sent in clear.
#[test]
fn starttls_required_never_sends_auth_in_clear() {
    let sink = Sink::start().unwrap(); // offers AUTH, but no STARTTLS
    let pki = pki();
    let cfg = tls_cfg(&sink, Security::StartTls, Some(&pki));
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    match &err {
        MailError::Tls(m) => assert!(m.contains("does not offer STARTTLS"), "{m}"),
        other => panic!("expected a TLS error, got {other:?}"),
    }
    let commands = sink.commands();
    assert_eq!(commands.first().map(String::as_str), Some("EHLO"));
    assert_eq!(position(&commands, "AUTH"), None, "{commands:?}");
    assert_eq!(position(&commands, "MAIL"), None, "{commands:?}");
    assert!(sink.messages().is_empty());

    // security = tls against a plain server: the handshake fails at once
    let cfg = tls_cfg(&sink, Security::Tls, Some(&pki));
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(
        matches!(&err, MailError::Tls(m) if m.contains("starttls")),
        "{err:?}"
    );
    assert_eq!(position(&sink.commands(), "AUTH"), None);
    assert!(sink.messages().is_empty());
}
