//! `cargo xtask bound NAME key=value ...`: evaluate one bound of the `bounds` crate.
//!
//! Prints exactly one JSON object on stdout:
//! `{"bound": NAME, "inputs": {key: value, ...}, <output fields>}`. The names, keys and output
//! fields below are a public contract (scripts depend on them); new fields may be added, none
//! removed or renamed. Any problem — an unknown name, an unknown, duplicate, missing or unparsable
//! key, a key that does not apply (`s2=` with `prior=box`), or a value the bound rejects
//! (`sigma=0`) — prints one line `error: ...` on stderr and exits with status 2.
//!
//! | name | keys | output fields |
//! |---|---|---|
//! | `fisher-cap` | `d= bits= sigma=` | `unquantized`, `barnes_ozgur`, `rate_distortion` (Fisher trace per round), `crossover_bits` |
//! | `van-trees` | `d= rounds= sigma= prior=box\|gauss b=\|s2= [bits=] [cap=bo\|rd]` | `mse` |
//! | `rounds` | `d= sigma= mse= prior=box\|gauss b=\|s2= [bits=]` | `statistical`, `product_bo`, `product_rd` (real), `*_ceil` (integers, omitted above `u64::MAX`) |
//! | `comm-bits` | `d= mse= prior=box\|gauss b=\|s2=` | `total_bits` |
//! | `ar1-fisher` | `rounds= rho= sigma=` | `fisher`, `inflation` |
//! | `drift` | `q2= [fisher=] [bits_per_coord=]` (at least one) | `bcrb_steady`, `rd_floor` |
//! | `quantized-fisher` | `thresholds=t1,t2,... sigma= [theta=0]` | `fisher` |
//! | `rstar` | `d= p= [c=]` (`p` may be `inf`) | `upper`, and `lower` when `c = c0/(4 c1)` is given |
//! | `dqgd` | `mu= L= rate= [n=]` | `sigma_gd`, `lower`, `dqgd_upper`, `naive_upper`, `space_filling_loss` |
//! | `kipnis-duchi` | `n= sigma=` | `mse`, `sign_fisher` |
//!
//! Semantics: `prior=box b=` is the box `[−b, b]^d` (cos² prior for van Trees, uniform prior for the
//! communication bound); `prior=gauss s2=` is `N(0, s² I_d)`. `van-trees` without `bits=` is
//! unquantized; with `bits=` it uses the Barnes–Özgür cap unless `cap=rd` asks for the
//! rate–distortion cap. `rounds` without `bits=` reports the unquantized count in all three fields.
//! `dqgd` reports the limiting linear rates as `T` grows at the optimal step, with `d_n = √n`
//! (uniform scalar quantizer) when `n=` is given and `d_n = 1` otherwise. `drift` reports the
//! steady-state BCRB per coordinate for a per-round Fisher information `fisher=`, and the sequential
//! rate–distortion floor for `bits_per_coord=`.

use std::fmt;
use std::process::ExitCode;
use std::str::FromStr;

use bounds::{BoundError, FisherCap, Prior, QgdSetting};
use clap::Args;
use serde_json::{Map, Number, Value};

/// Arguments of `xtask bound`.
#[derive(Debug, Args)]
#[command(after_help = usage_table())]
pub struct BoundArgs {
    /// The bound to evaluate (listed below).
    name: String,
    /// Parameters as key=value pairs.
    #[arg(allow_hyphen_values = true, trailing_var_arg = true)]
    params: Vec<String>,
}

