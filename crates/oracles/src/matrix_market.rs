//! A reader for Matrix Market (`.mtx`) files into dense matrices.
//!
//! The least-squares experiments of the DQ-GD paper (paper 002, §5; notes-algorithms §3.5)
//! use SuiteSparse matrices such as `ash331`, which are distributed as Matrix Market
//! `coordinate pattern` files. The format (NIST Matrix Market exchange format) is:
//!
//! ```text
//! %%MatrixMarket matrix <format> <field> <symmetry>    header (keywords case-insensitive)
//! % comments                                           any number of `%` lines
//! m n nnz            (coordinate)  |  m n  (array)     the size line
//! i j [value]        (coordinate, 1-based indices)     nnz entry lines
//! value              (array, column-major)             one line per stored entry
//! ```
//!
//! - `<format>`: `coordinate` (sparse triplets) or `array` (dense, column-major);
//! - `<field>`: `real`, `integer` or `pattern` (no value: every stored entry is 1; coordinate
//!   only); `complex` is rejected as unsupported;
//! - `<symmetry>`: `general`, `symmetric` (only one triangle stored; $`a_{ji} = a_{ij}`$) or
//!   `skew-symmetric` (strict triangle stored; $`a_{ji} = -a_{ij}`$, zero diagonal); `hermitian`
//!   needs complex values and is rejected.
//!
//! The reader expands symmetric storage into a full dense [`Array2`]. Coordinate files may
//! store either triangle of a symmetric matrix, but a position given twice (directly or
//! through its mirror) is an error, as are wrong counts, out-of-range indices, non-numeric or
//! non-finite values, a second size line, missing and extra entries. Every error is
//! [`OracleError::Parse`] with the 1-based line number (one past the last line when the file
//! ends early). Blank lines are skipped anywhere after the header.
//!
//! ```
//! use oracles::MatrixMarket;
//! let mm: MatrixMarket = "%%MatrixMarket matrix coordinate pattern general\n\
//!                         % two ones\n\
//!                         2 3 2\n\
//!                         1 1\n\
//!                         2 3\n"
//!     .parse()?;
//! assert_eq!(mm.matrix(), &ndarray::array![[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]);
//! # Ok::<(), oracles::OracleError>(())
//! ```

use std::collections::HashMap;
use std::io::BufRead;
use std::path::Path;
use std::str::FromStr;

use ndarray::Array2;

use crate::OracleError;
use crate::limits::MAX_DENSE_ENTRIES;

/// Storage format of a Matrix Market file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MmFormat {
    /// Sparse `i j value` triplets.
    Coordinate,
    /// Dense, column-major.
    Array,
}

/// Entry type of a Matrix Market file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MmField {
    /// Floating-point values.
    Real,
    /// Integer values.
    Integer,
    /// No values: every stored entry is 1.
    Pattern,
}

/// Symmetry structure of a Matrix Market file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MmSymmetry {
    /// Every entry stored.
    General,
    /// Symmetric, $`a_{ji} = a_{ij}`$; one triangle stored.
    Symmetric,
    /// Skew-symmetric, $`a_{ji} = -a_{ij}`$, zero diagonal; strict triangle stored.
    SkewSymmetric,
}

/// A Matrix Market matrix read into a dense array, with its header.
#[derive(Debug, Clone, PartialEq)]
pub struct MatrixMarket {
    format: MmFormat,
    field: MmField,
    symmetry: MmSymmetry,
    matrix: Array2<f64>,
}

impl MatrixMarket {
    /// Reads a Matrix Market file from any buffered reader.
    pub fn from_reader<R: BufRead>(mut reader: R) -> Result<Self, OracleError> {
        let mut parser = Parser::default();
        let mut line = String::new();
        let mut number = 0;
        loop {
            line.clear();
            number += 1;
            match reader.read_line(&mut line) {
                Ok(0) => return parser.finish(number),
                Ok(_) => parser.feed(number, &line)?,
                Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                    return Err(parse_error(number, "line is not valid UTF-8"));
                }
                Err(e) => return Err(OracleError::Io(e.to_string())),
            }
        }
    }

    /// Reads a Matrix Market file from disk.
    pub fn from_path<P: AsRef<Path>>(path: P) -> Result<Self, OracleError> {
        let path = path.as_ref();
        let file = std::fs::File::open(path)
            .map_err(|e| OracleError::Io(format!("{}: {e}", path.display())))?;
        Self::from_reader(std::io::BufReader::new(file))
    }

    /// The storage format.
    pub fn format(&self) -> MmFormat {
        self.format
    }

    /// The entry type.
    pub fn field(&self) -> MmField {
        self.field
    }

    /// The symmetry structure.
    pub fn symmetry(&self) -> MmSymmetry {
        self.symmetry
    }

    /// The dense matrix, symmetric storage expanded.
    pub fn matrix(&self) -> &Array2<f64> {
        &self.matrix
    }

    /// Takes the dense matrix.
    pub fn into_matrix(self) -> Array2<f64> {
        self.matrix
    }
}

