//! Multi-worker methods: the clock on hand-computed cases, synchronous SGD as minibatch SGD,
//! Shadowheart's equilibrium time and plan, Rennala's stale gradients, MARINA-P's downlink,
//! EF21-P, and time to accuracy.

#![allow(clippy::unwrap_used)]

mod common;

use common::ScaledSignFixture;
use optimizers::multi::{
    Cluster, CommUnit, Criterion, Downlink, MarinaP, Method, Rennala, Shadowheart, ShadowheartPlan,
    StopRule, SyncSgd, TimeModel, equilibrium_time, run_until,
};
use optimizers::{GradientDescent, NoMemory, OptError, RunStreams, Sgd, StepSchedule, UpdateRule};
use oracles::{GaussianQuadratic, Oracle, WorkerSet};
use quantizers::Unquantized;

fn gaussian_workers(n: usize, theta: &[f64], sigma: f64) -> Vec<Box<dyn Oracle>> {
    (0..n)
        .map(|_| {
            Box::new(GaussianQuadratic::new(theta.to_vec(), sigma).unwrap()) as Box<dyn Oracle>
        })
        .collect()
}

fn sgd(d: usize, eta: f64) -> Box<dyn UpdateRule> {
    Box::new(Sgd::new(vec![0.0; d], StepSchedule::constant(eta).unwrap()).unwrap())
}

