//! Official-document .docx writer.
//!
//! Builds a Word document (`.docx`, OOXML) laid out after GB/T 9704-2012
//! 《党政机关公文格式》: red issuer mark (发文机关标志) and red separator line,
//! document number (发文字号), 2号小标宋 title, 3号仿宋 body with 28.95 pt fixed
//! line spacing (22 lines per A4 page), headings in 黑体/楷体, tables with a
//! repeated header row, signature and date, the 版记 (抄送 / 印发) block at the
//! bottom of the last page, and "— n —" page numbers (odd pages right, even
//! pages left).
//!
//! [`write`] produces the `.docx` bytes, [`to_html`] an HTML fragment for an
//! on-screen preview styled by [`PREVIEW_CSS`].
//!
//! All caller text is XML/HTML-escaped; characters that XML 1.0 forbids (NUL
//! and other C0 controls, U+FFFE, U+FFFF, …) are dropped. Inside paragraphs and
//! table cells `\n` becomes a line break and `\t` a tab. Output is
//! deterministic: the same [`Document`] always yields the same bytes.

mod html;
mod ooxml;
mod text;

use std::fmt;

pub use html::PREVIEW_CSS;
pub use text::{title_lines, TITLE_BREAK};

/// Which official layout the 版头 follows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Layout {
    /// GB/T 9704-2012: a plain red separator line under the document number.
    #[default]
    Standard,
    /// 中国共产党机关公文格式, for a party committee's documents: the red separator
    /// line with a red five-pointed star in its middle.
    Party,
}

/// A bulletin (通报) or similar official document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    /// 发文机关标志, e.g. "中共云川市科技社团委员会". Printed red, centred, large.
    pub issuer: String,
    /// 发文字号, e.g. "云科社党〔2023〕5号". Centred above the red line.
    pub doc_number: String,
    /// 标题, 2号小标宋体, centred. A title longer than a line (counting the spacing
    /// renderers add between Chinese and Latin letters or digits) is broken into lines of
    /// balanced length (梯形/菱形) only where [`TITLE_BREAK`] (U+200B) marks a break is
    /// allowed, so words stay whole; the marks are not printed. Without marks, or when
    /// the marks would leave a line of one or two characters, any character boundary
    /// outside a run of Latin letters and digits may break.
    pub title: String,
    /// 主送机关, e.g. "各学会党组织：".
    pub addressee: Option<String>,
    /// 正文.
    pub body: Vec<Block>,
    /// 发文机关署名.
    pub signature: String,
    /// 成文日期 as given, e.g. "2023年12月20日". Also used as the 印发日期.
    pub date: String,
    /// 抄送 (版记). "抄送：" is prepended and a final "。" appended if missing.
    pub copy_to: Option<String>,
    /// 印发机关 (版记), printed with "<date>印发".
    pub printed_by: Option<String>,
    /// The 版头's layout (party organ or GB/T 9704).
    pub layout: Layout,
}

/// One element of the document body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// First-level heading "一、…", 3号黑体.
    Heading1(String),
    /// Second-level heading "（一）…", 3号楷体.
    Heading2(String),
    /// Body text, 3号仿宋, first line indented by two characters.
    Paragraph(String),
    /// A table spanning the text width.
    Table(Table),
}

/// A table. Rows shorter than the widest row/header are padded with empty
/// cells.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// Bold centred line above the table.
    pub caption: Option<String>,
    /// Header row, repeated on every page. Empty → no header row.
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Relative column widths. `None`, a length that does not match the
    /// column count, or an all-zero list → equal widths.
    pub widths: Option<Vec<u32>>,
}

impl Table {
    /// Number of columns: the longest of the header and all rows.
    pub fn column_count(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .max()
            .unwrap_or(0)
            .max(self.header.len())
    }

    /// Columns whose body cells are all short (序号, dates, names, …) are
    /// centred; the others are left-aligned.
    pub(crate) fn centred_columns(&self) -> Vec<bool> {
        let mut centred = vec![true; self.column_count()];
        for row in &self.rows {
            for (i, cell) in row.iter().enumerate() {
                if centred[i] && (cell.contains('\n') || text::half_width_units(cell) > 16) {
                    centred[i] = false;
                }
            }
        }
        centred
    }

    /// Column widths normalised to parts per `total` (sum == `total` when
    /// there is at least one column).
    pub(crate) fn scaled_widths(&self, total: u32) -> Vec<u32> {
        let n = self.column_count();
        if n == 0 {
            return Vec::new();
        }
        let rel: Vec<u64> = match &self.widths {
            Some(w) if w.len() == n && w.iter().any(|&x| x > 0) => {
                w.iter().map(|&x| u64::from(x.max(1))).collect()
            }
            _ => vec![1; n],
        };
        let sum: u64 = rel.iter().sum();
        let total64 = u64::from(total);
        let mut out: Vec<u32> = rel.iter().map(|&r| (r * total64 / sum) as u32).collect();
        // Largest-remainder rounding: hand the leftover units to the columns
        // that lost the most, so equal weights give (near-)equal widths.
        let used: u32 = out.iter().sum();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(rel[i] * total64 % sum));
        for &i in order.iter().cycle().take((total - used) as usize) {
            out[i] += 1;
        }
        out
    }
}

/// Errors from [`write`].
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// The zip container could not be written.
    Zip(zip::result::ZipError),
    /// An I/O error while writing the container.
    Io(std::io::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Zip(e) => write!(f, "docx: zip error: {e}"),
            Error::Io(e) => write!(f, "docx: I/O error: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Zip(e) => Some(e),
            Error::Io(e) => Some(e),
        }
    }
}

impl From<zip::result::ZipError> for Error {
    fn from(e: zip::result::ZipError) -> Self {
        Error::Zip(e)
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}

/// Renders `doc` as `.docx` bytes (MIME type [`MIME_TYPE`]).
pub fn write(doc: &Document) -> Result<Vec<u8>, Error> {
    ooxml::write(doc)
}

/// Renders `doc` as an HTML fragment (`<article class="gw-doc">…</article>`)
/// for an on-screen preview. No inline styles or scripts; style it with
/// [`PREVIEW_CSS`].
pub fn to_html(doc: &Document) -> String {
    html::to_html(doc)
}

/// MIME type of the bytes returned by [`write`].
pub const MIME_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_widths_sum_to_total() {
        let mut t = Table {
            header: vec!["a".into(), "b".into(), "c".into()],
            ..Table::default()
        };
        assert_eq!(t.scaled_widths(8844), vec![2948, 2948, 2948]);
        t.widths = Some(vec![1, 2, 3]);
        let w = t.scaled_widths(8844);
        assert_eq!(w.iter().sum::<u32>(), 8844);
        assert_eq!(w[0], 1474);
        assert_eq!(w[1], 2948);
        // wrong length → equal
        t.widths = Some(vec![1, 2]);
        assert_eq!(t.scaled_widths(9), vec![3, 3, 3]);
        // all zero → equal
        t.widths = Some(vec![0, 0, 0]);
        assert_eq!(t.scaled_widths(9), vec![3, 3, 3]);
        // rows wider than header
        t.widths = None;
        t.rows = vec![vec!["1".into(); 4]];
        assert_eq!(t.column_count(), 4);
        assert_eq!(t.scaled_widths(8).len(), 4);
        assert_eq!(Table::default().scaled_widths(100), Vec::<u32>::new());
    }
}