impl FromStr for MatrixMarket {
    type Err = OracleError;

    /// Reads a Matrix Market file held in a string.
    fn from_str(s: &str) -> Result<Self, OracleError> {
        let mut parser = Parser::default();
        let mut count = 0;
        for (i, line) in s.lines().enumerate() {
            count = i + 1;
            parser.feed(count, line)?;
        }
        parser.finish(count + 1)
    }
}

fn parse_error(line: usize, message: impl Into<String>) -> OracleError {
    OracleError::Parse {
        line,
        message: message.into(),
    }
}

#[derive(Debug, Clone, Copy)]
struct Header {
    format: MmFormat,
    field: MmField,
    symmetry: MmSymmetry,
}

/// State after the size line.
#[derive(Debug)]
struct Body {
    rows: usize,
    cols: usize,
    /// Entry lines the file must contain.
    expected: usize,
    /// Entry lines read so far.
    read: usize,
    matrix: Array2<f64>,
    /// Coordinate format: stored position -> line it was given on.
    seen: HashMap<(usize, usize), usize>,
    /// Array format: the (row, column) of the next stored entry, 0-based.
    next: (usize, usize),
}

#[derive(Debug, Default)]
struct Parser {
    header: Option<Header>,
    body: Option<Body>,
}

impl Parser {
    fn feed(&mut self, number: usize, line: &str) -> Result<(), OracleError> {
        let Some(header) = self.header else {
            self.header = Some(parse_header(number, line)?);
            return Ok(());
        };
        let line = line.trim();
        if line.is_empty() || line.starts_with('%') {
            return Ok(());
        }
        match &mut self.body {
            None => {
                self.body = Some(parse_size(number, line, header)?);
                Ok(())
            }
            Some(body) => body.entry(number, line, header),
        }
    }

    fn finish(self, end: usize) -> Result<MatrixMarket, OracleError> {
        let Some(header) = self.header else {
            return Err(parse_error(1, "empty file: missing %%MatrixMarket header"));
        };
        let Some(body) = self.body else {
            return Err(parse_error(end, "missing size line"));
        };
        if body.read < body.expected {
            return Err(parse_error(
                end,
                format!("file ends after {} of {} entries", body.read, body.expected),
            ));
        }
        Ok(MatrixMarket {
            format: header.format,
            field: header.field,
            symmetry: header.symmetry,
            matrix: body.matrix,
        })
    }
}

fn parse_header(number: usize, line: &str) -> Result<Header, OracleError> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let [banner, object, format, field, symmetry] = tokens.as_slice() else {
        return Err(parse_error(
            number,
            "expected header `%%MatrixMarket matrix <format> <field> <symmetry>`",
        ));
    };
    if !banner.eq_ignore_ascii_case("%%MatrixMarket") {
        return Err(parse_error(number, "missing %%MatrixMarket banner"));
    }
    if !object.eq_ignore_ascii_case("matrix") {
        return Err(parse_error(
            number,
            format!("unsupported object `{object}` (only `matrix`)"),
        ));
    }
    let format = match format.to_ascii_lowercase().as_str() {
        "coordinate" => MmFormat::Coordinate,
        "array" => MmFormat::Array,
        other => {
            return Err(parse_error(
                number,
                format!("unknown format `{other}` (coordinate or array)"),
            ));
        }
    };
    let field = match field.to_ascii_lowercase().as_str() {
        "real" => MmField::Real,
        "integer" => MmField::Integer,
        "pattern" => MmField::Pattern,
        "complex" => return Err(parse_error(number, "complex matrices are not supported")),
        other => {
            return Err(parse_error(
                number,
                format!("unknown field `{other}` (real, integer or pattern)"),
            ));
        }
    };
    let symmetry = match symmetry.to_ascii_lowercase().as_str() {
        "general" => MmSymmetry::General,
        "symmetric" => MmSymmetry::Symmetric,
        "skew-symmetric" => MmSymmetry::SkewSymmetric,
        "hermitian" => {
            return Err(parse_error(
                number,
                "hermitian symmetry needs complex values, which are not supported",
            ));
        }
        other => {
            return Err(parse_error(
                number,
                format!("unknown symmetry `{other}` (general, symmetric or skew-symmetric)"),
            ));
        }
    };
    if field == MmField::Pattern && format == MmFormat::Array {
        return Err(parse_error(
            number,
            "pattern field is only valid with coordinate format",
        ));
    }
    if field == MmField::Pattern && symmetry == MmSymmetry::SkewSymmetric {
        return Err(parse_error(
            number,
            "pattern field cannot be skew-symmetric",
        ));
    }
    Ok(Header {
        format,
        field,
        symmetry,
    })
}

