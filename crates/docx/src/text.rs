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

/// How often `s` changes between ASCII and other characters. At each change renderers
/// (LibreOffice and Word autospace between Chinese and Latin letters or digits) add
/// spacing of about a quarter character.
pub(crate) fn script_changes(s: &str) -> u32 {
    let mut n = 0;
    let mut prev = None;
    for c in s.chars().filter(|&c| is_allowed(c) && !c.is_control()) {
        let ascii = c.is_ascii();
        if prev.is_some_and(|p| p != ascii) {
            n += 1;
        }
        prev = Some(ascii);
    }
    n
}

/// Width of `s` as printed, in quarter-em units: [`half_width_units`] doubled plus one
/// for each of the [`script_changes`], the spacing between Chinese and Latin script.
pub(crate) fn quarter_width_units(s: &str) -> u32 {
    2 * half_width_units(s) + script_changes(s)
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
        if title.contains(TITLE_BREAK) && quarter_width_units(piece) <= 2 * max_units {
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

/// The fewest characters a line of a broken title may hold: never a lone 报 or 通报.
const MIN_LINE_CHARS: usize = 3;

/// The lines of a title at most `max_units` half-em units wide (ASCII 1, CJK 2, and a
/// quarter character more at each change between Chinese and Latin script, as
/// `quarter_width_units` measures the printed line): as few lines as will do, broken
/// only between [`title_pieces`], shaped as GB/T 9704 asks (lengths as even as possible,
/// never an hourglass whose middle line is the shortest), no line holding fewer than
/// three characters. When the marked pieces allow no such split the marks are set aside
/// and any character boundary may break. The break marks are removed.
pub fn title_lines(title: &str, max_units: u32) -> Vec<String> {
    let clean: String = title.chars().filter(|&c| c != TITLE_BREAK).collect();
    let max = 2 * max_units;
    if quarter_width_units(&clean) <= max || max_units == 0 {
        return vec![clean];
    }
    let pieces = title_pieces(title, max_units);
    let mut tries = vec![(pieces.clone(), MIN_LINE_CHARS)];
    if title.contains(TITLE_BREAK) {
        tries.push((title_pieces(&clean, max_units), MIN_LINE_CHARS));
    }
    tries.push((pieces.clone(), 1));
    for (pieces, min_chars) in tries {
        // Exhaustive search over break sets is cheap for titles (tens of pieces, few
        // lines); beyond that fall back to filling lines greedily.
        if pieces.len() > 48 {
            continue;
        }
        let m = Measured::new(&pieces);
        let min_lines = m.width(0, pieces.len()).div_ceil(max) as usize;
        for lines in min_lines..=min_lines + 2 {
            if let Some(breaks) = best_breaks(&m, lines, max, min_chars) {
                return assemble(&pieces, &breaks);
            }
        }
    }
    let m = Measured::new(&pieces);
    let mut breaks: Vec<usize> = Vec::new();
    let mut start = 0;
    for i in 0..pieces.len() {
        if i > start && m.width(start, i + 1) > max {
            breaks.push(i);
            start = i;
        }
    }
    // A short last line takes pieces from the full line before it.
    while let Some(&b) = breaks.last() {
        let prev = breaks.len().checked_sub(2).map_or(0, |i| breaks[i]);
        if m.chars(b, pieces.len()) >= MIN_LINE_CHARS
            || b <= prev + 1
            || m.width(b - 1, pieces.len()) > max
        {
            break;
        }
        *breaks.last_mut().expect("not empty") -= 1;
    }
    assemble(&pieces, &breaks)
}

/// The pieces of a title measured: the printed width of a run of pieces is their own
/// widths plus the script-change spacing where two pieces meet.
struct Measured {
    /// [`quarter_width_units`] of each piece.
    widths: Vec<u32>,
    /// [`half_width_units`] of each piece: the length a line's shape is judged by.
    halves: Vec<u32>,
    /// Characters in each piece.
    chars: Vec<usize>,
    /// `joins[i]`: the spacing between piece `i - 1` and piece `i` (`joins[0]` is 0).
    joins: Vec<u32>,
}

impl Measured {
    fn new(pieces: &[String]) -> Self {
        let joins = std::iter::once(0)
            .chain(pieces.windows(2).map(|w| {
                let (a, b) = (w[0].chars().next_back(), w[1].chars().next());
                match (a, b) {
                    (Some(a), Some(b)) => script_changes(&format!("{a}{b}")),
                    _ => 0,
                }
            }))
            .collect();
        Measured {
            widths: pieces.iter().map(|p| quarter_width_units(p)).collect(),
            halves: pieces.iter().map(|p| half_width_units(p)).collect(),
            chars: pieces.iter().map(|p| p.chars().count()).collect(),
            joins,
        }
    }

    fn len(&self) -> usize {
        self.widths.len()
    }

    /// The printed width of pieces `start..end` on one line.
    fn width(&self, start: usize, end: usize) -> u32 {
        let inner: u32 = self.joins[(start + 1).min(end)..end].iter().sum();
        self.widths[start..end].iter().sum::<u32>() + inner
    }

    /// The length of pieces `start..end` in characters (half-em units, no spacing): what
    /// the shape evens out, so the spacing decides whether a line fits, not where a
    /// fitting title breaks.
    fn length(&self, start: usize, end: usize) -> u32 {
        self.halves[start..end].iter().sum()
    }

    fn chars(&self, start: usize, end: usize) -> usize {
        self.chars[start..end].iter().sum()
    }
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
/// no wider than `max` and of at least `min_chars` characters, with the best shape;
/// `None` when no such split exists.
fn best_breaks(m: &Measured, lines: usize, max: u32, min_chars: usize) -> Option<Vec<usize>> {
    struct Search<'a> {
        m: &'a Measured,
        max: u32,
        min_chars: usize,
        cur: Vec<usize>,
        lens: Vec<u32>,
        best: Option<(u64, Vec<usize>)>,
    }
    fn go(s: &mut Search, start: usize, left: usize) {
        let n = s.m.len();
        if left == 1 {
            let w = s.m.width(start, n);
            if w == 0 || w > s.max || s.m.chars(start, n) < s.min_chars {
                return;
            }
            s.lens.push(s.m.length(start, n));
            let score = shape_score(&s.lens);
            if s.best.as_ref().is_none_or(|(b, _)| score < *b) {
                s.best = Some((score, s.cur.clone()));
            }
            s.lens.pop();
            return;
        }
        for end in start + 1..n {
            let w = s.m.width(start, end);
            if w > s.max {
                break;
            }
            if s.m.chars(start, end) < s.min_chars {
                continue;
            }
            s.cur.push(end);
            s.lens.push(s.m.length(start, end));
            go(s, end, left - 1);
            s.lens.pop();
            s.cur.pop();
        }
    }
    if lines == 0 || lines > m.len() {
        return None;
    }
    let mut s = Search {
        m,
        max,
        min_chars,
        cur: Vec::new(),
        lens: Vec::new(),
        best: None,
    };
    go(&mut s, 0, lines);
    s.best.map(|(_, b)| b)
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
        // two lines, at a mark, the more even split (on a tie the longer line first); the
        // spacing around the digits widens the first line to 15½ characters, which fits
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

    /// The title line of a bulletin: 40 half-em units (20 characters of 2号 on the 版心).
    const LINE: u32 = 40;

    #[test]
    fn titles_count_the_spacing_around_digits() {
        // 20 characters wide by half_width_units, but the spacing LibreOffice puts on both
        // sides of 2026 makes it wider than the line: it used to print as "…的通" / "报".
        let t = "关于2026年第三季度工作任务落实情况的通报";
        assert_eq!(half_width_units(t), 2 * 20);
        assert_eq!(quarter_width_units(t), 4 * 20 + 2);
        let lines = title_lines(t, LINE);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines.concat(), t);
        for l in &lines {
            assert!(l.chars().count() >= MIN_LINE_CHARS, "{lines:?}");
            assert!(quarter_width_units(l) <= 2 * LINE, "{lines:?}");
            assert!(!l.ends_with("202") && !l.starts_with('6'), "{l}");
        }
        // balanced: the two lines differ by at most two characters
        let (a, b) = (lines[0].chars().count(), lines[1].chars().count());
        assert!(a.abs_diff(b) <= 2, "{lines:?}");
        // as the bulletins mark it: broken after the period, words whole
        let b = TITLE_BREAK;
        assert_eq!(
            title_lines(
                &format!("关于{b}2026年第三季度{b}工作任务落实情况的通报"),
                LINE
            ),
            vec!["关于2026年第三季度", "工作任务落实情况的通报"]
        );
    }

    #[test]
    fn titles_of_a_full_line_without_digits_stay_whole() {
        let t = "关于表彰先进党组织和优秀党务工作者的决定";
        assert_eq!(t.chars().count(), 20);
        assert_eq!(quarter_width_units(t), 4 * 20);
        assert_eq!(title_lines(t, LINE), vec![t]);
        let b = TITLE_BREAK;
        assert_eq!(
            title_lines(
                &format!("关于表彰{b}先进党组织和优秀党务工作者{b}的决定"),
                LINE
            ),
            vec![t]
        );
    }

    #[test]
    fn short_titles_stay_on_one_line() {
        assert_eq!(
            title_lines("关于2026年度党费收缴情况的通报", LINE),
            vec!["关于2026年度党费收缴情况的通报"]
        );
        assert_eq!(title_lines("通报", LINE), vec!["通报"]);
    }

    #[test]
    fn no_title_line_holds_one_or_two_characters() {
        // The only mark leaves 通报 alone: the marks give way to a balanced split.
        let b = TITLE_BREAK;
        let t = format!("关于2026年第三季度工作任务落实情况的{b}通报");
        let lines = title_lines(&t, LINE);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines.concat(), t.replace(b, ""));
        for l in &lines {
            assert!(l.chars().count() >= MIN_LINE_CHARS, "{lines:?}");
            assert!(quarter_width_units(l) <= 2 * LINE, "{lines:?}");
        }
        // One character over a line: never a lone last character.
        let t = "关于表彰先进党组织和优秀党务工作者的决定书";
        let lines = title_lines(t, LINE);
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines.iter().all(|l| l.chars().count() >= 8), "{lines:?}");
        // Long titles filled greedily (more pieces than the search takes) too: the last
        // character takes two more from the line before it.
        let long = "关于表彰先进党组织和优秀党务工作者的决定".repeat(3) + "书";
        let lines = title_lines(&long, LINE);
        assert_eq!(lines.concat(), long);
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() >= MIN_LINE_CHARS && quarter_width_units(l) <= 2 * LINE),
            "{lines:?}"
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
        assert_eq!(script_changes("2023年12月20日"), 5);
        assert_eq!(quarter_width_units("2023年12月20日"), 33);
        assert_eq!(script_changes("中文"), 0);
        assert_eq!(half_width_units("中共云川市科技社团委员会"), 24);
        assert_eq!(half_width_units("a\u{0}"), 1);
    }
}
