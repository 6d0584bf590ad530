//! A minimal SMTP client.