fn parse_count(number: usize, token: &str, what: &str) -> Result<usize, OracleError> {
    token.parse::<usize>().map_err(|_| {
        parse_error(
            number,
            format!("{what} `{token}` is not a non-negative integer"),
        )
    })
}

/// Number of stored positions of an $`n \times n`$ matrix with this symmetry, `None` on overflow.
fn stored_positions(rows: usize, cols: usize, symmetry: MmSymmetry) -> Option<usize> {
    match symmetry {
        MmSymmetry::General => rows.checked_mul(cols),
        MmSymmetry::Symmetric => rows.checked_mul(rows.checked_add(1)?).map(|v| v / 2),
        MmSymmetry::SkewSymmetric => rows.checked_mul(rows.saturating_sub(1)).map(|v| v / 2),
    }
}

fn parse_size(number: usize, line: &str, header: Header) -> Result<Body, OracleError> {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let (rows, cols, declared) = match (header.format, tokens.as_slice()) {
        (MmFormat::Coordinate, [m, n, nnz]) => (
            parse_count(number, m, "row count")?,
            parse_count(number, n, "column count")?,
            Some(parse_count(number, nnz, "entry count")?),
        ),
        (MmFormat::Array, [m, n]) => (
            parse_count(number, m, "row count")?,
            parse_count(number, n, "column count")?,
            None,
        ),
        (MmFormat::Coordinate, _) => {
            return Err(parse_error(
                number,
                format!(
                    "size line needs 3 fields (rows, columns, entries), found {}",
                    tokens.len()
                ),
            ));
        }
        (MmFormat::Array, _) => {
            return Err(parse_error(
                number,
                format!(
                    "size line needs 2 fields (rows, columns), found {}",
                    tokens.len()
                ),
            ));
        }
    };
    if header.symmetry != MmSymmetry::General && rows != cols {
        return Err(parse_error(
            number,
            format!("a symmetric or skew-symmetric matrix must be square, got {rows} x {cols}"),
        ));
    }
    let too_large = || {
        parse_error(
            number,
            format!(
                "{rows} x {cols} is too large for a dense matrix (limit {MAX_DENSE_ENTRIES} entries)"
            ),
        )
    };
    let total = rows.checked_mul(cols).ok_or_else(too_large)?;
    if total > MAX_DENSE_ENTRIES {
        return Err(too_large());
    }
    let positions = stored_positions(rows, cols, header.symmetry).ok_or_else(too_large)?;
    let expected = match declared {
        Some(nnz) if nnz > positions => {
            return Err(parse_error(
                number,
                format!(
                    "{nnz} entries declared but a {rows} x {cols} matrix stores at most {positions}"
                ),
            ));
        }
        Some(nnz) => nnz,
        None => positions,
    };
    let first_row = usize::from(header.symmetry == MmSymmetry::SkewSymmetric);
    Ok(Body {
        rows,
        cols,
        expected,
        read: 0,
        matrix: Array2::zeros((rows, cols)),
        seen: HashMap::new(),
        next: (first_row, 0),
    })
}

impl Body {
    fn entry(&mut self, number: usize, line: &str, header: Header) -> Result<(), OracleError> {
        if self.read == self.expected {
            return Err(parse_error(
                number,
                format!(
                    "extra entry: the size line declares {} entries",
                    self.expected
                ),
            ));
        }
        let tokens: Vec<&str> = line.split_whitespace().collect();
        let wanted = match (header.format, header.field) {
            (MmFormat::Coordinate, MmField::Pattern) => 2,
            (MmFormat::Coordinate, _) => 3,
            (MmFormat::Array, _) => 1,
        };
        if tokens.len() != wanted {
            let size_fields = if header.format == MmFormat::Coordinate {
                3
            } else {
                2
            };
            let looks_like_size =
                tokens.len() == size_fields && tokens.iter().all(|t| t.parse::<usize>().is_ok());
            let what = if looks_like_size {
                "a second size line"
            } else {
                "an entry"
            };
            return Err(parse_error(
                number,
                format!(
                    "expected {wanted} field{} per entry, found {} ({what}?)",
                    if wanted == 1 { "" } else { "s" },
                    tokens.len()
                ),
            ));
        }
        match header.format {
            MmFormat::Coordinate => self.coordinate_entry(number, &tokens, header)?,
            MmFormat::Array => self.array_entry(number, &tokens, header)?,
        }
        self.read += 1;
        Ok(())
    }

