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
    // Fast path for whole numbers (also turns -0 into 0).
    if v.fract() == 0.0 && v.abs() < 1e15 {
        return (v as i64).to_string();
    }
    // Round to 15 significant digits, as Excel displays, so that computed
    // values like 0.1 + 0.2 show as "0.3".
    let shortest = v.to_string();
    let rounded = if significant_digits(&shortest) <= 15 {
        v
    } else {
        format!("{v:.14e}").parse().unwrap_or(v)
    };
    if rounded == 0.0 {
        "0".to_owned()
    } else if rounded.abs() >= 1e21 || rounded.abs() < 1e-9 {
        // Avoid hundreds of zeros; Excel shows these in scientific notation too.
        format!("{rounded:e}")
    } else if rounded.fract() == 0.0 {
        if rounded.abs() < 1e15 {
            format!("{rounded:.0}")
        } else {
            // Beyond 15 digits Excel shows zeros, not binary noise.
            whole_number_15_digits(rounded)
        }
    } else if rounded == v {
        shortest
    } else {
        rounded.to_string()
    }
}

/// A whole number of at least 1e15 with its first 15 significant digits
/// followed by zeros, e.g. 2^60 as "1152921504606850000".
fn whole_number_15_digits(v: f64) -> String {
    let sci = format!("{:.14e}", v.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: usize = exponent.parse().unwrap_or(0);
    let mut digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if digits.len() <= exponent {
        digits.extend(std::iter::repeat_n('0', exponent + 1 - digits.len()));
    }
    if v < 0.0 {
        digits.insert(0, '-');
    }
    digits
}

/// Significant digits of a plain decimal rendering like "-0.00123" (3).
fn significant_digits(s: &str) -> usize {
    let digits = s.bytes().filter(u8::is_ascii_digit);
    let mut count = 0;
    let mut started = false;
    let mut trailing_zeros = 0;
    for d in digits {
        if !started && d == b'0' {
            continue;
        }
        started = true;
        count += 1;
        if d == b'0' {
            trailing_zeros += 1;
        } else {
            trailing_zeros = 0;
        }
    }
    count - trailing_zeros
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
        assert_eq!(format_float(1e300), "1e300");
        assert_eq!(format_float(-2.5e-12), "-2.5e-12");
        assert_eq!(format_float(1234567.891), "1234567.891");
        assert_eq!(format_float(2.0f64.powi(60)), "1152921504606850000");
        assert_eq!(format_float(-(2.0f64.powi(60))), "-1152921504606850000");
        assert_eq!(format_float(110101199003077777.0), "110101199003078000");
        assert_eq!(format_float(1.0 / 3.0), "0.333333333333333");
        assert_eq!(significant_digits("-0.00120"), 2);
        assert_eq!(significant_digits("1200"), 2);
    }

    #[test]
    fn widths() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("党建"), 4);
        assert_eq!(display_width("a\n党建工作"), 8);
        assert_eq!(display_width("ＡＢ"), 4);
    }
}
