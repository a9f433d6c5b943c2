//! The `xtask bound` command line, run as a process: every name against the `bounds` function it
//! promises, and the error contract (one line on stderr, status 2, nothing on stdout).

use std::error::Error;
use std::process::{Command, Output};

use bounds::{FisherCap, Prior};
use serde_json::Value;

type TestResult<T = ()> = Result<T, Box<dyn Error>>;

fn run(args: &[&str]) -> TestResult<Output> {
    Ok(Command::new(env!("CARGO_BIN_EXE_xtask"))
        .arg("bound")
        .args(args)
        .output()?)
}

/// Runs a valid invocation and returns its single JSON object.
fn json(args: &[&str]) -> TestResult<Value> {
    let out = run(args)?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{args:?} failed: {stderr}");
    let stdout = String::from_utf8(out.stdout)?;
    assert_eq!(stdout.lines().count(), 1, "exactly one line: {stdout}");
    let value: Value = serde_json::from_str(&stdout)?;
    assert!(value.is_object(), "a JSON object: {stdout}");
    assert_eq!(value["bound"], args[0]);
    Ok(value)
}

/// A numeric field.
fn field(v: &Value, name: &str) -> TestResult<f64> {
    Ok(v[name]
        .as_f64()
        .ok_or_else(|| format!("numeric field {name} in {v}"))?)
}

/// serde_json's float parsing may be off by one ulp, hence a relative tolerance of a few ulps.
fn assert_close(got: f64, want: f64) {
    let scale = got.abs().max(want.abs());
    assert!((got - want).abs() <= 1e-14 * scale, "{got} vs {want}");
}

/// Runs an invalid invocation: status 2, empty stdout, one `error:` line on stderr.
fn error(args: &[&str]) -> TestResult<String> {
    let out = run(args)?;
    assert_eq!(out.status.code(), Some(2), "{args:?} should exit with 2");
    assert!(out.stdout.is_empty(), "no JSON on error");
    let stderr = String::from_utf8(out.stderr)?;
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    Ok(stderr)
}

#[test]
fn fisher_cap_reports_the_three_caps() -> TestResult {
    let v = json(&["fisher-cap", "d=100", "bits=8", "sigma=2"])?;
    assert_close(
        field(&v, "unquantized")?,
        bounds::unquantized_cap(100, 2.0).unwrap(),
    );
    assert_close(
        field(&v, "barnes_ozgur")?,
        bounds::barnes_ozgur_cap(100, 8.0, 2.0).unwrap(),
    );
    assert_close(
        field(&v, "rate_distortion")?,
        bounds::rate_distortion_cap(100, 8.0, 2.0).unwrap(),
    );
    assert_eq!(v["inputs"]["d"], 100);
    Ok(())
}

#[test]
fn van_trees_without_bits_is_unquantized() -> TestResult {
    let v = json(&[
        "van-trees",
        "d=10",
        "rounds=100",
        "sigma=1",
        "prior=box",
        "b=2",
    ])?;
    let want = bounds::mse_lower_bound(
        10,
        100,
        1.0,
        FisherCap::Unquantized,
        &Prior::Box { half_width: 2.0 },
    )
    .unwrap();
    assert_close(field(&v, "mse")?, want);
    Ok(())
}

#[test]
fn van_trees_with_bits_defaults_to_the_barnes_ozgur_cap() -> TestResult {
    let args = [
        "van-trees",
        "d=64",
        "rounds=50",
        "sigma=1",
        "prior=gauss",
        "s2=0.5",
        "bits=4",
    ];
    let prior = Prior::Gaussian { variance: 0.5 };
    let bo =
        bounds::mse_lower_bound(64, 50, 1.0, FisherCap::BarnesOzgur { bits: 4.0 }, &prior).unwrap();
    assert_close(field(&json(&args)?, "mse")?, bo);
    let mut rd_args = args.to_vec();
    rd_args.push("cap=rd");
    let rd = bounds::mse_lower_bound(64, 50, 1.0, FisherCap::RateDistortion { bits: 4.0 }, &prior)
        .unwrap();
    assert_close(field(&json(&rd_args)?, "mse")?, rd);
    Ok(())
}

