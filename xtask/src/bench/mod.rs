//! `cargo xtask bench`: the experiment suite that puts every pathway next to its limit.
//!
//! Each experiment is a value implementing [`Experiment`]; [`run`] executes the selected ones,
//! writes `report.md`, one SVG per experiment and `results.json` under the output directory,
//! shows progress bars on stderr and prints a summary table on stdout.

pub mod correlated;
pub mod dqgd;
pub mod drift;
pub mod linreg;
pub mod lp_precision;
pub mod multiworker;
pub mod plot;
pub mod record;
pub mod report;
pub mod throughput;
pub mod tightness;

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

pub use plot::{Figure, Panel, Series, Style};
pub use record::Record;
pub use report::{RunInfo, Section, Table};

/// How much work each experiment does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Under a minute in all (CI).
    Quick,
    /// Minutes on 2 cores.
    Default,
    /// Paper scale.
    Full,
}

impl Mode {
    /// The mode's name.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Quick => "quick",
            Mode::Default => "default",
            Mode::Full => "full",
        }
    }

    /// Picks one of three values by mode.
    pub fn pick<T>(self, quick: T, default: T, full: T) -> T {
        match self {
            Mode::Quick => quick,
            Mode::Default => default,
            Mode::Full => full,
        }
    }
}

/// Options of `cargo xtask bench`.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Small sizes: finishes in under a minute (what CI runs).
    #[arg(long, conflicts_with = "full")]
    pub quick: bool,
    /// Paper-scale sizes.
    #[arg(long)]
    pub full: bool,
    /// Run only this experiment (see the list in the report).
    #[arg(long, value_name = "ID")]
    pub only: Option<String>,
    /// Output directory.
    #[arg(long, value_name = "DIR", default_value = "target/lowbit-report")]
    pub out: PathBuf,
    /// Run seed: the same seed gives the same numbers.
    #[arg(long, value_name = "N", default_value_t = 2026)]
    pub seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// A Matrix Market file for the `dqgd` experiment, run beside the Gaussian ensemble.
    #[arg(long, value_name = "FILE.mtx")]
    pub matrix: Option<PathBuf>,
}

impl BenchArgs {
    /// The selected mode.
    pub fn mode(&self) -> Mode {
        if self.quick {
            Mode::Quick
        } else if self.full {
            Mode::Full
        } else {
            Mode::Default
        }
    }
}

/// What an experiment sees while it runs.
pub struct Context {
    /// Work size.
    pub mode: Mode,
    /// Run seed (experiments derive their own seeds from it).
    pub seed: u64,
    /// Output directory (figures go here).
    pub out_dir: PathBuf,
    /// Optional Matrix Market input.
    pub matrix: Option<PathBuf>,
    progress: MultiProgress,
}

impl Context {
    /// A progress bar of `len` steps for this experiment, on stderr.
    pub fn bar(&self, id: &str, len: u64) -> ProgressBar {
        let bar = self.progress.add(ProgressBar::new(len));
        let style = ProgressStyle::with_template(
            "{prefix:>13} [{bar:32.cyan/blue}] {pos:>5}/{len:5} {msg} ({elapsed})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(id.to_owned());
        bar
    }

    /// A seed for a named part of an experiment, derived from the run seed.
    pub fn seed_for(&self, label: &str) -> u64 {
        // FNV-1a over the label, mixed with the run seed: stable across platforms and runs.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        quantizers::splitmix64(h ^ quantizers::splitmix64(self.seed))
    }
}

/// What an experiment returns.
pub struct Outcome {
    /// Rows for `results.json`.
    pub records: Vec<Record>,
    /// The report section (its `figure` field is filled in by the runner).
    pub section: Section,
    /// The figure, written as `<id>.svg`.
    pub figure: Option<Figure>,
    /// The terminal summary.
    pub summary: Table,
}

/// One experiment of the suite.
pub trait Experiment: Sync {
    /// Stable ID (`--only ID`, metric records, file names).
    fn id(&self) -> &'static str;
    /// Metric names every record of this experiment carries (checked after the run).
    fn required_metrics(&self) -> &'static [&'static str];
    /// Runs the experiment.
    fn run(&self, cx: &Context) -> Result<Outcome>;
}

/// The suite, in report order.
pub fn experiments() -> Vec<Box<dyn Experiment>> {
    vec![
        Box::new(tightness::Tightness),
        Box::new(correlated::Correlated),
        Box::new(drift::Drift),
        Box::new(lp_precision::LpPrecision),
        Box::new(dqgd::Dqgd),
        Box::new(linreg::Linreg),
        Box::new(multiworker::Multiworker),
        Box::new(throughput::Throughput),
    ]
}