    fn coordinate_entry(
        &mut self,
        number: usize,
        tokens: &[&str],
        header: Header,
    ) -> Result<(), OracleError> {
        let (i_tok, j_tok, value_tok) = match tokens {
            [i, j] => (*i, *j, None),
            [i, j, v] => (*i, *j, Some(*v)),
            _ => return Err(parse_error(number, "malformed entry")),
        };
        let i = parse_index(number, i_tok, "row", self.rows)?;
        let j = parse_index(number, j_tok, "column", self.cols)?;
        let value = match value_tok {
            None => 1.0,
            Some(v) => parse_value(number, v, header.field)?,
        };
        if header.symmetry == MmSymmetry::SkewSymmetric && i == j {
            return Err(parse_error(
                number,
                format!(
                    "diagonal entry ({}, {}) in a skew-symmetric matrix",
                    i + 1,
                    j + 1
                ),
            ));
        }
        // Symmetric storage: (i, j) and (j, i) are the same stored position.
        let key = if header.symmetry == MmSymmetry::General {
            (i, j)
        } else {
            (i.max(j), i.min(j))
        };
        if let Some(first) = self.seen.insert(key, number) {
            return Err(parse_error(
                number,
                format!(
                    "duplicate entry ({}, {}), first given on line {first}",
                    i + 1,
                    j + 1
                ),
            ));
        }
        self.store(i, j, value, header.symmetry);
        Ok(())
    }

    fn array_entry(
        &mut self,
        number: usize,
        tokens: &[&str],
        header: Header,
    ) -> Result<(), OracleError> {
        let [v] = tokens else {
            return Err(parse_error(number, "malformed entry"));
        };
        let value = parse_value(number, v, header.field)?;
        let (i, j) = self.next;
        self.store(i, j, value, header.symmetry);
        // Column-major over the stored part: all rows (general), rows j.. (symmetric) or
        // rows j+1.. (skew-symmetric) of column j.
        self.next = if i + 1 < self.rows {
            (i + 1, j)
        } else {
            let j = j + 1;
            let i = match header.symmetry {
                MmSymmetry::General => 0,
                MmSymmetry::Symmetric => j,
                MmSymmetry::SkewSymmetric => j + 1,
            };
            (i, j)
        };
        Ok(())
    }

    /// Writes $`a_{ij}`$ and, for symmetric storage, its mirror. Indices are in range: they come
    /// from `parse_index` or from the array walk bounded by `expected`.
    fn store(&mut self, i: usize, j: usize, value: f64, symmetry: MmSymmetry) {
        if let Some(a) = self.matrix.get_mut((i, j)) {
            *a = value;
        }
        let mirror = match symmetry {
            MmSymmetry::General => return,
            MmSymmetry::Symmetric => value,
            MmSymmetry::SkewSymmetric => -value,
        };
        if let Some(a) = self.matrix.get_mut((j, i)) {
            *a = mirror;
        }
    }
}

/// A 1-based index in `1..=bound`, returned 0-based.
fn parse_index(number: usize, token: &str, what: &str, bound: usize) -> Result<usize, OracleError> {
    let index = token.parse::<usize>().map_err(|_| {
        parse_error(
            number,
            format!("{what} index `{token}` is not a positive integer"),
        )
    })?;
    if index == 0 || index > bound {
        return Err(parse_error(
            number,
            format!("{what} index {index} out of range 1..={bound}"),
        ));
    }
    Ok(index - 1)
}

fn parse_value(number: usize, token: &str, field: MmField) -> Result<f64, OracleError> {
    match field {
        MmField::Integer => token
            .parse::<i64>()
            .map(|v| v as f64)
            .map_err(|_| parse_error(number, format!("value `{token}` is not an integer"))),
        _ => match token.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(parse_error(
                number,
                format!("value `{token}` is not a finite real number"),
            )),
        },
    }
}
