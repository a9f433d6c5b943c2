//! One row of `results.json`: `{ "experiment": ID, "params": {...}, "metrics": {...} }`.

use serde::Serialize;
use serde_json::{Map, Number, Value};

/// A measured point: which experiment, under which parameters, with which metrics.
/// Metric names are stable (scripts read them) and documented in the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Record {
    /// The experiment ID (`tightness`, `dqgd`, ...).
    pub experiment: String,
    /// The parameters of the point (scheme, d, bits, ...).
    pub params: Map<String, Value>,
    /// The measured and computed numbers.
    pub metrics: Map<String, Value>,
}

impl Record {
    /// An empty record for an experiment.
    pub fn new(experiment: &str) -> Self {
        Self {
            experiment: experiment.to_owned(),
            params: Map::new(),
            metrics: Map::new(),
        }
    }

    /// Adds a parameter.
    pub fn param(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.params.insert(key.to_owned(), value.into());
        self
    }

    /// Adds a metric; a non-finite number is stored as `null` (JSON has no NaN).
    pub fn metric(mut self, key: &str, value: f64) -> Self {
        let v = Number::from_f64(value).map_or(Value::Null, Value::Number);
        self.metrics.insert(key.to_owned(), v);
        self
    }

    /// A metric as a number, if present and finite.
    pub fn get(&self, key: &str) -> Option<f64> {
        self.metrics.get(key).and_then(Value::as_f64)
    }

    /// A parameter as a string (strings as they are, numbers printed).
    pub fn param_str(&self, key: &str) -> Option<String> {
        self.params.get(key).map(|v| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    }

    /// A parameter as a number.
    pub fn param_f64(&self, key: &str) -> Option<f64> {
        self.params.get(key).and_then(Value::as_f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_to_the_documented_shape() {
        let r = Record::new("dqgd")
            .param("matrix", "gaussian")
            .param("R", 3)
            .metric("rate_gd", 0.5)
            .metric("bad", f64::NAN);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["experiment"], "dqgd");
        assert_eq!(json["params"]["R"], 3);
        assert_eq!(json["metrics"]["rate_gd"], 0.5);
        assert!(json["metrics"]["bad"].is_null());
        assert_eq!(r.get("rate_gd"), Some(0.5));
        assert_eq!(r.param_str("matrix").as_deref(), Some("gaussian"));
    }
}