fn exact(d: usize) -> Box<Unquantized> {
    Box::new(Unquantized::new(d).unwrap())
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn a_synchronous_round_takes_the_slowest_workers_downlink_compute_and_uplink_per_bit() {
    // d = 4, exact messages of 256 bits. Round 0 has no downlink (x_0 is public):
    // max(1 + 256e-3, 2 + 512e-3, 3 + 256e-3) = 3.256. Round 1 adds 256 * 5e-4 = 0.128.
    let time = TimeModel::with_links(
        vec![1.0, 2.0, 3.0],
        CommUnit::Bit,
        vec![1e-3, 2e-3, 1e-3],
        vec![5e-4; 3],
    )
    .unwrap();
    let mut cluster = Cluster::new(gaussian_workers(3, &[1.0; 4], 1.0), time, 256, 0).unwrap();
    let mut m = SyncSgd::new(sgd(4, 0.1), exact(4), &NoMemory, 3, 1, Downlink::Exact).unwrap();
    let r0 = m.step(&mut cluster).unwrap();
    assert!(close(r0.time, 3.256), "{}", r0.time);
    let r1 = m.step(&mut cluster).unwrap();
    assert!(close(r1.time, 3.256 + 3.384), "{}", r1.time);
    assert_eq!((r0.uplink_bits, r0.downlink_bits), (768, 0));
    assert_eq!((r1.uplink_bits, r1.downlink_bits), (768, 768));
    let t = cluster.transcript();
    assert_eq!(t.total_bits_in(bitcodec::Direction::Uplink), 1536);
    assert_eq!(t.total_bits_in(bitcodec::Direction::Downlink), 768);
}

#[test]
fn a_synchronous_round_per_coordinate_charges_the_coordinates_sent() {
    // Batch 2: compute 2 h_i; 4 coordinates each way at 0.5 s (up) and 0.25 s (down).
    // Round 0: max(2 + 2, 4 + 2) = 6; round 1: 1 + 6 = 7.
    let time = TimeModel::new(vec![1.0, 2.0], CommUnit::Coordinate, 0.5, 0.25).unwrap();
    let mut cluster = Cluster::new(gaussian_workers(2, &[0.0; 4], 1.0), time, 256, 0).unwrap();
    let mut m = SyncSgd::new(sgd(4, 0.1), exact(4), &NoMemory, 2, 2, Downlink::Exact).unwrap();
    assert!(close(m.step(&mut cluster).unwrap().time, 6.0));
    assert!(close(m.step(&mut cluster).unwrap().time, 13.0));
    assert_eq!(m.step(&mut cluster).unwrap().gradients, 4);
}

#[test]
fn synchronous_sgd_with_identical_workers_and_exact_links_is_minibatch_sgd() {
    let (n, d, eta, seed) = (4, 3, 0.3, 17);
    let theta = [1.0, -2.0, 0.5];
    let time = TimeModel::new(vec![1.0; n], CommUnit::Bit, 0.0, 0.0).unwrap();
    let mut cluster = Cluster::new(gaussian_workers(n, &theta, 1.0), time, 64 * d, seed).unwrap();
    let mut m = SyncSgd::new(sgd(d, eta), exact(d), &NoMemory, n, 1, Downlink::Exact).unwrap();
    // Minibatch SGD written out, with worker i's noise from the run's oracle stream i.
    let streams = RunStreams::new(seed);
    let mut rngs: Vec<_> = (0..n as u32).map(|i| streams.oracle(i)).collect();
    let mut oracles = gaussian_workers(n, &theta, 1.0);
    let mut x = vec![0.0; d];
    let mut g = vec![0.0; d];
    for _ in 0..30 {
        let mut sum = vec![0.0; d];
        for (o, rng) in oracles.iter_mut().zip(&mut rngs) {
            o.gradient(&x, rng, &mut g).unwrap();
            sum.iter_mut().zip(&g).for_each(|(s, gi)| *s += gi);
        }
        sum.iter_mut().for_each(|s| *s /= n as f64);
        x.iter_mut().zip(&sum).for_each(|(xi, si)| *xi -= eta * si);
        m.step(&mut cluster).unwrap();
    }
    let bits = |v: &[f64]| v.iter().map(|a| a.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(m.iterate()), bits(&x));
}

#[test]
fn the_equilibrium_time_matches_hand_computed_cases() {
    // One worker, h = tau = omega = s2e = 1: s^2 = 4 s + 4.
    let t = equilibrium_time(&[1.0], &[1.0], 1.0, 1.0).unwrap();
    assert!(close(t, 2.0 + 2.0 * 2f64.sqrt()), "{t}");
    // Two such workers: 2 s^2 = 4 s + 4, s = 1 + sqrt(3) (the prefix of one gives 2 + 2 sqrt 2).
    let t = equilibrium_time(&[1.0, 1.0], &[1.0, 1.0], 1.0, 1.0).unwrap();
    assert!(close(t, 1.0 + 3f64.sqrt()), "{t}");
    // A worker 100 times slower is left out: its prefix costs max(s, 100) = 100.
    let t = equilibrium_time(&[1.0, 100.0], &[1.0, 100.0], 1.0, 1.0).unwrap();
    assert!(close(t, 2.0 + 2.0 * 2f64.sqrt()), "{t}");
    // h = (1, 2), tau = (2, 1), omega = 1/2, s2e = 2: a = (6, 9), c = (8, 8). One worker:
    // s^2 = 6 s + 8, s = 3 + sqrt(17) = 7.123; both: s^2/(6s + 8) + s^2/(9s + 8) = 1 at
    // s = 4.514667915105843 (bisection by hand), above max(h, tau) = 2.
    let t = equilibrium_time(&[1.0, 2.0], &[2.0, 1.0], 0.5, 2.0).unwrap();
    assert!(close(t, 4.514667915105843), "{t}");
    // Without compression noise or stochastic noise, t* is the fastest max(h_i, tau_i).
    let t = equilibrium_time(&[2.0, 1.0], &[1.0, 3.0], 0.0, 0.0).unwrap();
    assert_eq!(t, 2.0);
}

#[test]
fn the_shadowheart_plan_follows_the_equilibrium_time() {
    let plan = ShadowheartPlan::new(&[1.0, 1.0], &[1.0, 1.0], 1.0, 1.0).unwrap();
    // t* = 2.732: two gradients and two messages each; w = 1/(2 + 1 + 2) = 0.2;
    // Z = 2 * 0.2 * 2 * 2 = 1.6.
    assert_eq!(plan.batches, vec![2, 2]);
    assert_eq!(plan.messages, vec![2, 2]);
    assert!(plan.weights.iter().all(|&w| close(w, 0.2)));
    assert!(close(plan.normaliser, 1.6));
    let slow = ShadowheartPlan::new(&[1.0, 100.0], &[1.0, 100.0], 1.0, 1.0).unwrap();
    assert_eq!(
        (slow.batches[1], slow.messages[1], slow.weights[1]),
        (0, 0, 0.0)
    );
    assert!(equilibrium_time(&[1.0], &[0.0], 1.0, 1.0).is_err());
    assert!(equilibrium_time(&[1.0], &[1.0, 1.0], 1.0, 1.0).is_err());
    assert!(equilibrium_time(&[1.0], &[1.0], -1.0, 1.0).is_err());
}

#[test]
fn shadowheart_rounds_take_at_most_twice_the_equilibrium_time() {
    // Exact messages (omega = 0) of 4 coordinates at 0.25 s: tau = 1; with h = (1, 1, 3),
    // s2e = 1: t* = 1 (the two fast workers), one gradient and one message each, and the
    // worker with h = 3 sits out.
    let time = TimeModel::new(vec![1.0, 1.0, 3.0], CommUnit::Coordinate, 0.25, 0.0).unwrap();
    let mut cluster = Cluster::new(gaussian_workers(3, &[1.0; 4], 0.5), time, 256, 3).unwrap();
    let mut m = Shadowheart::new(sgd(4, 0.5), exact(4), 1.0).unwrap();
    let plan = m.plan(&cluster).unwrap();
    assert!(close(plan.t_star, 1.0), "{}", plan.t_star);
    assert_eq!(plan.batches, vec![1, 1, 0]);
    let mut last = 0.0;
    for _ in 0..20 {
        let r = m.step(&mut cluster).unwrap();
        assert!(r.time - last <= 2.0 * plan.t_star + 1e-12);
        assert_eq!(r.gradients, 2);
        last = r.time;
    }
    assert!(common::dist(m.iterate(), &[1.0; 4]) < 0.5);
}

#[test]
fn shadowheart_needs_a_variance_it_can_read_or_is_given() {
    let time = TimeModel::new(vec![1.0], CommUnit::Bit, 1e-3, 0.0).unwrap();
    let cluster = Cluster::new(gaussian_workers(1, &[0.0; 2], 1.0), time, 66, 0).unwrap();
    let m = Shadowheart::new(sgd(2, 0.1), Box::new(ScaledSignFixture { dim: 2 }), 1.0).unwrap();
    assert!(matches!(
        m.check(&cluster),
        Err(OptError::InvalidParameter(_))
    ));
    let m = m.with_omega(1.0).unwrap();
    assert!(m.check(&cluster).is_ok());
}

#[test]
fn rennala_discards_gradients_computed_at_an_old_iterate() {
    // h = (1, 3), S = 1, free links. Worker 0 delivers at t = 1, 2, 3, ... each at the current
    // iterate. Worker 1's gradient from x_0 arrives at t = 3 after updates 1..3 (the tie at 3
    // goes to worker 0): discarded in step 4; restarted at x_3, it arrives at 6 after update 6:
    // discarded in step 7.
    let time = TimeModel::new(vec![1.0, 3.0], CommUnit::Bit, 0.0, 0.0).unwrap();
    let mut cluster = Cluster::new(gaussian_workers(2, &[1.0], 0.0), time, 64, 0).unwrap();
    let eta = 0.5;
    let rule = Box::new(GradientDescent::new(vec![0.0], eta).unwrap());
    let mut m = Rennala::new(rule, exact(1), 2, 1).unwrap();
    let mut times = Vec::new();
    let mut discarded = Vec::new();
    for _ in 0..7 {
        let r = m.step(&mut cluster).unwrap();
        times.push(r.time);
        discarded.push(r.discarded);
        assert_eq!(r.used, 1);
    }
    assert_eq!(times, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]);
    assert_eq!(discarded, vec![0, 0, 0, 1, 0, 0, 1]);
    assert_eq!(m.discarded(), 2);
    // Only fresh, noiseless gradients were used: the iterate is GD's, x_k = 1 - (1 - eta)^k.
    assert!(
        close(m.iterate()[0], 1.0 - (1.0 - eta).powi(7)),
        "{}",
        m.iterate()[0]
    );
}

