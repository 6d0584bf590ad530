//! Small encoders/decoders: base64 (RFC 4648), RFC 2047 encoded words,
//! RFC 5322 dates and SMTP dot-stuffing. Standard library only.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 (RFC 4648 §4) with `=` padding, no line breaks.
pub fn base64_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let b0 = chunk[0];
        let b1 = chunk.get(1).copied().unwrap_or(0);
        let b2 = chunk.get(2).copied().unwrap_or(0);
        let n = (u32::from(b0) << 16) | (u32::from(b1) << 8) | u32::from(b2);
        out.push(char::from(ALPHABET[(n >> 18) as usize & 63]));
        out.push(char::from(ALPHABET[(n >> 12) as usize & 63]));
        out.push(if chunk.len() > 1 {
            char::from(ALPHABET[(n >> 6) as usize & 63])
        } else {
            '='
        });
        out.push(if chunk.len() > 2 {
            char::from(ALPHABET[n as usize & 63])
        } else {
            '='
        });
    }
    out
}

/// Base64 decoding that ignores ASCII whitespace (so MIME bodies split in
/// lines decode directly). Returns `None` on any other invalid input.
pub fn base64_decode(input: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(input.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut padding = 0usize;
    let mut count = 0usize;
    for &c in input.as_bytes() {
        if c.is_ascii_whitespace() {
            continue;
        }
        count += 1;
        if c == b'=' {
            padding += 1;
            continue;
        }
        if padding > 0 {
            return None; // data after padding
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    if !count.is_multiple_of(4) || padding > 2 {
        return None;
    }
    Some(out)
}

/// Base64 of `data`, split into lines of at most 76 characters, each line
/// terminated by CRLF (RFC 2045 §6.8).
pub fn base64_lines(data: &[u8]) -> String {
    let encoded = base64_encode(data);
    let mut out = String::with_capacity(encoded.len() + encoded.len() / 76 * 2 + 2);
    let bytes = encoded.as_bytes();
    for line in bytes.chunks(76) {
        // base64 output is ASCII, so any split is a char boundary.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push_str("\r\n");
    }
    out
}

/// Longest encoded word RFC 2047 §2 allows.
pub const MAX_ENCODED_WORD: usize = 75;
/// `=?UTF-8?B?` + `?=`.
const WORD_OVERHEAD: usize = 12;
/// Raw bytes per encoded word: the base64 text must fit in 75 - 12 = 63
/// characters, i.e. 15 groups of 4 = 60 characters = 45 bytes.
const WORD_BYTES: usize = (MAX_ENCODED_WORD - WORD_OVERHEAD) / 4 * 3;

/// RFC 2047 `B` encoded words for `text`. Every word is at most 75
/// characters and holds whole UTF-8 characters only (RFC 2047 §5 (3)).
/// An empty text gives no words.
pub fn encoded_words(text: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut start = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        let next = i + c.len_utf8();
        if next - start > WORD_BYTES {
            words.push(encoded_word(&text[start..end]));
            start = i;
        }
        end = next;
    }
    if end > start {
        words.push(encoded_word(&text[start..end]));
    }
    words
}

fn encoded_word(chunk: &str) -> String {
    format!("=?UTF-8?B?{}?=", base64_encode(chunk.as_bytes()))
}

/// Removes CR and LF (header injection) and other control characters; a tab
/// becomes a space. Leading/trailing whitespace is trimmed.
pub fn sanitize_header_text(text: &str) -> String {
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

/// Decodes RFC 2047 encoded words (`B` and `Q`, charset assumed UTF-8) in an
/// unfolded header value. Whitespace between adjacent encoded words is
/// dropped, as RFC 2047 §6.2 requires; other text is kept as is.
pub fn decode_encoded_words(value: &str) -> String {
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

/// SMTP dot-stuffing (RFC 5321 §4.5.2): every line of `data` (CRLF
/// separated) that starts with `.` gets one more `.` in front.
pub fn dot_stuff(data: &str) -> String {
    let mut out = String::with_capacity(data.len() + 8);
    for (i, line) in data.split("\r\n").enumerate() {
        if i > 0 {
            out.push_str("\r\n");
        }
        if line.starts_with('.') {
            out.push('.');
        }
        out.push_str(line);
    }
    out
}

/// Converts bare LF and bare CR line breaks to CRLF.
pub fn to_crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push_str("\r\n");
            }
            '\n' => out.push_str("\r\n"),
            c => out.push(c),
        }
    }
    out
}

