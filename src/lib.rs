//! dunwatch (催收短信哨兵): watches a folder of exported SMS backups, recognises
//! debt-collection messages, tells a real overdue notice from a scam that impersonates a
//! lender and from illegal collection, keeps the history in SQLite and alerts on the desktop.
//!
//! Data flows one way: [`ingest`] (files → messages) → [`classify`] (message → verdict) →
//! [`store`] (SQLite) → [`alert`] / [`report`]. [`import`] runs that pipeline for one file;
//! [`daemon`] runs it whenever a watched file changes; [`cli`] is the command line.

// Parse errors carry the file and place they name; they are rare and not on a hot path.
#![allow(clippy::result_large_err)]

pub mod alert;
pub mod classify;
pub mod cli;
pub mod config;
pub mod daemon;
pub mod evidence;
pub mod import;
pub mod ingest;
pub mod lang;
pub mod model;
pub mod paths;
pub mod report;
pub mod review;
pub mod service;
pub mod store;
pub mod templates;
pub mod ui;
pub mod untrusted;
pub mod words;
