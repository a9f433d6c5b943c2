//! lowbit's task runner: `cargo xtask <command>` (the alias lives in `.cargo/config.toml`).
//!
//! Each command is one variant of [`Command`] and one module that owns its arguments and its
//! `run` function, so new commands slot in as further variants and modules without touching
//! the others.
//!
//! Commands:
//! - `bench [--quick | --full] [--only ID] [--out DIR] [--seed N] [--threads N] [--matrix F]` runs
//!   the experiment suite and writes `report.md`, one SVG per experiment and `results.json`
//!   (see [`bench`]).
//! - `bound NAME key=value ...` evaluates an information-theoretic bound from the `bounds` crate and
//!   prints exactly one JSON object on stdout (see [`bound`]).
//! - `docs [--report DIR] [--no-report]` builds the API docs with the math rendered offline
//!   and copies the latest report to `docs/report/` (see [`docs`]).
//! - `check-results FILE` validates a `results.json` (CI runs it after `bench --quick`).
//!
//! Exit status: 0 on success; 2 on any usage or parameter error (with a one-line message on
//! stderr), as clap does for its own usage errors; 1 when an experiment fails.

pub mod bench;
pub mod bound;
pub mod catalog;
pub mod docs;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