/// Runs `xtask bound`: prints the JSON object, or a one-line error and status 2.
pub fn run(args: &BoundArgs) -> ExitCode {
    match evaluate(&args.name, &args.params) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Evaluates `name` with raw `key=value` parameters into the JSON text printed on stdout.
fn evaluate(name: &str, raw: &[String]) -> Result<String, CliError> {
    let spec = SPECS
        .iter()
        .find(|s| s.name == name)
        .ok_or_else(|| CliError::UnknownName(name.to_owned()))?;
    let mut params = Params::parse(spec, raw)?;
    let outputs = (spec.eval)(&mut params).map_err(|e| e.in_bound(spec))?;
    let inputs = params.finish().map_err(|e| e.in_bound(spec))?;
    let mut object = Map::new();
    object.insert("bound".into(), Value::String(spec.name.into()));
    object.insert("inputs".into(), Value::Object(inputs));
    for (field, value) in outputs {
        let json = match value {
            Out::Real(x) => Value::Number(Number::from_f64(x).ok_or(CliError::InBound {
                bound: spec.name,
                usage: spec.usage,
                error: Box::new(CliError::NonFiniteOutput(field)),
            })?),
            Out::Count(n) => Value::from(n),
        };
        object.insert(field.into(), json);
    }
    Ok(Value::Object(object).to_string())
}

/// One bound of the command: its name, usage, allowed keys and evaluation.
struct Spec {
    name: &'static str,
    usage: &'static str,
    keys: &'static [&'static str],
    eval: fn(&mut Params) -> Result<Outputs, CliError>,
}