const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// (year, month 1-12, day 1-31) of a day count since 1970-01-01 in the
/// proleptic Gregorian calendar (H. Hinnant's `civil_from_days`).
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11], March-based
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// RFC 5322 date-time in UTC for a unix timestamp, e.g.
/// `Fri, 27 Nov 2026 10:00:00 +0000`.
pub fn rfc5322_date(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize]; // 1970-01-01 was a Thursday
    format!(
        "{weekday}, {day:02} {} {year:04} {:02}:{:02}:{:02} +0000",
        MONTHS[month as usize - 1],
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_rfc4648_vectors() {
        let vectors = [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ];
        for (plain, encoded) in vectors {
            assert_eq!(base64_encode(plain.as_bytes()), encoded, "encode {plain:?}");
            assert_eq!(
                base64_decode(encoded).as_deref(),
                Some(plain.as_bytes()),
                "decode {encoded:?}"
            );
        }
    }

    #[test]
    fn base64_all_bytes_round_trip_and_alphabet() {
        let data: Vec<u8> = (0..=255u8).chain((0..=255u8).rev()).collect();
        let enc = base64_encode(&data);
        assert!(enc.bytes().all(|b| ALPHABET.contains(&b) || b == b'='));
        assert_eq!(base64_decode(&enc).unwrap(), data);
        assert_eq!(base64_encode(&[0xfb, 0xff, 0xbf]), "+/+/");
        assert_eq!(base64_decode("Zm9v\r\nYmFy").unwrap(), b"foobar");
        assert_eq!(base64_decode("Zm9"), None);
        assert_eq!(base64_decode("Zm=v"), None);
        assert_eq!(base64_decode("Zm9*"), None);
    }

    #[test]
    fn base64_lines_are_76_chars_with_crlf() {
        let data = vec![0x5a_u8; 200]; // 268 base64 chars
        let text = base64_lines(&data);
        let lines: Vec<&str> = text.split_terminator("\r\n").collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[..3].iter().all(|l| l.len() == 76));
        assert_eq!(lines[3].len(), 268 - 3 * 76);
        assert!(text.ends_with("\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'));
        assert_eq!(base64_decode(&text).unwrap(), data);
        assert_eq!(base64_lines(b""), "");
    }

    #[test]
    fn long_subject_splits_into_short_whole_char_words() {
        let subject = "【提醒】本月主题党日尚未开展，请各党支部抓紧组织，还剩 3 天。".repeat(4);
        let words = encoded_words(&subject);
        assert!(words.len() > 3, "{} words", words.len());
        let mut joined = Vec::new();
        for w in &words {
            assert!(w.len() <= MAX_ENCODED_WORD, "{} chars: {w}", w.len());
            assert!(w.starts_with("=?UTF-8?B?") && w.ends_with("?="));
            let bytes = base64_decode(&w[10..w.len() - 2]).unwrap();
            // each word holds whole characters
            assert!(String::from_utf8(bytes.clone()).is_ok());
            joined.extend(bytes);
        }
        assert_eq!(String::from_utf8(joined).unwrap(), subject);
        assert_eq!(decode_encoded_words(&words.join(" ")), subject);
        assert_eq!(decode_encoded_words(&words.join("\r\n ")), subject);
        // ASCII: 45 bytes per word
        let ascii = "a".repeat(100);
        let words = encoded_words(&ascii);
        assert_eq!(words[0].len(), 72); // 45 bytes -> 60 base64 chars + 12
        assert_eq!(words.len(), 3);
        assert!(encoded_words("").is_empty());
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
    }

    #[test]
    fn sanitize_strips_line_breaks() {
        assert_eq!(
            sanitize_header_text(" 提醒\r\nBcc: x@y\t!\u{7} "),
            "提醒Bcc: x@y !"
        );
    }

    #[test]
    fn dot_stuffing() {
        assert_eq!(dot_stuff(".a\r\nb\r\n..c\r\n."), "..a\r\nb\r\n...c\r\n..");
        assert_eq!(dot_stuff("a.b\r\n"), "a.b\r\n");
        assert_eq!(to_crlf("a\nb\r\nc\rd"), "a\r\nb\r\nc\r\nd");
    }

    #[test]
    fn rfc5322_dates() {
        assert_eq!(
            rfc5322_date(1_795_773_600),
            "Fri, 27 Nov 2026 10:00:00 +0000"
        );
        assert_eq!(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
        assert_eq!(rfc5322_date(951_868_799), "Tue, 29 Feb 2000 23:59:59 +0000");
        assert_eq!(
            rfc5322_date(4_107_542_400),
            "Mon, 01 Mar 2100 00:00:00 +0000"
        );
        assert_eq!(rfc5322_date(-1), "Wed, 31 Dec 1969 23:59:59 +0000");
    }

    #[test]
    fn civil_from_days_matches_day_by_day_walk() {
        let month_len = |y: i64, m: u32| match m {
            2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            _ => 31,
        };
        let (mut y, mut m, mut d) = (1970i64, 1u32, 1u32);
        for days in 0..(400 * 366) {
            assert_eq!(civil_from_days(days), (y, m, d), "day {days}");
            d += 1;
            if d > month_len(y, m) {
                d = 1;
                m += 1;
                if m > 12 {
                    m = 1;
                    y += 1;
                }
            }
        }
    }
}
