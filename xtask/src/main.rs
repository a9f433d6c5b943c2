//! The `xtask` binary: parses the command line and dispatches to the library's modules.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use xtask::{bench, bound, docs};

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
    /// Run the experiment suite and write the report, figures and results.json.
    Bench(bench::BenchArgs),
    /// Evaluate a bound and print one JSON object, e.g. `bound fisher-cap d=100 bits=8 sigma=1`.
    Bound(bound::BoundArgs),
    /// Build the API docs with math rendered offline; copy the latest report to docs/report/.
    Docs(docs::DocsArgs),
    /// Validate a results.json file (an array of {experiment, params, metrics}).
    CheckResults {
        /// Path to results.json.
        path: std::path::PathBuf,
    },
}

/// Prints an error chain on one line and returns the exit status.
fn fail(e: &anyhow::Error, status: u8) -> ExitCode {
    eprintln!("error: {e:#}");
    ExitCode::from(status)
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Bench(args) => match bench::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e, 1),
        },
        Command::Bound(args) => bound::run(&args),
        Command::Docs(args) => match docs::run(&args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => fail(&e, 1),
        },
        Command::CheckResults { path } => match bench::check_results(&path) {
            Ok(n) => {
                println!("{}: {n} records, all well formed", path.display());
                ExitCode::SUCCESS
            }
            Err(e) => fail(&e, 1),
        },
    }
}