/// Output fields in order.
type Outputs = Vec<(&'static str, Out)>;

/// One output value: a real number, or a count printed as a JSON integer.
enum Out {
    Real(f64),
    Count(u64),
}

/// The table of bounds: the public contract of `xtask bound`.
const SPECS: &[Spec] = &[
    Spec {
        name: "fisher-cap",
        usage: "fisher-cap d= bits= sigma=",
        keys: &["d", "bits", "sigma"],
        eval: fisher_cap,
    },
    Spec {
        name: "van-trees",
        usage: "van-trees d= rounds= sigma= prior=box|gauss b=|s2= [bits=] [cap=bo|rd]",
        keys: &["d", "rounds", "sigma", "prior", "b", "s2", "bits", "cap"],
        eval: van_trees,
    },
    Spec {
        name: "rounds",
        usage: "rounds d= sigma= mse= prior=box|gauss b=|s2= [bits=]",
        keys: &["d", "sigma", "mse", "prior", "b", "s2", "bits"],
        eval: rounds,
    },
    Spec {
        name: "comm-bits",
        usage: "comm-bits d= mse= prior=box|gauss b=|s2=",
        keys: &["d", "mse", "prior", "b", "s2"],
        eval: comm_bits,
    },
    Spec {
        name: "ar1-fisher",
        usage: "ar1-fisher rounds= rho= sigma=",
        keys: &["rounds", "rho", "sigma"],
        eval: ar1_fisher,
    },
    Spec {
        name: "drift",
        usage: "drift q2= [fisher=] [bits_per_coord=] (at least one of the two)",
        keys: &["q2", "fisher", "bits_per_coord"],
        eval: drift,
    },
    Spec {
        name: "quantized-fisher",
        usage: "quantized-fisher thresholds=t1,t2,... sigma= [theta=0]",
        keys: &["thresholds", "sigma", "theta"],
        eval: quantized_fisher,
    },
    Spec {
        name: "rstar",
        usage: "rstar d= p= [c=]  (p >= 1 or inf; c = c0/(4 c1) in (0, 1/4])",
        keys: &["d", "p", "c"],
        eval: rstar,
    },
    Spec {
        name: "dqgd",
        usage: "dqgd mu= L= rate= [n=]",
        keys: &["mu", "L", "rate", "n"],
        eval: dqgd,
    },
    Spec {
        name: "kipnis-duchi",
        usage: "kipnis-duchi n= sigma=",
        keys: &["n", "sigma"],
        eval: kipnis_duchi,
    },
    Spec {
        name: "ar1-sign",
        usage: "ar1-sign n= rho= sigma=",
        keys: &["n", "rho", "sigma"],
        eval: ar1_sign,
    },
    Spec {
        name: "pessimistic-time",
        usage: "pessimistic-time L= gap= s2= eps= workers= d= h= kappa=",
        keys: &["L", "gap", "s2", "eps", "workers", "d", "h", "kappa"],
        eval: pessimistic_time,
    },
];

/// The list of names and usages shown by `xtask bound --help`.
fn usage_table() -> String {
    let mut text = String::from("Bounds:\n");
    for spec in SPECS {
        text.push_str("  ");
        text.push_str(spec.usage);
        text.push('\n');
    }
    text.push_str("\nPrints one JSON object; on error prints one line on stderr and exits with 2.");
    text
}

fn fisher_cap(p: &mut Params) -> Result<Outputs, CliError> {
    let d = p.required("d")?;
    let bits = p.required("bits")?;
    let sigma = p.required("sigma")?;
    Ok(vec![
        ("unquantized", Out::Real(bounds::unquantized_cap(d, sigma)?)),
        (
            "barnes_ozgur",
            Out::Real(bounds::barnes_ozgur_cap(d, bits, sigma)?),
        ),
        (
            "rate_distortion",
            Out::Real(bounds::rate_distortion_cap(d, bits, sigma)?),
        ),
        ("crossover_bits", Out::Real(bounds::crossover_bits(d)?)),
    ])
}

fn van_trees(p: &mut Params) -> Result<Outputs, CliError> {
    let d = p.required("d")?;
    let rounds = p.required("rounds")?;
    let sigma = p.required("sigma")?;
    let prior = prior(p)?;
    let cap = match p.optional::<f64>("bits")? {
        None => FisherCap::Unquantized,
        Some(bits) => match p.choice("cap", &["bo", "rd"])?.unwrap_or("bo") {
            "rd" => FisherCap::RateDistortion { bits },
            _ => FisherCap::BarnesOzgur { bits },
        },
    };
    Ok(vec![(
        "mse",
        Out::Real(bounds::mse_lower_bound(d, rounds, sigma, cap, &prior)?),
    )])
}

fn rounds(p: &mut Params) -> Result<Outputs, CliError> {
    let d = p.required("d")?;
    let sigma = p.required("sigma")?;
    let mse = p.required("mse")?;
    let prior = prior(p)?;
    let (bo, rd) = match p.optional::<f64>("bits")? {
        None => (FisherCap::Unquantized, FisherCap::Unquantized),
        Some(bits) => (
            FisherCap::BarnesOzgur { bits },
            FisherCap::RateDistortion { bits },
        ),
    };
    let mut out = Vec::new();
    for (field, ceil_field, cap) in [
        ("statistical", "statistical_ceil", FisherCap::Unquantized),
        ("product_bo", "product_bo_ceil", bo),
        ("product_rd", "product_rd_ceil", rd),
    ] {
        let real = bounds::rounds_needed(d, sigma, mse, cap, &prior)?;
        out.push((field, Out::Real(real)));
        // The integer count is an extra: omitted when it exceeds u64, never an error.
        match bounds::rounds_needed_ceil(d, sigma, mse, cap, &prior) {
            Ok(ceil) => out.push((ceil_field, Out::Count(ceil))),
            Err(BoundError::Overflow { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(out)
}

fn comm_bits(p: &mut Params) -> Result<Outputs, CliError> {
    let d = p.required("d")?;
    let mse = p.required("mse")?;
    let prior = prior(p)?;
    Ok(vec![(
        "total_bits",
        Out::Real(bounds::total_bits_lower_bound(d, mse, &prior)?),
    )])
}

fn ar1_fisher(p: &mut Params) -> Result<Outputs, CliError> {
    let rounds = p.required("rounds")?;
    let rho = p.required("rho")?;
    let sigma = p.required("sigma")?;
    Ok(vec![
        ("fisher", Out::Real(bounds::ar1_fisher(rounds, rho, sigma)?)),
        ("inflation", Out::Real(bounds::ar1_inflation(rho)?)),
    ])
}

fn drift(p: &mut Params) -> Result<Outputs, CliError> {
    let q2 = p.required("q2")?;
    let fisher = p.optional::<f64>("fisher")?;
    let bits = p.optional::<f64>("bits_per_coord")?;
    if fisher.is_none() && bits.is_none() {
        return Err(CliError::MissingKey("fisher or bits_per_coord"));
    }
    let mut out = Vec::new();
    if let Some(f) = fisher {
        out.push((
            "bcrb_steady",
            Out::Real(bounds::bcrb_steady_state_mse(q2, f)?),
        ));
    }
    if let Some(r) = bits {
        out.push(("rd_floor", Out::Real(bounds::sequential_rd_floor(q2, r)?)));
    }
    Ok(out)
}

fn quantized_fisher(p: &mut Params) -> Result<Outputs, CliError> {
    let thresholds = p.list("thresholds")?;
    let sigma = p.required("sigma")?;
    let theta = p.optional("theta")?.unwrap_or(0.0);
    Ok(vec![(
        "fisher",
        Out::Real(bounds::threshold_quantizer_fisher(
            &thresholds,
            theta,
            sigma,
        )?),
    )])
}

fn rstar(p: &mut Params) -> Result<Outputs, CliError> {
    let d = p.required("d")?;
    let norm = p.required("p")?;
    let mut out = vec![("upper", Out::Real(bounds::rstar_upper_bits(d, norm)?))];
    if let Some(c) = p.optional("c")? {
        out.push(("lower", Out::Real(bounds::rstar_lower_bits(d, norm, c)?)));
    }
    Ok(out)
}

fn dqgd(p: &mut Params) -> Result<Outputs, CliError> {
    let mu = p.required("mu")?;
    let l = p.required("L")?;
    let rate = p.required("rate")?;
    let dn = match p.optional::<u64>("n")? {
        Some(n) => bounds::uniform_scalar_space_filling_loss(n)?,
        None => 1.0,
    };
    let setting = QgdSetting::new(mu, l, rate, dn)?;
    Ok(vec![
        ("sigma_gd", Out::Real(setting.sigma())),
        ("lower", Out::Real(setting.rate_limit())),
        ("dqgd_upper", Out::Real(setting.dqgd_rate())),
        ("naive_upper", Out::Real(setting.naive_rate())),
        ("space_filling_loss", Out::Real(dn)),
    ])
}

fn kipnis_duchi(p: &mut Params) -> Result<Outputs, CliError> {
    let n = p.required("n")?;
    let sigma = p.required("sigma")?;
    Ok(vec![
        ("mse", Out::Real(bounds::one_bit_adaptive_mse(n, sigma)?)),
        ("sign_fisher", Out::Real(bounds::sign_bit_fisher(sigma)?)),
    ])
}

fn ar1_sign(p: &mut Params) -> Result<Outputs, CliError> {
    let n = p.required("n")?;
    let rho = p.required("rho")?;
    let sigma = p.required("sigma")?;
    Ok(vec![
        ("mse", Out::Real(bounds::ar1_sign_mse(n, rho, sigma)?)),
        ("factor", Out::Real(bounds::ar1_sign_factor(rho)?)),
    ])
}

fn pessimistic_time(p: &mut Params) -> Result<Outputs, CliError> {
    let problem = bounds::StationarityProblem::new(
        p.required("L")?,
        p.required("gap")?,
        p.required("s2")?,
        p.required("eps")?,
    )?;
    let bound = bounds::pessimistic_time_lower_bound(
        &problem,
        p.required("workers")?,
        p.required("d")?,
        p.required("h")?,
        p.required("kappa")?,
    )?;
    Ok(vec![
        ("time", Out::Real(bound.value())),
        ("distributed", Out::Real(bound.distributed)),
        ("single_worker", Out::Real(bound.single_worker)),
    ])
}

/// `prior=box b=` or `prior=gauss s2=`.
fn prior(p: &mut Params) -> Result<Prior, CliError> {
    match p.choice("prior", &["box", "gauss"])? {
        Some("box") => Ok(Prior::Box {
            half_width: p.required("b")?,
        }),
        Some(_) => Ok(Prior::Gaussian {
            variance: p.required("s2")?,
        }),
        None => Err(CliError::MissingKey("prior")),
    }
}

/// A parameter type: how it parses and how it is echoed.
trait ParamValue: FromStr + Copy {
    /// What the text should look like, for error messages.
    const EXPECTED: &'static str;
    /// The JSON echo, if the value has one (non-finite floats do not).
    fn to_json(self) -> Option<Value>;
}

impl ParamValue for f64 {
    const EXPECTED: &'static str = "a number";
    fn to_json(self) -> Option<Value> {
        Number::from_f64(self).map(Value::Number)
    }
}

impl ParamValue for u64 {
    const EXPECTED: &'static str = "a non-negative integer";
    fn to_json(self) -> Option<Value> {
        Some(Value::from(self))
    }
}

impl ParamValue for usize {
    const EXPECTED: &'static str = "a non-negative integer";
    fn to_json(self) -> Option<Value> {
        Some(Value::from(self))
    }
}

/// One `key=value` argument.
struct Entry {
    key: String,
    value: String,
    used: bool,
}

/// The parameters of one invocation: parsed on demand, each read recorded for the echo and for
/// the check that every given key was used.
struct Params {
    entries: Vec<Entry>,
    echo: Map<String, Value>,
}

impl Params {
    /// Splits `key=value` pairs; rejects malformed, unknown and duplicate keys.
    fn parse(spec: &Spec, raw: &[String]) -> Result<Self, CliError> {
        let mut entries: Vec<Entry> = Vec::with_capacity(raw.len());
        for arg in raw {
            let (key, value) = arg
                .split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| CliError::NotKeyValue(arg.clone()).in_bound(spec))?;
            if !spec.keys.contains(&key) {
                return Err(CliError::UnknownKey(key.to_owned()).in_bound(spec));
            }
            if entries.iter().any(|e| e.key == key) {
                return Err(CliError::DuplicateKey(key.to_owned()).in_bound(spec));
            }
            entries.push(Entry {
                key: key.to_owned(),
                value: value.to_owned(),
                used: false,
            });
        }
        Ok(Self {
            entries,
            echo: Map::new(),
        })
    }

    /// The raw value of `key`, marking it used.
    fn raw(&mut self, key: &'static str) -> Option<String> {
        self.entries.iter_mut().find(|e| e.key == key).map(|e| {
            e.used = true;
            e.value.clone()
        })
    }

    /// An optional value parsed as `T`, echoed as JSON (text if it has no JSON number form).
    fn optional<T: ParamValue>(&mut self, key: &'static str) -> Result<Option<T>, CliError> {
        let Some(text) = self.raw(key) else {
            return Ok(None);
        };
        let value: T = text.trim().parse().map_err(|_| CliError::Unparsable {
            key,
            value: text.clone(),
            expected: T::EXPECTED,
        })?;
        let echoed = value.to_json().unwrap_or(Value::String(text));
        self.echo.insert(key.into(), echoed);
        Ok(Some(value))
    }

    /// A required value parsed as `T`.
    fn required<T: ParamValue>(&mut self, key: &'static str) -> Result<T, CliError> {
        self.optional(key)?.ok_or(CliError::MissingKey(key))
    }

    /// An optional value from a fixed set of words.
    fn choice(
        &mut self,
        key: &'static str,
        options: &[&'static str],
    ) -> Result<Option<&'static str>, CliError> {
        let Some(text) = self.raw(key) else {
            return Ok(None);
        };
        let word = options
            .iter()
            .copied()
            .find(|o| *o == text)
            .ok_or_else(|| CliError::Unparsable {
                key,
                value: text.clone(),
                expected: "one of the listed words",
            })?;
        self.echo.insert(key.into(), Value::String(word.into()));
        Ok(Some(word))
    }

    /// A required comma-separated list of numbers (empty text is the empty list).
    fn list(&mut self, key: &'static str) -> Result<Vec<f64>, CliError> {
        let text = self.raw(key).ok_or(CliError::MissingKey(key))?;
        let values = text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<f64>().map_err(|_| CliError::Unparsable {
                    key,
                    value: s.to_owned(),
                    expected: "a comma-separated list of numbers",
                })
            })
            .collect::<Result<Vec<f64>, CliError>>()?;
        let echoed = values
            .iter()
            .map(|&v| Number::from_f64(v).map_or(Value::Null, Value::Number))
            .collect();
        self.echo.insert(key.into(), Value::Array(echoed));
        Ok(values)
    }

    /// The echo of the inputs, or an error naming a key that was given but does not apply.
    fn finish(self) -> Result<Map<String, Value>, CliError> {
        match self.entries.into_iter().find(|e| !e.used) {
            Some(e) => Err(CliError::UnusedKey(e.key)),
            None => Ok(self.echo),
        }
    }
}

/// What can go wrong on the command line; displayed as one line.
#[derive(Debug)]
enum CliError {
    UnknownName(String),
    NotKeyValue(String),
    UnknownKey(String),
    DuplicateKey(String),
    MissingKey(&'static str),
    UnusedKey(String),
    Unparsable {
        key: &'static str,
        value: String,
        expected: &'static str,
    },
    NonFiniteOutput(&'static str),
    Bound(BoundError),
    /// Any of the above, for a known bound (adds its name and usage to the message).
    InBound {
        bound: &'static str,
        usage: &'static str,
        error: Box<CliError>,
    },
}

impl CliError {
    fn in_bound(self, spec: &Spec) -> Self {
        match self {
            already @ Self::InBound { .. } => already,
            error => Self::InBound {
                bound: spec.name,
                usage: spec.usage,
                error: Box::new(error),
            },
        }
    }
}

impl From<BoundError> for CliError {
    fn from(e: BoundError) -> Self {
        Self::Bound(e)
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::UnknownName(name) => {
                let names: Vec<&str> = SPECS.iter().map(|s| s.name).collect();
                write!(f, "unknown bound '{name}' (known: {})", names.join(", "))
            }
            Self::NotKeyValue(arg) => write!(f, "expected key=value, got '{arg}'"),
            Self::UnknownKey(key) => write!(f, "unknown key '{key}'"),
            Self::DuplicateKey(key) => write!(f, "key '{key}' given twice"),
            Self::MissingKey(key) => write!(f, "missing key {key}"),
            Self::UnusedKey(key) => write!(f, "key '{key}' does not apply here"),
            Self::Unparsable {
                key,
                value,
                expected,
            } => write!(f, "cannot parse {key}='{value}' as {expected}"),
            Self::NonFiniteOutput(field) => write!(f, "{field} is not a finite number"),
            Self::Bound(e) => write!(f, "{e}"),
            Self::InBound {
                bound,
                usage,
                error,
            } => write!(f, "{bound}: {error} (usage: {usage})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_name_is_unique_and_its_usage_starts_with_it() {
        for (i, spec) in SPECS.iter().enumerate() {
            assert!(spec.usage.starts_with(spec.name), "{}", spec.name);
            assert!(SPECS.iter().skip(i + 1).all(|s| s.name != spec.name));
        }
    }

    #[test]
    fn every_listed_key_appears_in_the_usage() {
        for spec in SPECS {
            for key in spec.keys {
                assert!(
                    spec.usage.contains(&format!("{key}=")),
                    "{}: {key}",
                    spec.name
                );
            }
        }
    }

    #[test]
    fn errors_are_one_line() {
        let raw = vec!["d=1".to_owned(), "oops".to_owned()];
        let e = evaluate("fisher-cap", &raw).unwrap_err().to_string();
        assert!(!e.contains('\n'));
        assert!(e.starts_with("fisher-cap: expected key=value"));
    }
}