#[test]
fn rounds_reports_real_valued_counts_for_each_cap() -> TestResult {
    let v = json(&[
        "rounds",
        "d=100",
        "sigma=1",
        "mse=0.02",
        "prior=box",
        "b=1",
        "bits=10",
    ])?;
    let prior = Prior::Box { half_width: 1.0 };
    for (name, cap) in [
        ("statistical", FisherCap::Unquantized),
        ("product_bo", FisherCap::BarnesOzgur { bits: 10.0 }),
        ("product_rd", FisherCap::RateDistortion { bits: 10.0 }),
    ] {
        let want = bounds::rounds_needed(100, 1.0, 0.02, cap, &prior).unwrap();
        assert_close(field(&v, name)?, want);
        assert_eq!(
            v[format!("{name}_ceil")].as_u64(),
            Some(bounds::rounds_needed_ceil(100, 1.0, 0.02, cap, &prior).unwrap())
        );
    }
    Ok(())
}

#[test]
fn rounds_without_bits_reports_the_unquantized_count_everywhere() -> TestResult {
    let v = json(&[
        "rounds",
        "d=10",
        "sigma=1",
        "mse=0.1",
        "prior=gauss",
        "s2=1",
    ])?;
    assert_eq!(field(&v, "product_bo")?, field(&v, "statistical")?);
    assert_eq!(field(&v, "product_rd")?, field(&v, "statistical")?);
    Ok(())
}

#[test]
fn rounds_beyond_u64_keep_the_real_counts_and_drop_the_integers() -> TestResult {
    let v = json(&[
        "rounds",
        "d=10",
        "sigma=1",
        "mse=1e-30",
        "prior=gauss",
        "s2=1",
    ])?;
    assert!(field(&v, "statistical")? > 1e19);
    assert!(v.get("statistical_ceil").is_none());
    Ok(())
}

#[test]
fn comm_bits_uses_the_rate_distortion_bound_of_the_prior() -> TestResult {
    let v = json(&["comm-bits", "d=10", "mse=0.01", "prior=gauss", "s2=1"])?;
    assert_close(
        field(&v, "total_bits")?,
        bounds::gaussian_rate_distortion_bits(10, 1.0, 0.01).unwrap(),
    );
    let v = json(&["comm-bits", "d=10", "mse=0.01", "prior=box", "b=1"])?;
    assert_close(
        field(&v, "total_bits")?,
        bounds::box_shannon_lower_bound_bits(10, 1.0, 0.01).unwrap(),
    );
    Ok(())
}

#[test]
fn ar1_fisher_reports_information_and_inflation() -> TestResult {
    let v = json(&["ar1-fisher", "rounds=10", "rho=0.5", "sigma=1"])?;
    assert_close(
        field(&v, "fisher")?,
        bounds::ar1_fisher(10, 0.5, 1.0).unwrap(),
    );
    assert_close(field(&v, "inflation")?, 3.0);
    Ok(())
}

#[test]
fn drift_reports_whichever_quantities_are_asked_for() -> TestResult {
    let v = json(&["drift", "q2=1", "fisher=2"])?;
    assert_close(
        field(&v, "bcrb_steady")?,
        bounds::bcrb_steady_state_mse(1.0, 2.0).unwrap(),
    );
    assert!(v.get("rd_floor").is_none());
    let v = json(&["drift", "q2=3", "bits_per_coord=1"])?;
    assert_close(
        field(&v, "rd_floor")?,
        bounds::sequential_rd_floor(3.0, 1.0).unwrap(),
    );
    assert!(v.get("bcrb_steady").is_none());
    let v = json(&["drift", "q2=3", "fisher=0.5", "bits_per_coord=1"])?;
    assert!(v.get("rd_floor").is_some() && v.get("bcrb_steady").is_some());
    Ok(())
}