#[test]
fn rennala_updates_with_s_fresh_gradients_and_accounts_for_every_delivery() {
    // Three workers with h = 1, S = 3. Step 1: all three deliver fresh gradients at t = 1;
    // workers 0 and 1 were sent x_0 again before the update, so in step 2 their deliveries
    // at t = 2 are stale; worker 2 (restarted at x_1) and then workers 0 and 1 (at t = 3)
    // complete the second batch.
    let time = TimeModel::new(vec![1.0; 3], CommUnit::Bit, 0.0, 0.0).unwrap();
    let mut cluster = Cluster::new(gaussian_workers(3, &[1.0; 2], 1.0), time, 128, 0).unwrap();
    let mut m = Rennala::new(sgd(2, 0.1), exact(2), 3, 3).unwrap();
    let r1 = m.step(&mut cluster).unwrap();
    assert_eq!((r1.time, r1.used, r1.discarded), (1.0, 3, 0));
    let r2 = m.step(&mut cluster).unwrap();
    assert_eq!((r2.time, r2.used, r2.discarded), (3.0, 3, 2));
    let (mut computed, mut delivered) = (r1.gradients + r2.gradients, 6 + 2);
    for _ in 0..20 {
        let r = m.step(&mut cluster).unwrap();
        assert_eq!(r.used, 3);
        computed += r.gradients;
        delivered += r.used + r.discarded;
    }
    // Every gradient but the three in flight was delivered, and each was used or discarded.
    assert_eq!(computed, delivered + 3);
}

