//! Charts as inline SVG, drawn on the server: no script, light, and they print.

use std::fmt::Write;

/// One slice or bar: label, value, colour.
pub struct Datum {
    pub label: String,
    pub value: i64,
    pub color: &'static str,
}

pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn pct(v: i64, total: i64) -> f64 {
    if total > 0 {
        v as f64 * 100.0 / total as f64
    } else {
        0.0
    }
}

/// A point on a circle around (100, 100); angle 0 is twelve o'clock, clockwise.
fn point(r: f64, angle: f64) -> (f64, f64) {
    (100.0 + r * angle.sin(), 100.0 - r * angle.cos())
}

/// A donut of parts of a whole, with the headline figure in the middle. `unit` formats a
/// count (`{0} 个`).
pub fn donut(
    id: &str,
    title: &str,
    center_value: &str,
    center_label: &str,
    data: &[Datum],
    unit: &dyn Fn(i64) -> String,
) -> String {
    let total: i64 = data.iter().map(|d| d.value).sum();
    let (outer, inner) = (86.0_f64, 58.0_f64);
    let mut s = String::new();
    let desc: Vec<String> = data
        .iter()
        .map(|d| {
            format!(
                "{}：{}（{:.1}%）",
                d.label,
                unit(d.value),
                pct(d.value, total)
            )
        })
        .collect();
    let _ = write!(
        s,
        r##"<svg class="chart donut" viewBox="0 0 200 200" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc><circle cx="100" cy="100" r="{:.1}" fill="none" stroke="#eceff3" stroke-width="{:.1}"/>"##,
        escape(title),
        escape(&desc.join("；")),
        (outer + inner) / 2.0,
        outer - inner,
    );
    let tau = 2.0 * std::f64::consts::PI;
    let mut start = 0.0_f64;
    for (d, text) in data.iter().zip(&desc) {
        if d.value <= 0 || total <= 0 {
            continue;
        }
        let sweep = tau * d.value as f64 / total as f64;
        if d.value == total {
            let _ = write!(
                s,
                r#"<circle cx="100" cy="100" r="{:.1}" fill="none" stroke="{}" stroke-width="{:.1}"><title>{}</title></circle>"#,
                (outer + inner) / 2.0,
                d.color,
                outer - inner,
                escape(text),
            );
            break;
        }
        let end = start + sweep;
        let large = if sweep > std::f64::consts::PI { 1 } else { 0 };
        let (x0, y0) = point(outer, start);
        let (x1, y1) = point(outer, end);
        let (x2, y2) = point(inner, end);
        let (x3, y3) = point(inner, start);
        let _ = write!(
            s,
            r##"<path d="M{x0:.2} {y0:.2}A{outer} {outer} 0 {large} 1 {x1:.2} {y1:.2}L{x2:.2} {y2:.2}A{inner} {inner} 0 {large} 0 {x3:.2} {y3:.2}Z" fill="{}" stroke="#fff" stroke-width="1"><title>{}</title></path>"##,
            d.color,
            escape(text),
        );
        start = end;
    }
    let _ = write!(
        s,
        r##"<text x="100" y="98" text-anchor="middle" class="donut-value" fill="#1f2329">{}</text><text x="100" y="124" text-anchor="middle" class="donut-label" fill="#4e5969">{}</text></svg>"##,
        escape(center_value),
        escape(center_label),
    );
    s
}

/// The width of a label in SVG units at 14px: CJK characters are square, others about half.
fn text_width(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 7.6 } else { 14.0 })
        .sum()
}

/// Horizontal bars with the label on the left and `count (percent)` on the right.
pub fn bars(id: &str, title: &str, data: &[Datum], unit: &dyn Fn(i64) -> String) -> String {
    let total: i64 = data.iter().map(|d| d.value).sum();
    let max = data.iter().map(|d| d.value).max().unwrap_or(0).max(1);
    bar_chart(id, title, data, max, &|v| {
        format!("{} · {:.1}%", unit(v), pct(v, total))
    })
}

/// Horizontal bars of rates (values are percents, the scale is 0–100).
pub fn rate_bars(id: &str, title: &str, data: &[Datum]) -> String {
    bar_chart(id, title, data, 100, &|v| format!("{v}%"))
}

