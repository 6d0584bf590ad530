//! Official-document .docx writer.
