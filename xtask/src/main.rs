//! lowbit's task runner: `cargo xtask <command>` (the alias lives in `.cargo/config.toml`).
//!
//! Each command is one variant of [`Command`] and one module that owns its arguments and its
//! `run` function, so new commands (the experiment suite `bench`, the documentation build `docs`)
//! slot in as further variants and modules without touching the others.
//!
//! Commands:
//! - `bound NAME key=value ...` evaluates an information-theoretic bound from the `bounds` crate and
//!   prints exactly one JSON object on stdout (see [`bound`]).
//!
//! Exit status: 0 on success, 2 on any usage or parameter error (with a one-line message on
//! stderr), as clap does for its own usage errors.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod bound;

/// lowbit's task runner.
#[derive(Debug, Parser)]
#[command(name = "xtask", about = "lowbit's task runner", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// The commands; one module each.
#[derive(Debug, Subcommand)]
enum Command {
    /// Evaluate a bound and print one JSON object, e.g. `bound fisher-cap d=100 bits=8 sigma=1`.
    Bound(bound::BoundArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Bound(args) => bound::run(&args),
    }
}
