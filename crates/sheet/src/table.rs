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
}

impl<'a> TableBuilder<'a> {
    pub(crate) fn new(limits: &'a Limits) -> Self {
        TableBuilder {
            limits,
            header: None,
            rows: Vec::new(),
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

    pub(crate) fn finish(self) -> Result<Table, SheetError> {
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
