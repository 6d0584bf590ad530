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

/// Marks a place in [`crate::Document::title`] where the title may break (U+200B ZERO
/// WIDTH SPACE). Never printed.
pub const TITLE_BREAK: char = '\u{200B}';

/// The pieces of a title between which a line may break: the marked pieces when the title
/// has [`TITLE_BREAK`] marks, else single characters with runs of ASCII letters and
/// digits (years, numbers) kept together. A piece wider than a line is split into such
/// characters too, as a last resort.
fn title_pieces(title: &str, max_units: u32) -> Vec<String> {
    let marked: Vec<&str> = title.split(TITLE_BREAK).filter(|p| !p.is_empty()).collect();
    let coarse: Vec<&str> = if title.contains(TITLE_BREAK) {
        marked
    } else {
        vec![title]
    };
    let mut out = Vec::new();
    for piece in coarse {
        if title.contains(TITLE_BREAK) && half_width_units(piece) <= max_units {
            out.push(piece.to_string());
            continue;
        }
        let mut cur = String::new();
        for c in piece.chars() {
            let glue = c.is_ascii_alphanumeric()
                && cur
                    .chars()
                    .last()
                    .is_some_and(|p| p.is_ascii_alphanumeric());
            // Closing punctuation never starts a line, opening never ends one.
            let closing = "，。、；：？！）》」』”’〕】".contains(c);
            let opening = cur
                .chars()
                .last()
                .is_some_and(|p| "（《「『“‘〔【".contains(p));
            if !cur.is_empty() && !glue && !closing && !opening {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// The lines of a title at most `max_units` half-em units wide (ASCII 1, CJK 2): as few
/// lines as will do, broken only between [`title_pieces`], shaped as GB/T 9704 asks
/// (lengths as even as possible, never an hourglass whose middle line is the shortest).
/// The break marks are removed.
pub fn title_lines(title: &str, max_units: u32) -> Vec<String> {
    let clean: String = title.chars().filter(|&c| c != TITLE_BREAK).collect();
    if half_width_units(&clean) <= max_units || max_units == 0 {
        return vec![clean];
    }
    let pieces = title_pieces(title, max_units);
    let widths: Vec<u32> = pieces.iter().map(|p| half_width_units(p)).collect();
    let total: u32 = widths.iter().sum();
    let min_lines = total.div_ceil(max_units) as usize;
    // Exhaustive search over break sets is cheap for titles (tens of pieces, few lines);
    // beyond that fall back to filling lines greedily.
    if pieces.len() <= 48 {
        for lines in min_lines..=min_lines + 2 {
            if let Some(breaks) = best_breaks(&widths, lines, max_units) {
                return assemble(&pieces, &breaks);
            }
        }
    }
    let mut breaks = Vec::new();
    let mut w = 0;
    for (i, &pw) in widths.iter().enumerate() {
        if w + pw > max_units && w > 0 {
            breaks.push(i);
            w = 0;
        }
        w += pw;
    }
    assemble(&pieces, &breaks)
}

fn assemble(pieces: &[String], breaks: &[usize]) -> Vec<String> {
    let mut lines = Vec::with_capacity(breaks.len() + 1);
    let mut start = 0;
    for &b in breaks.iter().chain(std::iter::once(&pieces.len())) {
        lines.push(pieces[start..b].concat());
        start = b;
    }
    lines
}

/// The break positions (indices of the pieces that start lines 2…) giving `lines` lines
/// no wider than `max`, with the best shape; `None` when no such split exists.
fn best_breaks(widths: &[u32], lines: usize, max: u32) -> Option<Vec<usize>> {
    fn go(
        widths: &[u32],
        start: usize,
        left: usize,
        max: u32,
        cur: &mut Vec<usize>,
        lens: &mut Vec<u32>,
        best: &mut Option<(u64, Vec<usize>)>,
    ) {
        if left == 1 {
            let w: u32 = widths[start..].iter().sum();
            if w == 0 || w > max {
                return;
            }
            lens.push(w);
            let score = shape_score(lens);
            if best.as_ref().is_none_or(|(s, _)| score < *s) {
                *best = Some((score, cur.clone()));
            }
            lens.pop();
            return;
        }
        let mut w = 0;
        for end in start + 1..widths.len() {
            w += widths[end - 1];
            if w > max {
                break;
            }
            cur.push(end);
            lens.push(w);
            go(widths, end, left - 1, max, cur, lens, best);
            lens.pop();
            cur.pop();
        }
    }
    if lines == 0 || lines > widths.len() {
        return None;
    }
    let mut best = None;
    go(
        widths,
        0,
        lines,
        max,
        &mut Vec::new(),
        &mut Vec::new(),
        &mut best,
    );
    best.map(|(_, b)| b)
}

/// Lower is better: the spread between the longest and the shortest line, heavily
/// penalised when a middle line is shorter than both its neighbours (沙漏形); on a tie
/// the longer line goes first (倒梯形), where the phrase that opens the title stays whole.
fn shape_score(lens: &[u32]) -> u64 {
    let top_short = lens.first() < lens.last();
    let max = lens.iter().max().copied().unwrap_or(0);
    let min = lens.iter().min().copied().unwrap_or(0);
    let hourglass = lens.windows(3).any(|w| w[1] < w[0] && w[1] < w[2]);
    2 * u64::from(max - min) + u64::from(top_short) + if hourglass { 10_000 } else { 0 }
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
    fn titles_break_between_marked_pieces_into_balanced_lines() {
        let b = TITLE_BREAK;
        let t = format!("关于{b}2026年第三季度{b}督查整改情况的通报");
        // fits one line: unchanged, marks removed
        assert_eq!(
            title_lines(&t, 40),
            vec!["关于2026年第三季度督查整改情况的通报"]
        );
        // two lines, at a mark, the more even split
        let t = format!("关于{b}2026年1月1日至{b}12月31日{b}督查整改情况的通报");
        assert_eq!(
            title_lines(&t, 40),
            vec!["关于2026年1月1日至12月31日", "督查整改情况的通报"]
        );
        // never inside a piece, even when a split there would be more even
        for line in title_lines(&t, 30) {
            assert!(
                !line.starts_with("整改") && !line.ends_with("督查"),
                "{line}"
            );
        }
        // unmarked: digits stay together, no line starts with closing punctuation
        let lines = title_lines(
            "关于表彰2026年度优秀党组织和优秀党务工作者（第一批）的决定",
            24,
        );
        assert!(lines.len() >= 3, "{lines:?}");
        for l in &lines {
            assert!(half_width_units(l) <= 24, "{l}");
            assert!(!l.starts_with('）') && !l.ends_with('（'), "{l}");
            assert!(!l.ends_with("202") && !l.starts_with('6'), "{l}");
        }
        assert_eq!(
            lines.concat(),
            "关于表彰2026年度优秀党组织和优秀党务工作者（第一批）的决定"
        );
    }

    #[test]
    fn title_shapes_avoid_the_hourglass() {
        assert!(shape_score(&[20, 10, 20]) > shape_score(&[10, 20, 10]));
        assert!(shape_score(&[18, 20]) < shape_score(&[10, 20]));
    }

    #[test]
    fn widths() {
        assert_eq!(half_width_units("2023年12月20日"), 14);
        assert_eq!(half_width_units("中共云川市科技社团委员会"), 24);
        assert_eq!(half_width_units("a\u{0}"), 1);
    }
}
