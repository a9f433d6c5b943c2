//! Independent reference for the OCP formats, written from the format definitions (not from
//! the engine): the list of positive values by code, brute-force nearest-even rounding, and
//! the neighbours of a value.

#![allow(dead_code)]

/// A format as the ascending list of its non-negative finite values with their codes, plus
/// the would-be next value past the largest (where nearest-even overflow is decided).
pub struct RefFormat {
    pub finite: Vec<(u32, f64)>,
    pub next: f64,
    pub sign_bit: u32,
}

/// OCP E4M3: S.EEEE.MMM, bias 7, `S.1111.111` NaN, no infinities.
pub fn e4m3_value(code: u32) -> f64 {
    let sign = if code & 0x80 != 0 { -1.0 } else { 1.0 };
    let e = (code >> 3) & 0xF;
    let m = f64::from(code & 0x7);
    if e == 0xF && code & 0x7 == 0x7 {
        return f64::NAN;
    }
    let mag = if e == 0 {
        m / 8.0 * 2f64.powi(-6)
    } else {
        (1.0 + m / 8.0) * 2f64.powi(e as i32 - 7)
    };
    sign * mag
}

/// OCP E5M2: S.EEEEE.MM, bias 15, IEEE-like infinities and NaNs.
pub fn e5m2_value(code: u32) -> f64 {
    let sign = if code & 0x80 != 0 { -1.0 } else { 1.0 };
    let e = (code >> 2) & 0x1F;
    let m = f64::from(code & 0x3);
    if e == 0x1F {
        return if code & 0x3 == 0 {
            sign * f64::INFINITY
        } else {
            f64::NAN
        };
    }
    let mag = if e == 0 {
        m / 4.0 * 2f64.powi(-14)
    } else {
        (1.0 + m / 4.0) * 2f64.powi(e as i32 - 15)
    };
    sign * mag
}

/// OCP E2M1 magnitudes by code `0b0000..0b0111`.
pub const E2M1_MAGNITUDES: [f64; 8] = [0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0];

pub fn e4m3() -> RefFormat {
    RefFormat {
        finite: (0..=0x7E).map(|c| (c, e4m3_value(c))).collect(),
        next: 480.0,
        sign_bit: 0x80,
    }
}

pub fn e5m2() -> RefFormat {
    RefFormat {
        finite: (0..=0x7B).map(|c| (c, e5m2_value(c))).collect(),
        next: 65536.0,
        sign_bit: 0x80,
    }
}

pub fn e2m1() -> RefFormat {
    RefFormat {
        finite: (0..8).map(|c| (c, E2M1_MAGNITUDES[c as usize])).collect(),
        next: 8.0,
        sign_bit: 0x8,
    }
}

impl RefFormat {
    pub fn max(&self) -> f64 {
        self.finite.last().map_or(0.0, |&(_, v)| v)
    }

    fn max_code(&self) -> u32 {
        self.finite.last().map_or(0, |&(c, _)| c)
    }

    /// Nearest-even by brute force over every value and the would-be next one; `None` when
    /// the would-be next value wins (overflow).
    pub fn rne(&self, v: f64) -> Option<u32> {
        let a = v.abs();
        let sign = if v.is_sign_negative() {
            self.sign_bit
        } else {
            0
        };
        let mut best: (u32, f64) = (0, f64::INFINITY);
        let candidates = self
            .finite
            .iter()
            .copied()
            .chain(std::iter::once((self.max_code() + 1, self.next)));
        for (c, x) in candidates {
            let d = (x - a).abs();
            if d < best.1 || (d == best.1 && c % 2 == 0) {
                best = (c, d);
            }
        }
        (best.0 <= self.max_code()).then_some(sign | best.0)
    }

    /// The value of a code of this format (sign bit honoured).
    pub fn value(&self, code: u32) -> f64 {
        let mag = code & !self.sign_bit;
        let v = self
            .finite
            .iter()
            .find(|&&(c, _)| c == mag)
            .map_or(f64::NAN, |&(_, x)| x);
        if code & self.sign_bit != 0 { -v } else { v }
    }

    /// Nearest-even with saturation, as a value.
    pub fn rne_saturating(&self, v: f64) -> f64 {
        match self.rne(v) {
            Some(c) => self.value(c),
            None => self.max().copysign(v),
        }
    }

    /// Neighbours `a <= |v| <= b` among the finite values (`b = a` when `|v|` is one of them).
    pub fn bracket(&self, v: f64) -> (f64, f64) {
        let a = v.abs();
        let lo = self
            .finite
            .iter()
            .map(|&(_, x)| x)
            .filter(|&x| x <= a)
            .fold(0.0, f64::max);
        let hi = self
            .finite
            .iter()
            .map(|&(_, x)| x)
            .filter(|&x| x >= a)
            .fold(f64::INFINITY, f64::min);
        (lo, hi)
    }

    /// `E(SR(v) - v)^2 = (|v| - a)(b - |v|)` for `|v| <= max`.
    pub fn sr_variance(&self, v: f64) -> f64 {
        let (a, b) = self.bracket(v);
        if a == b {
            0.0
        } else {
            (v.abs() - a) * (b - v.abs())
        }
    }
}
