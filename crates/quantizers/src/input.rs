//! [`Input`]: a borrowed gradient in `f32` or `f64`.

use ndarray::ArrayView1;

use crate::QuantError;

/// A floating-point scalar a quantizer accepts: `f32` or `f64`.
pub trait Scalar: Copy + Send + Sync + PartialOrd + 'static {
    /// The value as `f64` (exact for both types).
    fn to_f64(self) -> f64;
    /// Whether the value is neither NaN nor infinite.
    fn is_finite(self) -> bool;
}

impl Scalar for f32 {
    #[inline]
    fn to_f64(self) -> f64 {
        f64::from(self)
    }
    #[inline]
    fn is_finite(self) -> bool {
        f32::is_finite(self)
    }
}

impl Scalar for f64 {
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
    #[inline]
    fn is_finite(self) -> bool {
        f64::is_finite(self)
    }
}

/// A gradient to quantize: a contiguous slice of `f32` or `f64`.
///
/// Schemes dispatch once on the variant and run a loop monomorphised for the element type,
/// so `f32` input is never copied to `f64`.
///
/// ```
/// use quantizers::Input;
/// let g32 = [1.0f32, -2.0];
/// let g64 = vec![0.5f64; 3];
/// assert_eq!(Input::from(&g32[..]).len(), 2);
/// assert_eq!(Input::from(&g64).get(1), Some(0.5));
/// ```
#[derive(Debug, Clone, Copy)]
pub enum Input<'a> {
    /// Single precision.
    F32(&'a [f32]),
    /// Double precision.
    F64(&'a [f64]),
}

impl<'a> Input<'a> {
    /// Number of coordinates.
    pub fn len(&self) -> usize {
        match self {
            Input::F32(x) => x.len(),
            Input::F64(x) => x.len(),
        }
    }

    /// Whether there are no coordinates.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Coordinate `i` as `f64`, or `None` past the end.
    pub fn get(&self, i: usize) -> Option<f64> {
        match self {
            Input::F32(x) => x.get(i).map(|&v| f64::from(v)),
            Input::F64(x) => x.get(i).copied(),
        }
    }

    /// Bytes of input data (what throughput is measured against).
    pub fn size_bytes(&self) -> usize {
        match self {
            Input::F32(x) => std::mem::size_of_val(*x),
            Input::F64(x) => std::mem::size_of_val(*x),
        }
    }

    /// The coordinates as `f64`, copied.
    pub fn to_f64_vec(&self) -> Vec<f64> {
        match self {
            Input::F32(x) => x.iter().map(|&v| f64::from(v)).collect(),
            Input::F64(x) => x.to_vec(),
        }
    }

    /// Checks that the input has `dim` coordinates, all finite.
    pub fn validate(&self, dim: usize) -> Result<(), QuantError> {
        if self.len() != dim {
            return Err(QuantError::DimensionMismatch {
                expected: dim,
                got: self.len(),
            });
        }
        let bad = match self {
            Input::F32(x) => first_non_finite(x),
            Input::F64(x) => first_non_finite(x),
        };
        match bad {
            Some(index) => Err(QuantError::NonFinite { index }),
            None => Ok(()),
        }
    }

    /// Borrows a contiguous ndarray view; errors on a strided view.
    pub fn from_view_f32(view: &ArrayView1<'a, f32>) -> Result<Self, QuantError> {
        view.to_slice()
            .map(Input::F32)
            .ok_or(QuantError::NonContiguous)
    }

    /// Borrows a contiguous ndarray view; errors on a strided view.
    pub fn from_view_f64(view: &ArrayView1<'a, f64>) -> Result<Self, QuantError> {
        view.to_slice()
            .map(Input::F64)
            .ok_or(QuantError::NonContiguous)
    }
}

/// The index of the first NaN or infinite value.
pub fn first_non_finite<T: Scalar>(x: &[T]) -> Option<usize> {
    // A branch-free scan per chunk keeps the common all-finite case at memory speed.
    const CHUNK: usize = 256;
    for (c, chunk) in x.chunks(CHUNK).enumerate() {
        if !chunk.iter().fold(true, |ok, v| ok & v.is_finite()) {
            let j = chunk.iter().position(|v| !v.is_finite()).unwrap_or(0);
            return Some(c * CHUNK + j);
        }
    }
    None
}

impl<'a> From<&'a [f32]> for Input<'a> {
    fn from(x: &'a [f32]) -> Self {
        Input::F32(x)
    }
}

impl<'a> From<&'a [f64]> for Input<'a> {
    fn from(x: &'a [f64]) -> Self {
        Input::F64(x)
    }
}

impl<'a> From<&'a Vec<f32>> for Input<'a> {
    fn from(x: &'a Vec<f32>) -> Self {
        Input::F32(x)
    }
}

impl<'a> From<&'a Vec<f64>> for Input<'a> {
    fn from(x: &'a Vec<f64>) -> Self {
        Input::F64(x)
    }
}

impl<'a, const N: usize> From<&'a [f32; N]> for Input<'a> {
    fn from(x: &'a [f32; N]) -> Self {
        Input::F32(x)
    }
}

impl<'a, const N: usize> From<&'a [f64; N]> for Input<'a> {
    fn from(x: &'a [f64; N]) -> Self {
        Input::F64(x)
    }
}