#[test]
fn marina_p_with_probability_one_is_synchronous_sgd() {
    let (n, d) = (3, 5);
    let time = TimeModel::new(vec![1.0, 2.0, 3.0], CommUnit::Bit, 1e-3, 1e-3).unwrap();
    let theta = [1.0, 2.0, 3.0, 4.0, 5.0];
    let mut a = Cluster::new(gaussian_workers(n, &theta, 1.0), time.clone(), 320, 5).unwrap();
    let mut b = Cluster::new(gaussian_workers(n, &theta, 1.0), time, 320, 5).unwrap();
    let mut marina = MarinaP::new(sgd(d, 0.2), exact(d), n, 1, 1.0).unwrap();
    let mut sync = SyncSgd::new(sgd(d, 0.2), exact(d), &NoMemory, n, 1, Downlink::Exact).unwrap();
    for _ in 0..15 {
        let (ra, rb) = (marina.step(&mut a).unwrap(), sync.step(&mut b).unwrap());
        assert!(close(ra.time, rb.time));
    }
    assert_eq!(marina.iterate(), sync.iterate());
    assert_eq!(marina.full_syncs(), 15);
}

#[test]
fn marina_p_workers_points_average_to_the_server_iterate() {
    // Perm-K blocks partition the coordinates, so (1/n) sum_i w_i moves exactly with x.
    let (n, d) = (4, 10);
    let time = TimeModel::new(vec![1.0; n], CommUnit::Coordinate, 0.1, 0.1).unwrap();
    let mut cluster = Cluster::new(gaussian_workers(n, &[1.0; 10], 0.3), time, 640, 9).unwrap();
    let mut m = MarinaP::new(sgd(d, 0.2), exact(d), n, 1, 0.1).unwrap();
    let rounds = 200;
    for _ in 0..rounds {
        let r = m.step(&mut cluster).unwrap();
        // A compressed round sends each worker its block: 64 ceil or floor of d/n bits.
        assert!(r.downlink_bits == 64 * 10 || r.downlink_bits == 64 * (d as u64) * n as u64);
        let mut mean = vec![0.0; d];
        for i in 0..n {
            let w = m.worker_point(i).unwrap();
            mean.iter_mut().zip(w).for_each(|(a, b)| *a += b / n as f64);
        }
        assert!(common::dist(&mean, m.iterate()) < 1e-12);
    }
    // Full synchronisations ~ Binomial(200, 0.1): mean 20, sd 4.2; five sd: at most 41.
    let syncs = m.full_syncs();
    assert!(syncs > 0 && syncs <= 41, "{syncs}");
}

