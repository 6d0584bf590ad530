//! Blocking SMTP delivery of reminder e-mails through [`lettre`], plus an
//! in-process SMTP server ([`sink::Sink`]) for tests.
//!
//! # Scope
//!
//! * **Connection security** ([`SmtpConfig::security`]):
//!   * [`Security::StartTls`]: plain connect, then `STARTTLS` is **required**
//!     (a server that does not offer it is an error; nothing is sent in
//!     clear). This is what relays on the submission port 587 want.
//!   * [`Security::Tls`]: TLS from the first byte (implicit TLS, "SMTPS"),
//!     what relays on port 465 want.
//!   * [`Security::None`]: unencrypted SMTP, for a relay on a trusted segment
//!     (port 25) or a local forwarder. With `username`/`password` this sends
//!     the credentials in clear text (base64 only): that is the
//!     administrator's explicit choice, and the only way they ever travel
//!     unencrypted.
//! * **Certificates** are verified against the Mozilla root store bundled in
//!   `webpki-roots` plus, when [`SmtpConfig::ca_file`] is set, the
//!   certificates in that PEM file (an internal CA, as government intranets
//!   use). The host name in [`SmtpConfig::host`] must match the certificate.
//!   There is no switch to skip verification.
//! * **Blocking I/O** with a connect/read/write timeout
//!   ([`SmtpConfig::timeout`]); async callers should run [`send`] in
//!   `spawn_blocking`. Name resolution is not covered by the timeout.
//! * **One message per call**: one connection, `EHLO` (there is no `HELO`
//!   fallback), `STARTTLS` and a second `EHLO` when asked for, `AUTH PLAIN`
//!   (or `AUTH LOGIN`) when credentials are given, `MAIL FROM`, one
//!   `RCPT TO` per recipient, `DATA`, `QUIT`.
//!
//! # Message format
//!
//! Built by lettre: `From` (display name RFC 2047-encoded), `To`, `Subject`
//! (RFC 2047-encoded when not plain ASCII), `Date` (RFC 5322, UTC),
//! `Message-ID` (`<unix.random@hello_name>`), `MIME-Version: 1.0`,
//! `Content-Type: text/plain; charset=utf-8` and
//! `Content-Transfer-Encoding: base64`, so the whole message is 7-bit ASCII
//! and needs no `8BITMIME` from the relay.
//!
//! All addresses are checked with [`valid_address`] before any connection is
//! made, which also rules out header injection through addresses; CR/LF and
//! other control characters are removed from the subject and display name.

pub mod sink;

use std::fmt;
use std::hash::{BuildHasher, Hasher};
use std::io;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use lettre::message::header::{ContentTransferEncoding, ContentType, MIME_VERSION_1_0};
use lettre::message::{Body, Mailbox};
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{SmtpTransport, Transport};
use rustls::pki_types::{pem::PemObject, CertificateDer};

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// Unencrypted SMTP (config string `"none"`). Credentials, if any, are
    /// sent in clear text: only for a relay on a trusted segment.
    None,
    /// Plain connect, then `STARTTLS` is required (`"starttls"`; port 587).
    StartTls,
    /// Implicit TLS from the first byte (`"tls"`; port 465).
    Tls,
}

impl Security {
    /// The config string: `"none"`, `"starttls"` or `"tls"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Security::None => "none",
            Security::StartTls => "starttls",
            Security::Tls => "tls",
        }
    }
}

impl fmt::Display for Security {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Security {
    type Err = String;

    /// Parses `"none"`, `"starttls"` or `"tls"` (ASCII case-insensitive).
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Security::None),
            "starttls" => Ok(Security::StartTls),
            "tls" => Ok(Security::Tls),
            _ => Err(format!(
                "unknown SMTP security {s:?} (expected \"none\", \"starttls\" or \"tls\")"
            )),
        }
    }
}

