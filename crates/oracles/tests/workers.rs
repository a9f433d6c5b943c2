//! Heterogeneous worker sets: validation, compute-time profiles, the averaged objective.
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::rng;
use oracles::{GaussianQuadratic, LinearRegression, Oracle, OracleError, WorkerSet};

fn quadratics(thetas: &[f64], d: usize) -> Vec<Box<dyn Oracle>> {
    thetas
        .iter()
        .map(|t| Box::new(GaussianQuadratic::new(vec![*t; d], 1.0).unwrap()) as Box<dyn Oracle>)
        .collect()
}

#[test]
fn equal_times_gives_every_worker_h() {
    let set = WorkerSet::equal_times(quadratics(&[0.0; 3], 2), 0.5).unwrap();
    assert_eq!(set.compute_times().collect::<Vec<_>>(), [0.5; 3]);
    assert_eq!((set.len(), set.dim(), set.is_empty()), (3, 2, false));
}

#[test]
fn sqrt_times_gives_worker_i_h_sqrt_i() {
    let set = WorkerSet::sqrt_times(quadratics(&[0.0; 5], 2), 3.0).unwrap();
    for (i, h) in set.compute_times().enumerate() {
        assert_eq!(h, 3.0 * ((i + 1) as f64).sqrt());
    }
    assert_eq!(set.worker(4).unwrap().compute_time(), 3.0 * 5f64.sqrt());
    assert!(set.worker(5).is_none());
}

#[test]
fn the_global_objective_averages_the_workers() {
    // f = (f_1 + f_2)/2 with minimizers 0 and 2: minimized at 1 with value 1/2 per coordinate.
    let mut set = WorkerSet::equal_times(quadratics(&[0.0, 2.0], 3), 1.0).unwrap();
    assert_eq!(set.value(&[1.0; 3]).unwrap(), 1.5);
    let mut g = [9.0; 3];
    set.true_gradient(&[1.0; 3], &mut g).unwrap();
    assert_eq!(g, [0.0; 3]);
    set.true_gradient(&[0.0; 3], &mut g).unwrap();
    assert_eq!(g, [-1.0; 3]);
}

#[test]
fn each_worker_draws_from_its_own_oracle() {
    let mut set = WorkerSet::new(quadratics(&[0.0, 10.0], 1), vec![1.0, 2.0]).unwrap();
    let mut r = rng(1);
    let mut g = [0.0];
    set.worker_mut(1)
        .unwrap()
        .oracle_mut()
        .gradient(&[0.0], &mut r, &mut g)
        .unwrap();
    assert!(g[0] < -5.0, "worker 1 has theta = 10: {g:?}");
    assert_eq!(set.workers()[0].oracle().minimizer(), Some(&[0.0][..]));
    assert_eq!(set.workers_mut().len(), 2);
}

#[test]
fn workers_may_hold_different_oracle_families() {
    let oracles: Vec<Box<dyn Oracle>> = vec![
        Box::new(GaussianQuadratic::new(vec![1.0; 4], 1.0).unwrap()),
        Box::new(LinearRegression::new(vec![1.0; 4], 2.0, 1.0, 1).unwrap()),
    ];
    let set = WorkerSet::equal_times(oracles, 1.0).unwrap();
    assert_eq!(set.dim(), 4);
}

#[test]
fn invalid_sets_are_rejected() {
    assert!(matches!(
        WorkerSet::equal_times(Vec::new(), 1.0),
        Err(OracleError::InvalidParameter(_))
    ));
    for h in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(
            matches!(
                WorkerSet::equal_times(quadratics(&[0.0; 2], 1), h),
                Err(OracleError::InvalidParameter(_))
            ),
            "h = {h}"
        );
    }
    assert_eq!(
        WorkerSet::new(quadratics(&[0.0; 2], 1), vec![1.0]).unwrap_err(),
        OracleError::DimensionMismatch {
            expected: 2,
            got: 1
        }
    );
    let mut mixed = quadratics(&[0.0], 2);
    mixed.extend(quadratics(&[0.0], 3));
    assert_eq!(
        WorkerSet::equal_times(mixed, 1.0).unwrap_err(),
        OracleError::DimensionMismatch {
            expected: 2,
            got: 3
        }
    );
}

#[test]
fn bad_queries_are_typed_errors() {
    let mut set = WorkerSet::equal_times(quadratics(&[0.0; 2], 2), 1.0).unwrap();
    assert!(set.value(&[0.0]).is_err());
    assert_eq!(
        set.true_gradient(&[0.0; 2], &mut [0.0; 3]),
        Err(OracleError::DimensionMismatch {
            expected: 2,
            got: 3
        })
    );
    assert_eq!(
        set.true_gradient(&[f64::NAN, 0.0], &mut [0.0; 2]),
        Err(OracleError::NonFinite { index: 0 })
    );
}