#[test]
fn marina_p_charges_each_worker_only_for_its_perm_k_block() {
    // d = 8, n = 4: each compressed downlink carries the worker's 2 coordinates at 0.5 s, so a
    // round after a compressed downlink takes 1 + h = 2 s (a full vector would cost 4 s). A
    // full synchronisation with p = 1e-12 is never drawn here.
    let (n, d) = (4, 8);
    let time = TimeModel::new(vec![1.0; n], CommUnit::Coordinate, 0.0, 0.5).unwrap();
    let mut cluster = Cluster::new(gaussian_workers(n, &[1.0; 8], 0.1), time, 512, 4).unwrap();
    let mut m = MarinaP::new(sgd(d, 0.2), exact(d), n, 1, 1e-12).unwrap();
    let first = m.step(&mut cluster).unwrap();
    assert!(close(first.time, 1.0), "{}", first.time);
    for k in 1..5 {
        let r = m.step(&mut cluster).unwrap();
        assert!(close(r.time, 1.0 + 2.0 * k as f64), "round {k}: {}", r.time);
        assert_eq!(r.downlink_bits, 64 * 8);
    }
    assert_eq!(m.full_syncs(), 0);
}

#[test]
fn a_cluster_from_a_worker_set_runs_like_one_built_by_hand() {
    let theta = [1.0, -1.0, 0.5];
    let set = WorkerSet::sqrt_times(gaussian_workers(3, &theta, 1.0), 2.0).unwrap();
    let mut from_set =
        Cluster::from_worker_set(set, CommUnit::Coordinate, 0.1, 0.2, 192, 11).unwrap();
    let h = vec![2.0, 2.0 * 2f64.sqrt(), 2.0 * 3f64.sqrt()];
    let time = TimeModel::new(h.clone(), CommUnit::Coordinate, 0.1, 0.2).unwrap();
    let mut by_hand = Cluster::new(gaussian_workers(3, &theta, 1.0), time, 192, 11).unwrap();
    assert_eq!(from_set.time_model().compute_times(), h.as_slice());
    let mut a = SyncSgd::new(sgd(3, 0.3), exact(3), &NoMemory, 3, 1, Downlink::Exact).unwrap();
    let mut b = SyncSgd::new(sgd(3, 0.3), exact(3), &NoMemory, 3, 1, Downlink::Exact).unwrap();
    for _ in 0..10 {
        let (ra, rb) = (
            a.step(&mut from_set).unwrap(),
            b.step(&mut by_hand).unwrap(),
        );
        assert_eq!(ra, rb);
    }
    assert_eq!(a.iterate(), b.iterate());
    assert_eq!(from_set.now(), by_hand.now());
}

#[test]
fn a_cluster_from_a_worker_set_rejects_bad_link_costs() {
    let set = WorkerSet::equal_times(gaussian_workers(2, &[0.0], 1.0), 1.0).unwrap();
    assert!(Cluster::from_worker_set(set, CommUnit::Bit, -1.0, 0.0, 64, 0).is_err());
}

