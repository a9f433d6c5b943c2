//! lowbit's task runner: `cargo xtask bench | bound | docs`.

mod bench;
mod catalog;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "xtask", about = "lowbit tasks")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the experiment suite and write the report.
    Bench(bench::BenchArgs),
    /// Validate a results.json file.
    CheckResults {
        /// Path to results.json.
        path: std::path::PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Bench(args) => bench::run(&args),
        Command::CheckResults { path } => {
            let n = bench::check_results(&path)?;
            println!("{}: {n} records, all well formed", path.display());
            Ok(())
        }
    }
}