/// Runs `cargo xtask bench`.
pub fn run(args: &BenchArgs) -> Result<()> {
    let suite = experiments();
    let selected: Vec<&dyn Experiment> = match &args.only {
        Some(id) => {
            let found: Vec<&dyn Experiment> = suite
                .iter()
                .map(|e| e.as_ref())
                .filter(|e| e.id() == id)
                .collect();
            if found.is_empty() {
                let ids: Vec<&str> = suite.iter().map(|e| e.id()).collect();
                bail!(
                    "unknown experiment `{id}`; the experiments are: {}",
                    ids.join(", ")
                );
            }
            found
        }
        None => suite.iter().map(|e| e.as_ref()).collect(),
    };
    if let Some(n) = args.threads {
        if n == 0 {
            bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .context("configuring the thread pool")?;
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let progress = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
    let cx = Context {
        mode: args.mode(),
        seed: args.seed,
        out_dir: args.out.clone(),
        matrix: args.matrix.clone(),
        progress,
    };

    let mut records = Vec::new();
    let mut sections = Vec::new();
    for exp in selected {
        let start = Instant::now();
        let outcome = exp
            .run(&cx)
            .with_context(|| format!("experiment `{}`", exp.id()))?;
        check_metrics(exp, &outcome.records)?;
        let mut section = outcome.section;
        if let Some(fig) = &outcome.figure {
            let file = format!("{}.svg", exp.id());
            fig.write_svg(&args.out.join(&file), (620, 440))?;
            section.figure = Some(file);
        }
        section.seconds = start.elapsed().as_secs_f64();
        println!("\n{} ({:.1} s)", section.title, section.seconds);
        print!("{}", outcome.summary.to_text());
        records.extend(outcome.records);
        sections.push(section);
    }

    let info = RunInfo {
        mode: cx.mode.name().to_owned(),
        seed: args.seed,
        threads: rayon::current_num_threads(),
        command: command_line(args),
    };
    write(
        &args.out.join("report.md"),
        &report::render(&info, &sections),
    )?;
    let json = serde_json::to_string_pretty(&records)?;
    write(&args.out.join("results.json"), &json)?;
    println!("\nreport: {}", args.out.join("report.md").display());
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

fn check_metrics(exp: &dyn Experiment, records: &[Record]) -> Result<()> {
    if records.is_empty() {
        bail!("experiment `{}` produced no records", exp.id());
    }
    for r in records {
        for m in exp.required_metrics() {
            if !r.metrics.contains_key(*m) {
                bail!("a record of `{}` lacks the metric `{m}`", exp.id());
            }
        }
    }
    Ok(())
}

fn command_line(args: &BenchArgs) -> String {
    let mut s = String::from("cargo xtask bench");
    match args.mode() {
        Mode::Quick => s.push_str(" --quick"),
        Mode::Full => s.push_str(" --full"),
        Mode::Default => {}
    }
    if let Some(id) = &args.only {
        s.push_str(&format!(" --only {id}"));
    }
    if args.seed != 2026 {
        s.push_str(&format!(" --seed {}", args.seed));
    }
    s
}

/// Validates a `results.json` file: an array of `{experiment, params, metrics}` whose metrics
/// are numbers or null and whose experiments carry their required metrics. Used by CI.
pub fn check_results(path: &Path) -> Result<usize> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let value: serde_json::Value =
        serde_json::from_str(&text).context("results.json is not JSON")?;
    let Some(rows) = value.as_array() else {
        bail!("results.json is not an array");
    };
    let suite = experiments();
    for (i, row) in rows.iter().enumerate() {
        let id = row["experiment"]
            .as_str()
            .with_context(|| format!("record {i} has no experiment"))?;
        let metrics = row["metrics"]
            .as_object()
            .with_context(|| format!("record {i} has no metrics object"))?;
        if !row["params"].is_object() {
            bail!("record {i} has no params object");
        }
        if let Some((k, _)) = metrics
            .iter()
            .find(|(_, v)| !(v.is_number() || v.is_null()))
        {
            bail!("record {i}: metric `{k}` is not a number");
        }
        if let Some(exp) = suite.iter().find(|e| e.id() == id) {
            for m in exp.required_metrics() {
                if !metrics.contains_key(*m) {
                    bail!("record {i} ({id}) lacks the metric `{m}`");
                }
            }
        }
    }
    Ok(rows.len())
}
