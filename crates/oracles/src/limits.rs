//! Allocation limits, so absurd sizes are typed errors instead of aborts.

use crate::OracleError;

/// Largest number of `f64` entries the crate allocates for one vector or dense matrix:
/// $`2^{26}`$ entries, 512 MiB.
pub(crate) const MAX_DENSE_ENTRIES: usize = 1 << 26;

/// `Ok(n)` if `n` entries may be allocated, else [`OracleError::InvalidParameter`].
pub(crate) fn check_entries(n: usize, what: &str) -> Result<usize, OracleError> {
    if n <= MAX_DENSE_ENTRIES {
        Ok(n)
    } else {
        Err(OracleError::InvalidParameter(format!(
            "{what} needs {n} entries, above the limit of {MAX_DENSE_ENTRIES}"
        )))
    }
}

/// `Ok(rows * cols)` if a `rows x cols` matrix may be allocated.
pub(crate) fn check_matrix(rows: usize, cols: usize, what: &str) -> Result<usize, OracleError> {
    let n = rows.checked_mul(cols).ok_or_else(|| {
        OracleError::InvalidParameter(format!("{what} of {rows} x {cols} entries overflows"))
    })?;
    check_entries(n, what)
}
