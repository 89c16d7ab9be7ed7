//! The integration tests, one binary (linked once) with a module per
//! context. Each test starts the real app in-process on an ephemeral port,
//! against a fresh SQLite database, or a fresh PostgreSQL database when
//! `LOKET_TEST_POSTGRES_URL` is set (see `common`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod accounts;
mod api;
mod appointments;
mod assets;
mod backup;
mod bikes;
mod browser;
mod cases;
mod contact;
mod dashboard;
mod demo;
mod erasure;
mod keys;
mod legal;
mod need;
mod oidc;
mod ops;
mod outage;
mod paging;
mod people;
mod people_search;
mod privacy_export;
mod privacy_requests;
mod queue;
mod ranges;
mod replica;
mod retention;
mod scale;
mod service_editor;
mod shifts;
mod telework;
mod totp;
mod upgrade;
mod vaccination;
mod webhooks;
mod work;