#[test]
fn ef21_p_downlink_tracks_the_iterate_and_converges() {
    let (n, d) = (2, 4);
    let time = TimeModel::new(vec![1.0; n], CommUnit::Bit, 1e-3, 1e-3).unwrap();
    let theta = [1.0, -1.0, 2.0, 0.5];
    let mut cluster = Cluster::new(gaussian_workers(n, &theta, 0.01), time, 256, 2).unwrap();
    let down = Downlink::Ef21P(Box::new(ScaledSignFixture { dim: d }));
    let mut m = SyncSgd::new(sgd(d, 0.3), exact(d), &NoMemory, n, 1, down).unwrap();
    let stop = StopRule::new(Criterion::GradNormSquared(1e-3), 2000).unwrap();
    let out = run_until(&mut m, &mut cluster, &stop).unwrap();
    assert!(out.reached, "{:?}", out.history.last());
    // Each later round broadcasts 64 + d bits to each of the n workers.
    assert!(
        out.reports
            .iter()
            .skip(1)
            .all(|r| r.downlink_bits == (64 + 4) * 2)
    );
}

#[test]
fn time_to_accuracy_reports_the_clock_and_rounds_at_the_first_check_that_passes() {
    let time = TimeModel::new(vec![2.0, 3.0], CommUnit::Bit, 0.0, 0.0).unwrap();
    let mut cluster = Cluster::new(gaussian_workers(2, &[1.0; 3], 0.0), time, 192, 0).unwrap();
    let mut m = SyncSgd::new(sgd(3, 0.5), exact(3), &NoMemory, 2, 1, Downlink::Exact).unwrap();
    // Noiseless GD with step 1/2 halves x - theta: f - f* = 1.5 / 4^k <= 1e-3 first at k = 6.
    let crit = Criterion::FunctionGap {
        eps: 1e-3,
        optimum: None,
    };
    let out = run_until(&mut m, &mut cluster, &StopRule::new(crit, 100).unwrap()).unwrap();
    assert!(out.reached);
    assert_eq!(out.rounds, 6);
    assert!(close(out.time, 18.0));
    assert_eq!(out.history.len(), 7);
    // A time limit stops earlier, unreached.
    let time = TimeModel::new(vec![2.0, 3.0], CommUnit::Bit, 0.0, 0.0).unwrap();
    let mut cluster = Cluster::new(gaussian_workers(2, &[1.0; 3], 0.0), time, 192, 0).unwrap();
    let mut m = SyncSgd::new(sgd(3, 0.5), exact(3), &NoMemory, 2, 1, Downlink::Exact).unwrap();
    let stop = StopRule::new(crit, 100)
        .unwrap()
        .with_max_time(7.0)
        .unwrap();
    let out = run_until(&mut m, &mut cluster, &stop).unwrap();
    assert_eq!((out.reached, out.rounds), (false, 3));
}

#[test]
fn the_function_gap_of_a_heterogeneous_cluster_needs_its_optimum() {
    let oracles: Vec<Box<dyn Oracle>> = vec![
        Box::new(GaussianQuadratic::new(vec![0.0], 0.0).unwrap()),
        Box::new(GaussianQuadratic::new(vec![2.0], 0.0).unwrap()),
    ];
    let time = TimeModel::new(vec![1.0; 2], CommUnit::Bit, 0.0, 0.0).unwrap();
    let mut cluster = Cluster::new(oracles, time, 64, 0).unwrap();
    assert_eq!(cluster.optimal_value(), None);
    let mut m = SyncSgd::new(sgd(1, 0.5), exact(1), &NoMemory, 2, 1, Downlink::Exact).unwrap();
    let gap = |optimum| Criterion::FunctionGap { eps: 1e-6, optimum };
    let err = run_until(&mut m, &mut cluster, &StopRule::new(gap(None), 10).unwrap());
    assert!(matches!(err, Err(OptError::InvalidParameter(_))));
    // f = 1/2 (x^2 + (x - 2)^2)/2 has f* = 1/2 at x = 1.
    let out = run_until(
        &mut m,
        &mut cluster,
        &StopRule::new(gap(Some(0.5)), 100).unwrap(),
    )
    .unwrap();
    assert!(out.reached);
    assert!((m.iterate()[0] - 1.0).abs() < 1e-2);
}