#[test]
fn quantized_fisher_takes_a_threshold_list() -> TestResult {
    let v = json(&[
        "quantized-fisher",
        "thresholds=-1,0,1.5",
        "sigma=2",
        "theta=0.25",
    ])?;
    let want = bounds::threshold_quantizer_fisher(&[-1.0, 0.0, 1.5], 0.25, 2.0).unwrap();
    assert_close(field(&v, "fisher")?, want);
    // theta defaults to 0.
    let v = json(&["quantized-fisher", "thresholds=0", "sigma=1"])?;
    assert_close(field(&v, "fisher")?, bounds::sign_bit_fisher(1.0).unwrap());
    Ok(())
}

#[test]
fn rstar_reports_the_upper_bound_and_accepts_inf() -> TestResult {
    let v = json(&["rstar", "d=1000", "p=2"])?;
    assert_close(
        field(&v, "upper")?,
        bounds::rstar_upper_bits(1000, 2.0).unwrap(),
    );
    let v = json(&["rstar", "d=1000", "p=inf", "c=0.1"])?;
    assert_close(
        field(&v, "upper")?,
        bounds::rstar_upper_bits(1000, f64::INFINITY).unwrap(),
    );
    assert_close(
        field(&v, "lower")?,
        bounds::rstar_lower_bits(1000, f64::INFINITY, 0.1).unwrap(),
    );
    Ok(())
}

#[test]
fn dqgd_reports_the_limit_and_both_limiting_rates() -> TestResult {
    let v = json(&["dqgd", "mu=1", "L=3", "rate=3", "n=4"])?;
    let s = bounds::QgdSetting::new(1.0, 3.0, 3.0, 2.0).unwrap();
    assert_close(field(&v, "sigma_gd")?, 0.5);
    assert_close(field(&v, "lower")?, s.rate_limit());
    assert_close(field(&v, "dqgd_upper")?, s.dqgd_rate());
    assert_close(field(&v, "naive_upper")?, s.naive_rate());
    // Without n the space-filling loss is 1.
    let v = json(&["dqgd", "mu=1", "L=3", "rate=0.5"])?;
    assert_close(
        field(&v, "lower")?,
        bounds::rate_limit(1.0, 3.0, 0.5).unwrap(),
    );
    assert_close(field(&v, "dqgd_upper")?, field(&v, "lower")?);
    Ok(())
}

#[test]
fn kipnis_duchi_reports_the_one_bit_limit() -> TestResult {
    let v = json(&["kipnis-duchi", "n=100", "sigma=2"])?;
    assert_close(
        field(&v, "mse")?,
        bounds::one_bit_adaptive_mse(100, 2.0).unwrap(),
    );
    Ok(())
}

#[test]
fn an_unknown_name_is_an_error_listing_the_known_ones() -> TestResult {
    let e = error(&["no-such-bound", "d=1"])?;
    assert!(
        e.contains("no-such-bound") && e.contains("fisher-cap"),
        "{e}"
    );
    Ok(())
}

#[test]
fn an_unknown_key_is_an_error() -> TestResult {
    let e = error(&["fisher-cap", "d=10", "bit=2", "sigma=1"])?;
    assert!(e.contains("unknown key 'bit'"), "{e}");
    Ok(())
}

#[test]
fn a_missing_key_is_an_error() -> TestResult {
    let e = error(&["fisher-cap", "d=10", "sigma=1"])?;
    assert!(e.contains("missing key bits"), "{e}");
    error(&["van-trees", "d=10", "rounds=1", "sigma=1"])?; // no prior
    error(&["van-trees", "d=10", "rounds=1", "sigma=1", "prior=box"])?; // no b
    error(&["drift", "q2=1"])?;
    Ok(())
}

