//! The in-memory result of reading a sheet.

use crate::{Limits, SheetError};

/// A sheet read into strings: the header row and the non-empty data rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Table {
    /// The first non-empty row of the sheet, trimmed, without trailing empty
    /// cells.
    pub header: Vec<String>,
    /// The non-empty rows after the header, in sheet order.
    pub rows: Vec<Row>,
}

/// One data row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// The spreadsheet row number as a user sees it (1-based: when the header
    /// is the first row, the first data row is 2). Blank rows that were
    /// skipped still count, so the number always matches the original file.
    pub number: usize,
    /// The trimmed cells, aligned with [`Table::header`]. There are at least
    /// as many cells as header cells (missing ones are `""`), more when the
    /// row has content to the right of the header.
    pub cells: Vec<String>,
}

impl Row {
    /// The cell at `idx`, or `""` when the row has no such cell.
    pub fn get(&self, idx: usize) -> &str {
        self.cells.get(idx).map_or("", String::as_str)
    }
}

impl Table {
    /// Index of the first header cell equal to `name` (both trimmed).
    pub fn column(&self, name: &str) -> Option<usize> {
        let name = name.trim();
        self.header.iter().position(|h| h.trim() == name)
    }
}

/// Assembles a [`Table`] from rows in sheet order, applying the limits.
pub(crate) struct TableBuilder<'a> {
    limits: &'a Limits,
    header: Option<Vec<String>>,
    rows: Vec<Row>,
    /// Leading rows with a single filled cell: title rows if a wider row follows, else
    /// the header and data of a one-column sheet.
    leading: Vec<(usize, Vec<String>)>,
}

/// Most title rows skipped above a header.
const MAX_TITLE_ROWS: usize = 3;

impl<'a> TableBuilder<'a> {
    pub(crate) fn new(limits: &'a Limits) -> Self {
        TableBuilder {
            limits,
            header: None,
            rows: Vec::new(),
            leading: Vec::new(),
        }
    }

    /// Adds a row of already cleaned cells; all-empty rows are ignored.
    pub(crate) fn push(&mut self, number: usize, mut cells: Vec<String>) -> Result<(), SheetError> {
        let width = match cells.iter().rposition(|c| !c.is_empty()) {
            Some(last) => last + 1,
            None => return Ok(()),
        };
        if width > self.limits.max_cols {
            return Err(too_many_cols(self.limits));
        }
        cells.truncate(width);
        if self.header.is_none() {
            let filled = cells.iter().filter(|c| !c.is_empty()).count();
            if filled == 1 && self.leading.len() < MAX_TITLE_ROWS {
                self.leading.push((number, cells));
                return Ok(());
            }
            if filled > 1 {
                // A wider row under single-cell rows: those were titles.
                self.leading.clear();
            } else {
                self.flush_leading()?;
            }
        }
        self.add(number, cells)
    }

    /// The leading single-cell rows as header and data rows (a one-column sheet).
    fn flush_leading(&mut self) -> Result<(), SheetError> {
        for (number, cells) in std::mem::take(&mut self.leading) {
            self.add(number, cells)?;
        }
        Ok(())
    }

    fn add(&mut self, number: usize, mut cells: Vec<String>) -> Result<(), SheetError> {
        match &self.header {
            None => self.header = Some(cells),
            Some(header) => {
                if self.rows.len() >= self.limits.max_rows {
                    return Err(too_many_rows(self.limits));
                }
                if cells.len() < header.len() {
                    cells.resize(header.len(), String::new());
                }
                self.rows.push(Row { number, cells });
            }
        }
        Ok(())
    }

    pub(crate) fn finish(mut self) -> Result<Table, SheetError> {
        self.flush_leading()?;
        match self.header {
            None => Err(SheetError::Empty),
            Some(header) => Ok(Table {
                header,
                rows: self.rows,
            }),
        }
    }
}

pub(crate) fn too_many_rows(limits: &Limits) -> SheetError {
    SheetError::TooLarge {
        limit: format!("more than {} rows", limits.max_rows),
    }
}

pub(crate) fn too_many_cols(limits: &Limits) -> SheetError {
    SheetError::TooLarge {
        limit: format!("more than {} columns", limits.max_cols),
    }
}

pub(crate) fn too_many_bytes(limits: &Limits) -> SheetError {
    SheetError::TooLarge {
        limit: format!(
            "more than {} bytes uncompressed",
            limits.max_uncompressed_bytes
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(rows: &[&[&str]]) -> Table {
        let limits = Limits::default();
        let mut b = TableBuilder::new(&limits);
        for (i, r) in rows.iter().enumerate() {
            b.push(i + 1, r.iter().map(|c| c.to_string()).collect())
                .unwrap();
        }
        b.finish().unwrap()
    }

    #[test]
    fn title_rows_above_the_header_are_skipped() {
        let t = build(&[
            &["工作台账"],
            &["单位：某党委  导出日期：2026年12月2日"],
            &["序号", "任务", "党组织"],
            &["1", "学习", "甲"],
        ]);
        assert_eq!(t.header, ["序号", "任务", "党组织"]);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].number, 4);
        // a one-column sheet keeps its first row as the header
        let t = build(&[&["名称"], &["甲"], &["乙"], &["丙"], &["丁"]]);
        assert_eq!(t.header, ["名称"]);
        assert_eq!(t.rows.len(), 4);
        assert_eq!(t.rows[0].number, 2);
        // a single-cell row under a header is data
        let t = build(&[&["名称", "类型"], &["甲"]]);
        assert_eq!(t.header, ["名称", "类型"]);
        assert_eq!(t.rows[0].cells, ["甲", ""]);
    }

    #[test]
    fn row_get_and_column() {
        let t = Table {
            header: vec!["名称".into(), " 编号 ".into()],
            rows: vec![Row {
                number: 2,
                cells: vec!["a".into()],
            }],
        };
        assert_eq!(t.column("编号"), Some(1));
        assert_eq!(t.column(" 名称"), Some(0));
        assert_eq!(t.column("x"), None);
        assert_eq!(t.rows[0].get(0), "a");
        assert_eq!(t.rows[0].get(5), "");
    }
}
