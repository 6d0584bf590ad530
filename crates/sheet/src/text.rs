//! Cell text helpers shared by the readers and writers.

/// Trims whitespace (including the ideographic space U+3000 and NBSP, which
/// `char::is_whitespace` covers) plus zero-width spaces and stray BOMs that
/// creep in through copy and paste.
pub(crate) fn clean(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || matches!(c, '\u{200B}' | '\u{FEFF}'))
}

/// Cleans an owned string, reusing its allocation when nothing is trimmed.
pub(crate) fn clean_owned(s: String) -> String {
    let trimmed = clean(&s);
    if trimmed.len() == s.len() {
        s
    } else {
        trimmed.to_owned()
    }
}

/// Renders a number the way a user expects to see it: at most 15 significant
/// digits (like Excel's "General" format), integers without a fraction.
pub(crate) fn format_float(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    // Round to 15 significant digits, as Excel displays, so that computed
    // values like 0.1 + 0.2 show as "0.3".
    let rounded: f64 = format!("{v:.14e}").parse().unwrap_or(v);
    if rounded == 0.0 {
        return "0".to_owned();
    }
    if rounded.fract() == 0.0 && rounded.abs() < 1e21 {
        format!("{rounded:.0}")
    } else {
        rounded.to_string()
    }
}

/// Approximate display width: CJK and other wide characters count as 2.
pub(crate) fn display_width(s: &str) -> usize {
    s.lines()
        .map(|line| line.chars().map(char_width).sum::<usize>())
        .max()
        .unwrap_or(0)
}

fn char_width(c: char) -> usize {
    let cp = c as u32;
    let wide = matches!(cp,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF
        | 0x20000..=0x2FFFD
        | 0x30000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans() {
        assert_eq!(clean("  a b \t"), "a b");
        assert_eq!(clean("\u{3000}张三\u{00A0}"), "张三");
        assert_eq!(clean("\u{FEFF}x\u{200B}"), "x");
        assert_eq!(clean_owned(" y ".to_owned()), "y");
    }

    #[test]
    fn floats() {
        assert_eq!(format_float(12.0), "12");
        assert_eq!(format_float(-3.0), "-3");
        assert_eq!(format_float(-0.0), "0");
        assert_eq!(format_float(3.25), "3.25");
        assert_eq!(format_float(0.1 + 0.2), "0.3");
        assert_eq!(format_float(1e15), "1000000000000000");
        assert_eq!(format_float(123456789012.5), "123456789012.5");
        assert_eq!(format_float(1e-7), "0.0000001");
        assert_eq!(format_float(f64::NAN), "NaN");
    }

    #[test]
    fn widths() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("党建"), 4);
        assert_eq!(display_width("a\n党建工作"), 8);
        assert_eq!(display_width("ＡＢ"), 4);
    }
}
