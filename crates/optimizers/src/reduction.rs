//! The encoder of the Gaussian reduction (paper 000, Lemma 1): the worker quantizes
//! `w_t = x_t - g_t` instead of `g_t`. Only the paper's abstract is available; the statement
//! used here is the reconstruction of notes-000 §2 (tagged [I] there).
//!
//! On `f(x) = 1/2 ||x - theta||^2` with `g_t = x_t - theta + sigma Z_t`, `w_t = theta - sigma Z_t`
//! is a sample of `N(theta, sigma^2 I_d)` whatever the query, so an encoder that sees only `w_t`
//! produces the same messages whatever the queries are: the query carries no information. On
//! this family the gradient at any point `x` is `x - theta`, so the server turns the decoded
//! `w_hat_t` into the gradient estimate **at its own iterate**, `g_hat_t = x_t - w_hat_t`, whatever
//! the worker queried; its update, and hence the whole run, is then the same for every query
//! strategy. Its public prediction of `w_t`, the centre handed to adaptive quantizers, is its
//! current estimate of `theta`: the iterate.
//!
//! The query is either the server's iterate ([`QueryPoint::Iterate`], adaptive) or a fixed point
//! ([`QueryPoint::Fixed`], e.g. 0: "query any fixed point" in the proof of Lemma 1).
//!
//! ```
//! use optimizers::{Memory, QueryPoint, Reduction, RoundContext, RunningMean};
//! let rule = RunningMean::new(vec![0.5, 0.5])?;
//! let memory = Reduction::new(QueryPoint::Fixed(vec![0.0, 0.0]))?;
//! let (mut worker, mut server) = (memory.worker(&rule), memory.server(&rule));
//! let ctx = RoundContext { round: 0, worker: 0, step: None };
//! let mut x = [0.0; 2];
//! worker.query_point(&[0.5, 0.5], &mut x)?; // the broadcast iterate is not used
//! assert_eq!(x, [0.0, 0.0]);
//! assert_eq!(worker.input(&x, &[-1.0, 2.0], &ctx)?, &[1.0, -2.0]); // w = x - g
//! assert_eq!(server.estimate(&[1.0, -2.0], &[0.5, 0.5], &ctx)?, &[-0.5, 2.5]); // x_t - w_hat
//! # Ok::<(), optimizers::OptError>(())
//! ```

use crate::error::check_point;
use crate::memory::{RoundContext, ServerMemory, WorkerMemory, copy_into};
use crate::{Memory, OptError, UpdateRule};

/// Where the worker of the reduction queries the oracle; always a public choice.
#[derive(Debug, Clone, PartialEq)]
pub enum QueryPoint {
    /// The server's broadcast iterate.
    Iterate,
    /// A fixed point, the same every round.
    Fixed(Vec<f64>),
}

/// The reduction's memory: quantize `w_t = x_t - g_t`.
#[derive(Debug, Clone, PartialEq)]
pub struct Reduction {
    query: QueryPoint,
}

impl Reduction {
    /// The reduction with the given query strategy (a fixed point must be finite).
    pub fn new(query: QueryPoint) -> Result<Self, OptError> {
        if let QueryPoint::Fixed(x) = &query {
            check_point("fixed query point", x)?;
        }
        Ok(Self { query })
    }

    /// The query strategy.
    pub fn query(&self) -> &QueryPoint {
        &self.query
    }
}

/// The query both sides compute from public information.
fn public_query<'a>(query: &'a QueryPoint, iterate: &'a [f64]) -> &'a [f64] {
    match query {
        QueryPoint::Iterate => iterate,
        QueryPoint::Fixed(x) => x,
    }
}

#[derive(Debug)]
struct ReductionWorker {
    query: QueryPoint,
    w: Vec<f64>,
}

#[derive(Debug)]
struct ReductionServer {
    g_hat: Vec<f64>,
}

impl Memory for Reduction {
    fn name(&self) -> String {
        match self.query {
            QueryPoint::Iterate => "reduction(query=iterate)".into(),
            QueryPoint::Fixed(_) => "reduction(query=fixed)".into(),
        }
    }

    fn check(&self, rule: &dyn UpdateRule, _workers: usize) -> Result<(), OptError> {
        if let QueryPoint::Fixed(x) = &self.query {
            crate::error::check_dim("fixed query point", rule.dim(), x.len())?;
        }
        Ok(())
    }

    fn worker(&self, rule: &dyn UpdateRule) -> Box<dyn WorkerMemory> {
        Box::new(ReductionWorker {
            query: self.query.clone(),
            w: vec![0.0; rule.dim()],
        })
    }

    fn server(&self, rule: &dyn UpdateRule) -> Box<dyn ServerMemory> {
        Box::new(ReductionServer {
            g_hat: vec![0.0; rule.dim()],
        })
    }
}

impl WorkerMemory for ReductionWorker {
    fn query_point(&mut self, broadcast: &[f64], out: &mut [f64]) -> Result<(), OptError> {
        copy_into(public_query(&self.query, broadcast), out)
    }

    fn input<'a>(
        &'a mut self,
        query: &[f64],
        gradient: &'a [f64],
        _ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        crate::error::check_dim("gradient", self.w.len(), gradient.len())?;
        crate::error::check_dim("query point", self.w.len(), query.len())?;
        for ((w, &x), &g) in self.w.iter_mut().zip(query).zip(gradient) {
            *w = x - g;
        }
        Ok(&self.w)
    }
}

impl ServerMemory for ReductionServer {
    fn centre<'a>(&'a self, iterate: &'a [f64]) -> Option<&'a [f64]> {
        Some(iterate)
    }

    fn estimate<'a>(
        &'a mut self,
        decoded: &'a [f64],
        iterate: &[f64],
        _ctx: &RoundContext,
    ) -> Result<&'a [f64], OptError> {
        crate::error::check_dim("decoded message", self.g_hat.len(), decoded.len())?;
        crate::error::check_dim("iterate", self.g_hat.len(), iterate.len())?;
        for ((g, &xi), &w) in self.g_hat.iter_mut().zip(iterate).zip(decoded) {
            *g = xi - w;
        }
        Ok(&self.g_hat)
    }
}
