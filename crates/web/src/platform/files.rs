//! Attachments: checked by content (never by file name), stored outside the database under
//! the data directory by their SHA-256, served only through a scope-checked handler.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::body::Bytes;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::platform::error::AppError;

/// What the content of a file says it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sniffed {
    pub content_type: &'static str,
    pub ext: &'static str,
}

const fn s(content_type: &'static str, ext: &'static str) -> Option<Sniffed> {
    Some(Sniffed { content_type, ext })
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// PDF, images (JPEG, PNG, GIF, WebP, HEIC from phone cameras) and Office documents
/// (OOXML, OpenDocument, legacy OLE files such as .doc/.xls/.wps); anything else is `None`.
pub fn sniff(b: &[u8]) -> Option<Sniffed> {
    if b.starts_with(b"%PDF-") {
        return s("application/pdf", "pdf");
    }
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return s("image/jpeg", "jpg");
    }
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        return s("image/png", "png");
    }
    if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") {
        return s("image/gif", "gif");
    }
    if b.len() >= 12 && &b[0..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        return s("image/webp", "webp");
    }
    if b.len() >= 12 && &b[4..8] == b"ftyp" {
        let brand = &b[8..12];
        if [b"heic", b"heix", b"mif1", b"msf1", b"hevc"]
            .iter()
            .any(|x| brand == *x)
        {
            return s("image/heic", "heic");
        }
    }
    if b.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        return s("application/x-ole-storage", "doc");
    }
    if b.starts_with(b"PK\x03\x04") {
        // Entry names are stored in the clear in the local headers and the central
        // directory at the end; look at both ends rather than the whole file.
        let head = &b[..b.len().min(1 << 20)];
        let tail = &b[b.len().saturating_sub(1 << 16)..];
        let has = |n: &[u8]| contains(head, n) || contains(tail, n);
        if has(b"mimetypeapplication/vnd.oasis.opendocument.text") {
            return s("application/vnd.oasis.opendocument.text", "odt");
        }
        if has(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet") {
            return s("application/vnd.oasis.opendocument.spreadsheet", "ods");
        }
        if has(b"[Content_Types].xml") {
            if has(b"word/") {
                return s(
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    "docx",
                );
            }
            if has(b"xl/") {
                return s(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "xlsx",
                );
            }
            if has(b"ppt/") {
                return s(
                    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
                    "pptx",
                );
            }
        }
    }
    None
}

/// The file name as shown and offered on download: no directories, no control characters,
/// at most 120 characters; `fallback.ext` when nothing is left.
pub fn clean_name(name: Option<&str>, ext: &str) -> String {
    let base = name
        .unwrap_or("")
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | '<' | '>' | '|' | '*' | '?' | ':'))
        .collect::<String>();
    let base = base.trim().trim_start_matches('.').to_string();
    if base.is_empty() {
        return format!("attachment.{ext}");
    }
    if base.chars().count() > 120 {
        let keep: String = base.chars().take(110).collect();
        format!("{keep}….{ext}")
    } else {
        base
    }
}

pub fn sha256_hex(b: &[u8]) -> String {
    let d = Sha256::digest(b);
    let mut s = String::with_capacity(64);
    for x in d {
        s.push_str(&format!("{x:02x}"));
    }
    s
}

/// Where the bytes with this digest live.
pub fn path_of(dir: &Path, sha: &str) -> PathBuf {
    let sub = sha.get(..2).unwrap_or("00");
    dir.join(sub).join(sha)
}

/// Writes the bytes (once per content: the name is their digest) through a temporary file
/// and a rename, so a half-written file is never seen. Returns the digest.
pub async fn save(dir: &Path, bytes: Bytes) -> std::io::Result<String> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let sha = sha256_hex(&bytes);
        let path = path_of(&dir, &sha);
        if path.exists() {
            return Ok(sha);
        }
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let tmp = path.with_extension(format!("tmp{}", crate::platform::auth::unique_hex(4)));
        std::fs::write(&tmp, &bytes)?;
        std::fs::rename(&tmp, &path)?;
        Ok(sha)
    })
    .await
    .map_err(std::io::Error::other)?
}

