//! End-to-end tests of `mail::send` against `mail::sink::Sink` and against
//! scripted fake servers.

use mail::sink::Sink;
use mail::{send, MailError, Message, SmtpConfig};
use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

const WAIT: Duration = Duration::from_secs(10);

fn cfg_for(addr: SocketAddr) -> SmtpConfig {
    SmtpConfig {
        host: addr.ip().to_string(),
        port: addr.port(),
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

#[test]
fn auth_plain_credentials_arrive() {
    let sink = Sink::start().unwrap();
    let mut cfg = cfg_for(sink.addr());
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
                assert!(w.starts_with("=?UTF-8?B?") && w.ends_with("?="));
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
    assert_eq!(m.rcpt_to, vec!["y@example.org"]);
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
fn helo_fallback_multiline_replies_and_quit_failure() {
    let (addr, server) = scripted(
        "220-relay.example.gov.cn\r\n220-welcome\r\n220 ESMTP\r\n",
        vec![
            ("EHLO dangjian\r\n", "502 5.5.1 EHLO not supported\r\n"),
            ("HELO dangjian\r\n", "250 relay\r\n"),
            ("MAIL FROM:<dangjian@kx.example.gov.cn>\r\n", "250 ok\r\n"),
            ("RCPT TO:<a@example.org>\r\n", "251 will forward\r\n"),
            ("DATA\r\n", "354 go\r\n"),
            ("<data>", "250-queued\r\n250 as 1234\r\n"),
            ("QUIT\r\n", ""), // hang up without 221: still sent
        ],
    );
    send(&cfg_for(addr), &message(&["a@example.org"], "s", "b")).unwrap();
    let seen = server.join().unwrap();
    assert!(seen.iter().any(|l| l.starts_with("Subject: =?UTF-8?B?")));
    assert_eq!(seen.last().unwrap(), "QUIT\r\n");
    // the DATA end marker was sent exactly once, after a CRLF
    assert_eq!(seen.iter().filter(|l| *l == ".\r\n").count(), 1);
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
    // 535 on AUTH PLAIN
    let (addr, server) = scripted(
        "220 relay\r\n",
        vec![
            ("EHLO", "250-relay\r\n250 AUTH PLAIN LOGIN\r\n"),
            (
                "AUTH PLAIN AHVzZXIAcGFzcw==\r\n",
                "535 5.7.8 bad credentials\r\n",
            ),
            ("QUIT", "221 bye\r\n"),
        ],
    );
    let mut cfg = cfg_for(addr);
    cfg.username = Some("user".into());
    cfg.password = Some("pass".into());
    let err = send(&cfg, &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(matches!(err, MailError::Smtp { code: 535, .. }), "{err:?}");
    server.join().unwrap();

    // 554 greeting
    let (addr, server) = scripted("554 go away\r\n", vec![("QUIT", "221 bye\r\n")]);
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

    // server closes after the greeting
    let (addr, server) = scripted("220 hi\r\n", vec![("EHLO", "")]);
    let err = send(&cfg_for(addr), &message(&["a@example.org"], "s", "b")).unwrap_err();
    assert!(matches!(err, MailError::Io(_)), "{err:?}");
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