/// Horizontal bars scaled to `max`, each with `text(value)` on the right.
fn bar_chart(
    id: &str,
    title: &str,
    data: &[Datum],
    max: i64,
    text: &dyn Fn(i64) -> String,
) -> String {
    let max = max.max(1);
    let row = 40.0;
    let label_w = data
        .iter()
        .map(|d| text_width(&d.label))
        .fold(40.0_f64, f64::max)
        + 14.0;
    let bar_w = 250.0;
    let width = label_w + bar_w + 130.0;
    let height = row * data.len() as f64 + 8.0;
    let mut s = String::new();
    let desc: Vec<String> = data
        .iter()
        .map(|d| format!("{}：{}", d.label, text(d.value)))
        .collect();
    let _ = write!(
        s,
        r#"<svg class="chart bars" viewBox="0 0 {width:.1} {height:.1}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(&desc.join("；")),
    );
    for (i, (d, described)) in data.iter().zip(&desc).enumerate() {
        let y = i as f64 * row + 6.0;
        let w =
            (bar_w * d.value.min(max) as f64 / max as f64).max(if d.value > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            s,
            r##"<g><title>{}</title><text x="{:.1}" y="{:.1}" text-anchor="end" class="bar-label" fill="#1f2329">{}</text><rect x="{label_w:.1}" y="{:.1}" width="{bar_w}" height="22" rx="3" fill="#f2f3f5"/><rect x="{label_w:.1}" y="{:.1}" width="{w:.1}" height="22" rx="3" fill="{}"/><text x="{:.1}" y="{:.1}" class="bar-value" fill="#1f2329">{}</text></g>"##,
            escape(described),
            label_w - 10.0,
            y + 16.0,
            escape(&d.label),
            y,
            y,
            d.color,
            label_w + bar_w + 10.0,
            y + 16.0,
            escape(&text(d.value)),
        );
    }
    s.push_str("</svg>");
    s
}

/// One line of a line chart: its label, colour and a value per point.
pub struct Series {
    pub label: String,
    pub color: &'static str,
    pub values: Vec<i64>,
}

/// The top of a count axis: the smallest of 4, 8, 12, 16, 20, 40, 60, 80 × 10ⁿ at or above
/// `max`, so its quarters (the grid lines) are whole numbers.
fn nice_max(max: i64) -> i64 {
    let max = max.max(1);
    let mut step = 1;
    loop {
        for m in [4, 8, 12, 16, 20, 40, 60, 80] {
            if m * step >= max {
                return m * step;
            }
        }
        step *= 10;
    }
}

/// Lines over the same points (months), with a count axis from 0, a grid, the point labels
/// under the axis and each point's value as its tooltip. `labels` names the points (short:
/// `7月`), `long` them in full for the tooltips and the description (`2025年7月`).
pub fn lines(
    id: &str,
    title: &str,
    labels: &[String],
    long: &[String],
    series: &[Series],
    unit: &dyn Fn(i64) -> String,
) -> String {
    lines_to(id, title, labels, long, series, unit, None)
}