/// A stored file as a download: its own type, `attachment` disposition with the UTF-8 name,
/// no sniffing, private caching.
/// Serves a stored file of any owner (its bytes checked against its name, as below).
pub async fn serve(
    st: &crate::AppState,
    f: &impl store::life::StoredFile,
) -> Result<Response, AppError> {
    download(
        &st.config.files_dir,
        f.sha256(),
        f.content_type(),
        f.file_name(),
    )
    .await
}

pub async fn download(
    dir: &Path,
    sha: &str,
    content_type: &str,
    file_name: &str,
) -> Result<Response, AppError> {
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    let path = path_of(dir, sha);
    let bytes = tokio::task::spawn_blocking(move || std::fs::read(path))
        .await
        .map_err(|e| AppError::Internal(e.to_string()))?
        .map_err(|e| AppError::Internal(format!("attachment {sha}: {e}")))?;
    let inline = content_type.starts_with("image/") || content_type == "application/pdf";
    let disposition = format!(
        "{}; filename=\"{}\"; filename*=UTF-8''{}",
        if inline { "inline" } else { "attachment" },
        file_name
            .chars()
            .map(|c| if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                '_'
            })
            .collect::<String>(),
        crate::platform::extract::url_encode(file_name)
    );
    let mut res = (StatusCode::OK, bytes).into_response();
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&disposition) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; img-src 'self'; sandbox"),
    );
    Ok(res)
}

/// A multipart form of text fields and files (several under the same name allowed), read
/// in chunks with one limit on all files together.
#[derive(Debug, Default)]
pub struct Form {
    pub fields: HashMap<String, String>,
    pub files: Vec<(Option<String>, Bytes)>,
    /// The form field name of each of `files`, in the same order (a report's file fields).
    pub parts: Vec<String>,
}

impl Form {
    pub async fn read(mut mp: axum::extract::Multipart, limit: usize) -> Result<Form, AppError> {
        let map_err = |e: axum::extract::multipart::MultipartError| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge(limit)
            } else {
                AppError::BadRequest("error.multipart", String::new())
            }
        };
        let mut form = Form::default();
        let mut total = 0usize;
        while let Some(mut field) = mp.next_field().await.map_err(map_err)? {
            let name = field.name().unwrap_or("").to_string();
            let file_name = field.file_name().map(str::to_string);
            let mut buf = Vec::new();
            while let Some(chunk) = field.chunk().await.map_err(map_err)? {
                total += chunk.len();
                if total > limit {
                    return Err(AppError::PayloadTooLarge(limit));
                }
                buf.extend_from_slice(&chunk);
            }
            if file_name.is_some() {
                // An empty file input still sends a part with an empty name and body.
                if !buf.is_empty() {
                    form.files.push((file_name, Bytes::from(buf)));
                    form.parts.push(name);
                }
            } else if form.fields.len() < 64 {
                form.fields
                    .insert(name, String::from_utf8_lossy(&buf).into_owned());
            }
        }
        Ok(form)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content_not_name() {
        assert_eq!(sniff(b"%PDF-1.7\n...").unwrap().ext, "pdf");
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0").unwrap().ext, "png");
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0, 0]).unwrap().ext, "jpg");
        assert_eq!(sniff(b"RIFF\0\0\0\0WEBPVP8 ").unwrap().ext, "webp");
        assert_eq!(sniff(b"\0\0\0\x18ftypheic\0\0").unwrap().ext, "heic");
        assert_eq!(
            sniff(b"PK\x03\x04....[Content_Types].xml....word/document.xml")
                .unwrap()
                .ext,
            "docx"
        );
        assert_eq!(sniff(b"PK\x03\x04 just a zip"), None);
        assert_eq!(sniff(b"<html><script>alert(1)</script>"), None);
        assert_eq!(sniff(b"MZ\x90\0 an exe"), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"%PD"), None);
    }

    #[test]
    fn names_lose_paths_and_controls() {
        assert_eq!(clean_name(Some("../../etc/passwd"), "pdf"), "passwd");
        assert_eq!(
            clean_name(Some("C:\\x\\会议记录.pdf"), "pdf"),
            "会议记录.pdf"
        );
        assert_eq!(clean_name(Some("a\r\nb\".pdf"), "pdf"), "ab.pdf");
        assert_eq!(clean_name(None, "jpg"), "attachment.jpg");
        assert_eq!(clean_name(Some("..."), "jpg"), "attachment.jpg");
        assert!(clean_name(Some(&"长".repeat(300)), "pdf").chars().count() <= 120);
    }
}