/// Where and how to send mail.
#[derive(Debug, Clone)]
pub struct SmtpConfig {
    /// Relay host name or IP address. With TLS this is also the name the
    /// server's certificate must be valid for.
    pub host: String,
    /// Relay port: usually 25 with [`Security::None`], 587 with
    /// [`Security::StartTls`], 465 with [`Security::Tls`].
    pub port: u16,
    /// Encryption of the connection; see [`Security`].
    pub security: Security,
    /// A PEM file whose certificates are trusted as CAs in addition to the
    /// bundled Mozilla roots, e.g. a government intranet's own CA. Read on
    /// every send; unused with [`Security::None`].
    pub ca_file: Option<PathBuf>,
    /// Envelope sender and header `From` address, e.g. `dangjian@kx.example.gov.cn`.
    pub from: String,
    /// Display name for the `From` header, e.g. `科技社团党委` (RFC 2047 encoded).
    pub from_name: Option<String>,
    /// With `password`: authenticate with `AUTH PLAIN` (or `AUTH LOGIN` when
    /// only that is offered); a server that offers neither is an error.
    /// Ignored when empty. Sent only after TLS is up unless `security` is
    /// [`Security::None`].
    pub username: Option<String>,
    /// See `username`.
    pub password: Option<String>,
    /// Name sent with `EHLO` and used as the right-hand side of the
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
    /// The message or configuration cannot be sent at all (no recipients,
    /// invalid `hello_name`, NUL in credentials, unreadable or empty
    /// `ca_file`). Found before connecting.
    Invalid(String),
    /// Connecting, reading or writing failed (includes timeouts, refused
    /// connections and the connection being reset).
    Io(io::Error),
    /// TLS could not be established: the server's certificate is not trusted
    /// or not valid for the host, the handshake failed, or the server does
    /// not offer `STARTTLS`. Nothing was sent after the failure.
    Tls(String),
    /// The server answered a command with a negative reply.
    Smtp {
        /// The reply code, e.g. 550.
        code: u16,
        /// The reply text (lines of a multi-line reply joined).
        text: String,
    },
    /// The server's reply was malformed or incomplete (e.g. it closed the
    /// connection mid-session), or the session could not go on (e.g. no
    /// usable AUTH mechanism).
    Protocol(String),
}

impl fmt::Display for MailError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MailError::Address(a) => write!(f, "invalid e-mail address {a:?}"),
            MailError::Invalid(m) => write!(f, "cannot send mail: {m}"),
            MailError::Io(e) => write!(f, "SMTP connection error: {e}"),
            MailError::Tls(m) => write!(f, "SMTP TLS error: {m}"),
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
/// Inputs (and `ca_file`) are checked before connecting. Any refused
/// recipient aborts the whole message (nothing is sent; the error carries the
/// server's reply). A failed `QUIT` after the message was accepted is ignored.
pub fn send(cfg: &SmtpConfig, msg: &Message) -> Result<(), MailError> {
    let email = build_message(cfg, msg, SystemTime::now())?;
    let transport = transport(cfg)?;
    transport
        .send(&email)
        .map(|_| ())
        .map_err(|e| classify(cfg, e))
}

fn credentials(cfg: &SmtpConfig) -> Result<Option<Credentials>, MailError> {
    match (&cfg.username, &cfg.password) {
        (Some(u), Some(p)) if !u.is_empty() => {
            if u.contains('\0') || p.contains('\0') {
                return Err(MailError::Invalid("NUL in SMTP credentials".into()));
            }
            Ok(Some(Credentials::new(u.clone(), p.clone())))
        }
        _ => Ok(None),
    }
}