/// [`lines`] with the axis's top fixed (`Some(100)` for percentages, so a rate of 2 % does
/// not fill the chart); `None`: from the values.
pub fn lines_to(
    id: &str,
    title: &str,
    labels: &[String],
    long: &[String],
    series: &[Series],
    unit: &dyn Fn(i64) -> String,
    top_value: Option<i64>,
) -> String {
    let (w, h) = (560.0_f64, 230.0_f64);
    let (left, right, top, bottom) = (40.0, 28.0, 12.0, 34.0);
    let n = labels.len().max(1);
    let plot_w = w - left - right;
    let plot_h = h - top - bottom;
    let highest = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .max()
        .unwrap_or(0);
    let max = match top_value {
        Some(t) if t >= highest && t > 0 => t,
        _ => nice_max(highest),
    };
    let x = |i: usize| {
        if n == 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (n - 1) as f64
        }
    };
    let y = |v: i64| top + plot_h - plot_h * v as f64 / max as f64;
    let desc: Vec<String> = series
        .iter()
        .map(|s| {
            let points: Vec<String> = long
                .iter()
                .zip(&s.values)
                .map(|(l, v)| format!("{l} {}", unit(*v)))
                .collect();
            format!("{}：{}", s.label, points.join("，"))
        })
        .collect();
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart lines" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{}</title><desc id="{id}-d">{}</desc>"#,
        escape(title),
        escape(&desc.join("；")),
    );
    for k in 0..=4 {
        let v = max * k / 4;
        let _ = write!(
            out,
            r##"<line x1="{left}" x2="{:.1}" y1="{:.1}" y2="{:.1}" stroke="{}" stroke-width="1"/><text x="{:.1}" y="{:.1}" text-anchor="end" class="axis-label" fill="#4e5969">{v}</text>"##,
            w - right,
            y(v),
            y(v),
            if k == 0 { "#c3c8d0" } else { "#edf0f3" },
            left - 6.0,
            y(v) + 4.0,
        );
    }
    for (i, l) in labels.iter().enumerate() {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" class="axis-label{}" fill="#4e5969">{}</text>"##,
            x(i),
            h - bottom + 22.0,
            // Every other label gives way on a narrow screen (the newest always stays).
            if (n - 1 - i) % 2 == 1 { " ax-alt" } else { "" },
            escape(l),
        );
    }
    for s in series {
        let points: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let _ = write!(
            out,
            r#"<g class="series"><polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" stroke-linejoin="round"/>"#,
            points.join(" "),
            s.color,
        );
        for (i, v) in s.values.iter().enumerate() {
            let _ = write!(
                out,
                r##"<circle cx="{:.1}" cy="{:.1}" r="3.5" fill="#fff" stroke="{}" stroke-width="2"><title>{} {}：{}</title></circle>"##,
                x(i),
                y(*v),
                s.color,
                escape(long.get(i).map(String::as_str).unwrap_or("")),
                escape(&s.label),
                escape(&unit(*v)),
            );
        }
        out.push_str("</g>");
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn donut_has_a_slice_per_nonzero_value_and_escapes() {
        let data = vec![
            Datum {
                label: "a<b".into(),
                value: 3,
                color: "#111",
            },
            Datum {
                label: "c".into(),
                value: 0,
                color: "#222",
            },
            Datum {
                label: "d".into(),
                value: 1,
                color: "#333",
            },
        ];
        let svg = donut("x", "T", "75%", "L", &data, &|n| format!("{n} 个"));
        assert_eq!(svg.matches("<path").count(), 2);
        assert!(svg.contains("a&lt;b：3 个（75.0%）"));
        assert!(!svg.contains("a<b"));
    }

    #[test]
    fn bars_handle_all_zero() {
        let data = vec![Datum {
            label: "z".into(),
            value: 0,
            color: "#111",
        }];
        let svg = bars("y", "T", &data, &|n| format!("{n}"));
        assert!(svg.contains("0 · 0.0%"));
    }

    #[test]
    fn lines_draw_a_line_per_series_on_a_nice_axis() {
        let labels: Vec<String> = (1..=3).map(|m| format!("{m}月")).collect();
        let long: Vec<String> = (1..=3).map(|m| format!("2025年{m}月")).collect();
        let series = vec![
            Series {
                label: "活动".into(),
                color: "#c8161d",
                values: vec![0, 7, 3],
            },
            Series {
                label: "销号".into(),
                color: "#1f9d74",
                values: vec![1, 0, 2],
            },
        ];
        let svg = lines("t", "趋势", &labels, &long, &series, &|n| {
            format!("{n} 次")
        });
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert_eq!(svg.matches("<circle").count(), 6);
        assert!(svg.contains("2025年2月 活动：7 次"), "{svg}");
        // 7 → an axis up to 8 in steps of 2, with 0 at the bottom.
        assert!(
            svg.contains(">8</text>") && svg.contains(">6</text>") && svg.contains(">0</text>")
        );
        assert_eq!(nice_max(0), 4);
        assert_eq!(nice_max(11), 12);
        assert_eq!(nice_max(130), 160);
        assert_eq!(nice_max(900), 1200);
    }
}