#[test]
fn bad_clusters_and_mismatched_methods_are_rejected() {
    let time = |n| TimeModel::new(vec![1.0; n], CommUnit::Bit, 0.0, 0.0).unwrap();
    let mixed: Vec<Box<dyn Oracle>> = vec![
        Box::new(GaussianQuadratic::new(vec![0.0], 0.0).unwrap()),
        Box::new(GaussianQuadratic::new(vec![0.0, 0.0], 0.0).unwrap()),
    ];
    assert!(matches!(
        Cluster::new(mixed, time(2), 64, 0),
        Err(OptError::DimensionMismatch { .. })
    ));
    assert!(Cluster::new(gaussian_workers(2, &[0.0], 1.0), time(3), 64, 0).is_err());
    assert!(Cluster::new(gaussian_workers(1, &[0.0], 1.0), time(1), 0, 0).is_err());
    assert!(Cluster::new(Vec::new(), time(1), 64, 0).is_err());
    assert!(TimeModel::new(vec![0.0], CommUnit::Bit, 0.0, 0.0).is_err());
    assert!(TimeModel::new(vec![1.0], CommUnit::Bit, -1.0, 0.0).is_err());
    assert!(TimeModel::new(Vec::new(), CommUnit::Bit, 0.0, 0.0).is_err());
    // A method for two workers on a cluster of three; a budget below the message length.
    let mut cluster = Cluster::new(gaussian_workers(3, &[0.0], 1.0), time(3), 64, 0).unwrap();
    let mut m = SyncSgd::new(sgd(1, 0.1), exact(1), &NoMemory, 2, 1, Downlink::Exact).unwrap();
    assert!(m.step(&mut cluster).is_err());
    let mut small = Cluster::new(gaussian_workers(2, &[0.0], 1.0), time(2), 63, 0).unwrap();
    assert!(matches!(
        m.step(&mut small),
        Err(OptError::BudgetTooSmall { .. })
    ));
    assert!(SyncSgd::new(sgd(1, 0.1), exact(1), &NoMemory, 0, 1, Downlink::Exact).is_err());
    assert!(Rennala::new(sgd(1, 0.1), exact(1), 2, 0).is_err());
    assert!(MarinaP::new(sgd(1, 0.1), exact(1), 2, 1, 0.5).is_err()); // d < n for Perm-K
    assert!(MarinaP::new(sgd(4, 0.1), exact(4), 2, 1, 0.0).is_err());
    assert!(StopRule::new(Criterion::GradNormSquared(0.0), 10).is_err());
    assert!(StopRule::new(Criterion::GradNormSquared(1.0), 0).is_err());
}

#[test]
fn synchronous_sgd_with_one_worker_replays_the_single_worker_loop() {
    // Same seed, same streams: worker 0's oracle noise, private randomness and public coins
    // are the single-worker loop's.
    let (d, seed) = (3, 21);
    let q =
        quantizers::DynamicRangeQuantizer::new(d, 3.0, quantizers::RangeSchedule::Constant(8.0))
            .unwrap();
    let config = optimizers::RunConfig::new(25, 9, seed).unwrap();
    let mut single = Sgd::new(vec![0.0; d], StepSchedule::inverse_time(1.0, 0.0).unwrap()).unwrap();
    let mut oracle = GaussianQuadratic::new(vec![1.0, -1.0, 0.5], 1.0).unwrap();
    optimizers::run(&config, &mut oracle, &q, &mut single, &NoMemory).unwrap();
    let time = TimeModel::new(vec![1.0], CommUnit::Bit, 0.0, 0.0).unwrap();
    let workers = gaussian_workers(1, &[1.0, -1.0, 0.5], 1.0);
    let mut cluster = Cluster::new(workers, time, 9, seed).unwrap();
    let rule = Sgd::new(vec![0.0; d], StepSchedule::inverse_time(1.0, 0.0).unwrap()).unwrap();
    let mut m = SyncSgd::new(
        Box::new(rule),
        Box::new(q),
        &NoMemory,
        1,
        1,
        Downlink::Exact,
    )
    .unwrap();
    for _ in 0..25 {
        m.step(&mut cluster).unwrap();
    }
    assert_eq!(m.iterate(), single.iterate());
}