/// TLS parameters for `cfg.host`: the bundled roots plus `cfg.ca_file`.
fn tls_parameters(cfg: &SmtpConfig) -> Result<TlsParameters, MailError> {
    let mut builder = TlsParameters::builder(cfg.host.clone());
    if let Some(path) = &cfg.ca_file {
        let shown = path.display();
        let pem = std::fs::read(path)
            .map_err(|e| MailError::Invalid(format!("cannot read ca_file {shown}: {e}")))?;
        let count = CertificateDer::pem_slice_iter(&pem)
            .try_fold(0usize, |n, c| c.map(|_| n + 1))
            .map_err(|e| MailError::Invalid(format!("ca_file {shown}: {e}")))?;
        if count == 0 {
            return Err(MailError::Invalid(format!(
                "ca_file {shown} holds no PEM certificate"
            )));
        }
        let cert = Certificate::from_pem(&pem)
            .map_err(|e| MailError::Invalid(format!("ca_file {shown}: {e}")))?;
        builder = builder.add_root_certificate(cert);
    }
    builder
        .build_rustls()
        .map_err(|e| MailError::Invalid(format!("TLS setup for {}: {e}", cfg.host)))
}

/// The transport for `cfg` (inputs already checked by [`build_message`]).
fn transport(cfg: &SmtpConfig) -> Result<SmtpTransport, MailError> {
    let tls = match cfg.security {
        Security::None => Tls::None,
        Security::StartTls => Tls::Required(tls_parameters(cfg)?),
        Security::Tls => Tls::Wrapper(tls_parameters(cfg)?),
    };
    let mut builder = SmtpTransport::builder_dangerous(cfg.host.as_str())
        .port(cfg.port)
        .tls(tls)
        .timeout(Some(cfg.timeout))
        .hello_name(ClientId::Domain(cfg.hello_name.clone()))
        .authentication(vec![Mechanism::Plain, Mechanism::Login]);
    if let Some(c) = credentials(cfg)? {
        // lettre authenticates only after the TLS upgrade (Tls::Required) or
        // inside TLS (Tls::Wrapper); in clear only with Security::None.
        builder = builder.credentials(c);
    }
    Ok(builder.build())
}

/// Turns lettre's error into a [`MailError`] an administrator can act on.
fn classify(cfg: &SmtpConfig, e: lettre::transport::smtp::Error) -> MailError {
    use std::error::Error as _;
    if let Some(code) = e.status() {
        return MailError::Smtp {
            code: code.into(),
            text: e.source().map(|s| s.to_string()).unwrap_or_default(),
        };
    }
    // Walk the causes; an io::Error hides its payload from source(), so look
    // into it with get_ref().
    let mut io_kind = None;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(c) = cause {
        if let Some(tls) = c.downcast_ref::<rustls::Error>() {
            return MailError::Tls(describe_tls(cfg, tls));
        }
        if let Some(io) = c.downcast_ref::<io::Error>() {
            io_kind.get_or_insert(io.kind());
            if let Some(inner) = io.get_ref() {
                cause = Some(inner);
                continue;
            }
        }
        cause = c.source();
    }
    if e.is_tls() {
        return MailError::Tls(format!("with {}: {e}", cfg.host));
    }
    // lettre reports a missing STARTTLS as a client error with this text only.
    if e.is_client() && cfg.security == Security::StartTls && e.to_string().contains("STARTTLS") {
        return MailError::Tls(format!(
            "{} does not offer STARTTLS, which security = \"starttls\" requires; \
             neither credentials nor the message were sent",
            cfg.host
        ));
    }
    match io_kind {
        Some(io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut) => {
            return MailError::Io(io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "{}:{} did not answer within {:?} ({e})",
                    cfg.host, cfg.port, cfg.timeout
                ),
            ));
        }
        Some(kind) => return MailError::Io(io::Error::new(kind, e)),
        None => {}
    }
    MailError::Protocol(e.to_string())
}