#[test]
fn an_unparsable_value_is_an_error() -> TestResult {
    let e = error(&["fisher-cap", "d=ten", "bits=2", "sigma=1"])?;
    assert!(e.contains("d='ten'"), "{e}");
    error(&["quantized-fisher", "thresholds=0,x", "sigma=1"])?;
    error(&[
        "van-trees",
        "d=1",
        "rounds=1",
        "sigma=1",
        "prior=ball",
        "b=1",
    ])?;
    error(&["ar1-fisher", "rounds=-3", "rho=0", "sigma=1"])?;
    Ok(())
}

#[test]
fn a_key_that_does_not_apply_is_an_error() -> TestResult {
    let e = error(&["comm-bits", "d=10", "mse=0.1", "prior=box", "b=1", "s2=1"])?;
    assert!(e.contains("'s2'"), "{e}");
    error(&[
        "van-trees",
        "d=10",
        "rounds=1",
        "sigma=1",
        "prior=box",
        "b=1",
        "cap=rd",
    ])?;
    Ok(())
}

#[test]
fn malformed_and_duplicate_arguments_are_errors() -> TestResult {
    error(&["fisher-cap", "d=10", "bits", "sigma=1"])?;
    error(&["fisher-cap", "=3", "d=10", "bits=1", "sigma=1"])?;
    error(&["fisher-cap", "d=10", "d=11", "bits=1", "sigma=1"])?;
    Ok(())
}

#[test]
fn values_the_bound_rejects_are_errors() -> TestResult {
    let e = error(&["fisher-cap", "d=10", "bits=1", "sigma=0"])?;
    assert!(e.contains("sigma"), "{e}");
    error(&["fisher-cap", "d=0", "bits=1", "sigma=1"])?;
    error(&["fisher-cap", "d=10", "bits=0", "sigma=1"])?;
    error(&["ar1-fisher", "rounds=3", "rho=1", "sigma=1"])?;
    error(&["kipnis-duchi", "n=10", "sigma=nan"])?;
    error(&["rstar", "d=2", "p=1.5"])?;
    error(&["dqgd", "mu=3", "L=1", "rate=1"])?;
    Ok(())
}

#[test]
fn help_lists_every_bound() -> TestResult {
    let out = run(&["--help"])?;
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout)?;
    for name in [
        "fisher-cap",
        "van-trees",
        "rounds",
        "comm-bits",
        "ar1-fisher",
        "drift",
        "quantized-fisher",
        "rstar",
        "dqgd",
        "kipnis-duchi",
    ] {
        assert!(
            help.contains(&format!("  {name} ")),
            "{name} missing from help"
        );
    }
    Ok(())
}

#[test]
fn ar1_sign_reports_the_sign_recursion_prediction() -> TestResult {
    let v = json(&["ar1-sign", "n=100", "rho=0.5", "sigma=2"])?;
    assert_close(field(&v, "factor")?, bounds::ar1_sign_factor(0.5)?);
    assert_close(field(&v, "mse")?, bounds::ar1_sign_mse(100, 0.5, 2.0)?);
    // Independent noise: the Kipnis–Duchi limit pi sigma^2 / (2n).
    let v = json(&["ar1-sign", "n=100", "rho=0", "sigma=2"])?;
    assert_close(field(&v, "mse")?, std::f64::consts::PI * 4.0 / 200.0);
    error(&["ar1-sign", "n=100", "rho=1", "sigma=1"])?;
    Ok(())
}

#[test]
fn pessimistic_time_reports_the_bound_and_both_branches() -> TestResult {
    let args = [
        "pessimistic-time",
        "L=1",
        "gap=1",
        "s2=1",
        "eps=0.01",
        "workers=4",
        "d=100",
        "h=1",
        "kappa=0.01",
    ];
    let v = json(&args)?;
    // Hand computation: d kappa L Delta/eps + h L Delta/eps + h s2 L Delta/(n eps^2)
    // = 100 + 100 + 2500; single worker: h s2 L Delta/eps^2 + h L Delta/eps = 10000 + 100.
    assert_close(field(&v, "distributed")?, 2700.0);
    assert_close(field(&v, "single_worker")?, 10100.0);
    assert_close(field(&v, "time")?, 2700.0);
    error(&args[..8])?;
    Ok(())
}
