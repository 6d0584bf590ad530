//! Character-level helpers shared by the OOXML writer and the HTML preview:
//! XML 1.0 character filtering, escaping and a rough display-width measure.

/// Whether `c` may appear in the generated XML/HTML.
///
/// XML 1.0 allows `#x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] |
/// [#x10000-#x10FFFF]`. We additionally drop DEL and the C1 controls
/// (`#x7F-#x9F`): they are "discouraged" by XML 1.0, invisible, and some
/// consumers reject them.
#[inline]
pub(crate) fn is_allowed(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{7E}'
        | '\u{A0}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// Which entity to use for `'`: XML has `&apos;`, for HTML we use `&#39;`.
#[derive(Clone, Copy)]
pub(crate) enum Flavor {
    Xml,
    Html,
}

/// Appends `s` to `out`, escaping `& < > " '` (and `=` for HTML), dropping characters that
/// [`is_allowed`] rejects. Safe for both element content and attribute values.
pub(crate) fn push_escaped(out: &mut String, s: &str, flavor: Flavor) {
    let mut last = 0;
    for (i, c) in s.char_indices() {
        let rep = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => match flavor {
                Flavor::Xml => "&apos;",
                Flavor::Html => "&#39;",
            },
            // Not needed for safety, but keeps hostile text from ever
            // producing the substring `style=` / `onerror=` in HTML.
            '=' if matches!(flavor, Flavor::Html) => "&#61;",
            c if is_allowed(c) => continue,
            _ => "",
        };
        out.push_str(&s[last..i]);
        out.push_str(rep);
        last = i + c.len_utf8();
    }
    out.push_str(&s[last..]);
}

/// Width of `s` in half-em units at a given font size: ASCII counts 1,
/// everything else (CJK, full-width punctuation) counts 2. Good enough to
/// position signatures and size the issuer mark.
pub(crate) fn half_width_units(s: &str) -> u32 {
    s.chars()
        .filter(|&c| is_allowed(c) && !c.is_control())
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str, f: Flavor) -> String {
        let mut out = String::new();
        push_escaped(&mut out, s, f);
        out
    }

    #[test]
    fn escapes_markup_characters() {
        assert_eq!(esc("a<&>\"'b", Flavor::Xml), "a&lt;&amp;&gt;&quot;&apos;b");
        assert_eq!(esc("'=", Flavor::Html), "&#39;&#61;");
        assert_eq!(esc("=", Flavor::Xml), "=");
        assert_eq!(esc("中文〔2023〕", Flavor::Xml), "中文〔2023〕");
    }

    #[test]
    fn strips_forbidden_characters() {
        assert_eq!(
            esc("a\u{0}b\u{1}c\u{FFFE}d\u{FFFF}e\u{7F}f\u{9F}g", Flavor::Xml),
            "abcdefg"
        );
        assert_eq!(esc("\t\n\r😀", Flavor::Xml), "\t\n\r😀");
    }

    #[test]
    fn widths() {
        assert_eq!(half_width_units("2023年12月20日"), 14);
        assert_eq!(half_width_units("中共云川市科技社团委员会"), 24);
        assert_eq!(half_width_units("a\u{0}"), 1);
    }
}