fn describe_tls(cfg: &SmtpConfig, e: &rustls::Error) -> String {
    use rustls::CertificateError as C;
    let host = &cfg.host;
    match e {
        rustls::Error::InvalidCertificate(C::UnknownIssuer) => {
            let hint = match &cfg.ca_file {
                Some(f) => format!("the CA in ca_file {} did not sign it", f.display()),
                None => "set ca_file to the PEM file of the CA that signed it".to_string(),
            };
            format!("the certificate of {host} is not trusted (unknown issuer): {hint}")
        }
        rustls::Error::InvalidCertificate(
            C::NotValidForName | C::NotValidForNameContext { .. },
        ) => {
            format!("the certificate of {host} is not valid for the name {host:?}")
        }
        rustls::Error::InvalidCertificate(C::Expired | C::ExpiredContext { .. }) => {
            format!("the certificate of {host} has expired")
        }
        rustls::Error::InvalidMessage(_) if cfg.security == Security::Tls => format!(
            "TLS handshake with {host}:{} failed: {e}; the server may not speak TLS from \
             the start (is security = \"starttls\" or another port meant?)",
            cfg.port
        ),
        other => format!("TLS handshake with {host} failed: {other}"),
    }
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

/// Removes CR and LF (header injection) and other control characters; a tab
/// becomes a space. Leading/trailing whitespace is trimmed.
fn sanitize_header_text(text: &str) -> String {
    let cleaned: String = text
        .chars()
        .filter_map(|c| match c {
            '\t' => Some(' '),
            c if c.is_control() => None,
            c => Some(c),
        })
        .collect();
    cleaned.trim().to_string()
}

fn mailbox(name: Option<String>, address: &str) -> Result<Mailbox, MailError> {
    if !valid_address(address) {
        return Err(MailError::Address(address.to_string()));
    }
    let address = address
        .parse()
        .map_err(|_| MailError::Address(address.to_string()))?;
    Ok(Mailbox::new(name, address))
}

/// The message for the given send time, after checking every input.
fn build_message(
    cfg: &SmtpConfig,
    msg: &Message,
    date: SystemTime,
) -> Result<lettre::Message, MailError> {
    let name = cfg
        .from_name
        .as_deref()
        .map(sanitize_header_text)
        .filter(|n| !n.is_empty());
    let from = mailbox(name, &cfg.from)?;
    let to = msg
        .to
        .iter()
        .map(|a| mailbox(None, a))
        .collect::<Result<Vec<_>, _>>()?;
    if to.is_empty() {
        return Err(MailError::Invalid("message has no recipients".into()));
    }
    if !valid_hello_name(&cfg.hello_name) {
        return Err(MailError::Invalid(format!(
            "invalid hello_name {:?}",
            cfg.hello_name
        )));
    }
    credentials(cfg)?;

    let unix = date
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let mut builder = lettre::Message::builder()
        .date(date)
        .from(from)
        .subject(sanitize_header_text(&msg.subject))
        .message_id(Some(format!(
            "<{unix}.{:016x}@{}>",
            random_u64(),
            cfg.hello_name
        )))
        .header(MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN);
    for mailbox in to {
        builder = builder.to(mailbox);
    }
    // Base64 keeps the message 7-bit (no 8BITMIME needed); lettre converts
    // the line breaks to CRLF and splits the lines.
    let body = Body::new_with_encoding(msg.body.clone(), ContentTransferEncoding::Base64)
        .map_err(|_| MailError::Invalid("body cannot be encoded".into()))?;
    builder
        .body(body)
        .map_err(|e| MailError::Invalid(format!("building the message: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;

    fn cfg() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 25,
            security: Security::None,
            ca_file: None,
            from: "dangjian@kx.example.gov.cn".into(),
            from_name: Some("科技社团党委\r\nBcc: evil@x.cn".into()),
            username: None,
            password: None,
            hello_name: "dangjian".into(),
            timeout: Duration::from_secs(5),
        }
    }

    fn formatted(cfg: &SmtpConfig, msg: &Message, unix: u64) -> String {
        let date = UNIX_EPOCH + Duration::from_secs(unix);
        String::from_utf8(build_message(cfg, msg, date).unwrap().formatted()).unwrap()
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
            "a@@b.cn",
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
    fn security_strings() {
        for s in [Security::None, Security::StartTls, Security::Tls] {
            assert_eq!(s.as_str().parse::<Security>(), Ok(s));
            assert_eq!(s.to_string(), s.as_str());
        }
        assert_eq!("STARTTLS".parse::<Security>(), Ok(Security::StartTls));
        let err = "ssl".parse::<Security>().unwrap_err();
        assert!(err.contains("\"ssl\"") && err.contains("starttls"), "{err}");
    }

    #[test]
    fn message_headers_and_body() {
        let msg = Message {
            to: vec!["a@x.cn".into(), "b@y.cn".into()],
            subject: "提醒\r\nBcc: evil@x.cn".into(),
            body: "第一行\n.第二行\n".into(),
        };
        let data = formatted(&cfg(), &msg, 1_795_773_600);
        let (head, body) = data.split_once("\r\n\r\n").unwrap();
        assert!(
            head.contains("Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"),
            "{head}"
        );
        // no injected header lines: every line is a known header or a fold
        for line in head.split("\r\n") {
            assert!(
                line.starts_with([' ', '\t'])
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
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        assert!(unfolded.contains("To: a@x.cn, b@y.cn\r\n"), "{head}");
        assert!(
            unfolded.contains(" <dangjian@kx.example.gov.cn>\r\n"),
            "{head}"
        );
        assert!(head.contains("Message-ID: <1795773600."));
        assert!(head.contains("@dangjian>\r\n"));
        assert!(data.is_ascii());
        let compact: String = body.split_whitespace().collect();
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(compact)
            .unwrap();
        assert_eq!(String::from_utf8(decoded).unwrap(), "第一行\r\n.第二行\r\n");
        let subject = sink::header_value(&data, "Subject").unwrap();
        assert_eq!(sink::decode_encoded_words(&subject), "提醒Bcc: evil@x.cn");
        let from = sink::header_value(&data, "From").unwrap();
        assert_eq!(
            sink::decode_encoded_words(&from),
            "科技社团党委Bcc: evil@x.cn <dangjian@kx.example.gov.cn>"
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
        let a = id(formatted(&cfg(), &msg, 1));
        let b = id(formatted(&cfg(), &msg, 1));
        assert_ne!(a, b);
        let data = formatted(&cfg(), &msg, 1);
        let subject = sink::header_value(&data, "Subject");
        assert_eq!(subject.as_deref(), Some(""));
    }

    #[test]
    fn invalid_inputs_are_refused_before_connecting() {
        let msg = Message {
            to: vec![],
            subject: "x".into(),
            body: "y".into(),
        };
        // validation comes before any connection attempt
        assert!(matches!(send(&cfg(), &msg), Err(MailError::Invalid(_))));
        let msg = Message {
            to: vec!["a@x.cn".into()],
            ..msg
        };
        let mut c = cfg();
        c.hello_name = "bad name\r\n".into();
        assert!(matches!(send(&c, &msg), Err(MailError::Invalid(_))));
        let mut c = cfg();
        c.from = "bad".into();
        assert!(matches!(send(&c, &msg), Err(MailError::Address(a)) if a == "bad"));
        let mut c = cfg();
        c.username = Some("u\0".into());
        c.password = Some("p".into());
        assert!(matches!(send(&c, &msg), Err(MailError::Invalid(_))));
    }

    #[test]
    fn bad_ca_files_are_refused_before_connecting() {
        let msg = Message {
            to: vec!["a@x.cn".into()],
            subject: "x".into(),
            body: "y".into(),
        };
        let dir = std::env::temp_dir().join(format!("mail-ca-{:016x}", random_u64()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").unwrap();
        for (file, needle) in [
            (dir.join("missing.pem"), "cannot read ca_file"),
            (empty, "holds no PEM certificate"),
        ] {
            let mut c = cfg();
            c.security = Security::StartTls;
            c.ca_file = Some(file);
            let err = send(&c, &msg).unwrap_err();
            assert!(matches!(err, MailError::Invalid(_)), "{err:?}");
            assert!(err.to_string().contains(needle), "{err}");
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
