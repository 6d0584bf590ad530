//! Upload bodies and the import sheet: multipart forms, the header row API.md fixes, and
//! xlsx/CSV files built from rows of strings.

use sheet::{Cell, Column};

/// The import sheet's header row, as API.md fixes it.
pub const HEADERS: [&str; 8] = [
    "名称",
    "类型",
    "领域",
    "正式党员数",
    "预备党员数",
    "党建入章",
    "党建指导员",
    "所属党组织",
];

pub const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// A `multipart/form-data` body, part by part.
pub struct Multipart {
    body: Vec<u8>,
}

const BOUNDARY: &str = "----dangjianTestBoundary7MA4YWxkTrZu0gW";

impl Default for Multipart {
    fn default() -> Self {
        Self::new()
    }
}

impl Multipart {
    pub fn new() -> Multipart {
        Multipart { body: Vec::new() }
    }

    /// A text field.
    pub fn field(mut self, name: &str, value: &str) -> Multipart {
        self.body.extend_from_slice(
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                .as_bytes(),
        );
        self
    }

    /// A file part.
    pub fn file(
        mut self,
        name: &str,
        file_name: &str,
        content_type: &str,
        bytes: &[u8],
    ) -> Multipart {
        self.body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        self.body.extend_from_slice(bytes);
        self.body.extend_from_slice(b"\r\n");
        self
    }

    /// The content type and the body.
    pub fn finish(mut self) -> (String, Vec<u8>) {
        self.body
            .extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
        (
            format!("multipart/form-data; boundary={BOUNDARY}"),
            self.body,
        )
    }
}

/// A multipart body with one file part `name` holding `bytes`; returns (content type, body).
pub fn multipart(name: &str, file_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    Multipart::new()
        .file(name, file_name, "application/octet-stream", bytes)
        .finish()
}

/// An xlsx with the import header row and `rows` (numbers become number cells).
pub fn xlsx(rows: &[Vec<&str>]) -> Vec<u8> {
    xlsx_with_header(&HEADERS, rows)
}

pub fn xlsx_with_header(header: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let columns: Vec<Column> = header.iter().map(|h| Column::new(*h)).collect();
    let rows = rows.iter().map(|r| {
        r.iter()
            .map(|c| match c.parse::<i64>() {
                Ok(n) => Cell::Int(n),
                Err(_) if c.is_empty() => Cell::Empty,
                Err(_) => Cell::Text(c.to_string()),
            })
            .collect::<Vec<Cell>>()
    });
    sheet::write_xlsx("社团", &columns, rows).unwrap()
}

/// A CSV text with the import header row and `rows`.
pub fn csv(rows: &[Vec<&str>]) -> String {
    let mut s = HEADERS.join(",");
    s.push_str("\r\n");
    for r in rows {
        s.push_str(&r.join(","));
        s.push_str("\r\n");
    }
    s
}

/// Reads an xlsx download back into the header and rows of strings.
pub fn read_xlsx(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let t = sheet::read_table(bytes).unwrap();
    let width = t.header.len();
    let rows = t
        .rows
        .iter()
        .map(|r| (0..width).map(|i| r.get(i).to_string()).collect())
        .collect();
    (t.header, rows)
}
