//! The Matrix Market reader: accepted variants and every malformed case with its line.
// Fixtures outside #[test] functions unwrap and panic too: a failed setup is a failed test.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use common::ASH_LIKE;
use ndarray::array;
use oracles::{MatrixMarket, MmField, MmFormat, MmSymmetry, OracleError};

fn parse(text: &str) -> Result<MatrixMarket, OracleError> {
    text.parse()
}

/// Asserts that `text` is rejected at `line` with a message containing `needle`.
#[track_caller]
fn rejects(text: &str, line: usize, needle: &str) {
    match parse(text) {
        Err(OracleError::Parse { line: l, message }) => {
            assert_eq!(l, line, "wrong line for `{message}`");
            assert!(
                message.contains(needle),
                "`{message}` does not mention `{needle}`"
            );
        }
        other => panic!("expected a parse error at line {line}, got {other:?}"),
    }
}

// ---- accepted variants ----

#[test]
fn coordinate_real_general() {
    let mm = parse(
        "%%MatrixMarket matrix coordinate real general\n\
         % a comment\n\
         2 3 3\n\
         1 1 1.5\n\
         2 3 -2e-1\n\
         1 2 4\n",
    )
    .unwrap();
    assert_eq!(mm.matrix(), &array![[1.5, 4.0, 0.0], [0.0, 0.0, -0.2]]);
    assert_eq!(
        (mm.format(), mm.field(), mm.symmetry()),
        (MmFormat::Coordinate, MmField::Real, MmSymmetry::General)
    );
}

#[test]
fn coordinate_integer() {
    let mm =
        parse("%%MatrixMarket matrix coordinate integer general\n2 2 2\n1 2 -7\n2 1 3\n").unwrap();
    assert_eq!(mm.matrix(), &array![[0.0, -7.0], [3.0, 0.0]]);
    assert_eq!(mm.field(), MmField::Integer);
}

#[test]
fn coordinate_pattern_entries_are_one() {
    let mm =
        parse("%%MatrixMarket matrix coordinate pattern general\n3 2 3\n1 1\n2 2\n3 1\n").unwrap();
    assert_eq!(mm.matrix(), &array![[1.0, 0.0], [0.0, 1.0], [1.0, 0.0]]);
}

#[test]
fn coordinate_symmetric_storage_is_mirrored() {
    let mm = parse(
        "%%MatrixMarket matrix coordinate real symmetric\n3 3 4\n1 1 2\n2 1 -1\n3 2 5\n3 3 1\n",
    )
    .unwrap();
    assert_eq!(
        mm.matrix(),
        &array![[2.0, -1.0, 0.0], [-1.0, 0.0, 5.0], [0.0, 5.0, 1.0]]
    );
}

#[test]
fn coordinate_symmetric_accepts_the_upper_triangle() {
    let mm = parse("%%MatrixMarket matrix coordinate real symmetric\n2 2 1\n1 2 3\n").unwrap();
    assert_eq!(mm.matrix(), &array![[0.0, 3.0], [3.0, 0.0]]);
}

#[test]
fn coordinate_pattern_symmetric() {
    let mm =
        parse("%%MatrixMarket matrix coordinate pattern symmetric\n2 2 2\n1 1\n2 1\n").unwrap();
    assert_eq!(mm.matrix(), &array![[1.0, 1.0], [1.0, 0.0]]);
}

#[test]
fn coordinate_skew_symmetric_storage_is_negated() {
    let mm = parse("%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 4\n3 2 -1\n")
        .unwrap();
    assert_eq!(
        mm.matrix(),
        &array![[0.0, -4.0, 0.0], [4.0, 0.0, 1.0], [0.0, -1.0, 0.0]]
    );
}

#[test]
fn array_general_is_column_major() {
    let mm = parse("%%MatrixMarket matrix array real general\n2 3\n1\n2\n3\n4\n5\n6\n").unwrap();
    assert_eq!(mm.matrix(), &array![[1.0, 3.0, 5.0], [2.0, 4.0, 6.0]]);
    assert_eq!(mm.format(), MmFormat::Array);
}

#[test]
fn array_symmetric_stores_the_lower_triangle_by_columns() {
    let mm = parse("%%MatrixMarket matrix array real symmetric\n3 3\n1\n2\n3\n4\n5\n6\n").unwrap();
    assert_eq!(
        mm.matrix(),
        &array![[1.0, 2.0, 3.0], [2.0, 4.0, 5.0], [3.0, 5.0, 6.0]]
    );
}

#[test]
fn array_skew_symmetric_stores_the_strict_lower_triangle() {
    let mm = parse("%%MatrixMarket matrix array integer skew-symmetric\n3 3\n1\n2\n3\n").unwrap();
    assert_eq!(
        mm.matrix(),
        &array![[0.0, -1.0, -2.0], [1.0, 0.0, -3.0], [2.0, 3.0, 0.0]]
    );
}

#[test]
fn keywords_are_case_insensitive_and_blank_lines_crlf_and_tabs_are_accepted() {
    let mm = parse(
        "%%MatrixMarket MATRIX Coordinate REAL General\r\n\r\n%comment\r\n2\t2 1\r\n\r\n  2 2\t9.5  \r\n",
    )
    .unwrap();
    assert_eq!(mm.matrix(), &array![[0.0, 0.0], [0.0, 9.5]]);
}

#[test]
fn empty_matrices_are_accepted() {
    let mm = parse("%%MatrixMarket matrix coordinate real general\n3 4 0\n").unwrap();
    assert_eq!(mm.matrix().dim(), (3, 4));
    assert!(mm.matrix().iter().all(|v| *v == 0.0));
}

#[test]
fn an_ash_shaped_pattern_file_reads_into_a_dense_zero_one_matrix() {
    let mm = parse(ASH_LIKE).unwrap();
    let a = mm.matrix();
    assert_eq!(a.dim(), (12, 5));
    assert_eq!(a.iter().filter(|v| **v == 1.0).count(), 24);
    assert!(a.iter().all(|v| *v == 0.0 || *v == 1.0));
    assert!(a.rows().into_iter().all(|r| r.sum() == 2.0));
    assert_eq!(a[[11, 2]], 1.0);
}

#[test]
fn reader_string_and_path_agree() {
    let from_str = parse(ASH_LIKE).unwrap();
    let from_reader = MatrixMarket::from_reader(ASH_LIKE.as_bytes()).unwrap();
    assert_eq!(from_str, from_reader);
    let path = std::env::temp_dir().join(format!("oracles-mm-test-{}.mtx", std::process::id()));
    std::fs::write(&path, ASH_LIKE).unwrap();
    let from_path = MatrixMarket::from_path(&path);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(from_path.unwrap(), from_str);
}

// ---- malformed files ----

#[test]
fn an_empty_file_is_rejected_at_line_one() {
    rejects("", 1, "header");
}

#[test]
fn a_bad_header_is_rejected_at_line_one() {
    rejects(
        "%%MatrixMarket matrix coordinate real\n1 1 0\n",
        1,
        "header",
    );
    rejects(
        "%MatrixMarket matrix coordinate real general\n1 1 0\n",
        1,
        "banner",
    );
    rejects("2 2 0\n", 1, "header");
    rejects(
        "%%MatrixMarket vector coordinate real general\n1 1 0\n",
        1,
        "vector",
    );
    rejects(
        "%%MatrixMarket matrix sparse real general\n1 1 0\n",
        1,
        "format",
    );
    rejects(
        "%%MatrixMarket matrix coordinate float general\n1 1 0\n",
        1,
        "field",
    );
    rejects(
        "%%MatrixMarket matrix coordinate real lower\n1 1 0\n",
        1,
        "symmetry",
    );
}

#[test]
fn unsupported_fields_and_combinations_are_rejected_at_line_one() {
    rejects(
        "%%MatrixMarket matrix coordinate complex general\n1 1 0\n",
        1,
        "complex",
    );
    rejects(
        "%%MatrixMarket matrix coordinate real hermitian\n1 1 0\n",
        1,
        "hermitian",
    );
    rejects(
        "%%MatrixMarket matrix array pattern general\n1 1\n",
        1,
        "pattern",
    );
    rejects(
        "%%MatrixMarket matrix coordinate pattern skew-symmetric\n1 1 0\n",
        1,
        "pattern",
    );
}

#[test]
fn a_missing_size_line_is_reported_past_the_end() {
    rejects(
        "%%MatrixMarket matrix coordinate real general\n% only comments\n",
        3,
        "size line",
    );
}

#[test]
fn a_malformed_size_line_is_rejected() {
    let h = "%%MatrixMarket matrix coordinate real general\n% c\n";
    rejects(&format!("{h}2 2\n"), 3, "3 fields");
    rejects(&format!("{h}2 x 1\n"), 3, "column count");
    rejects(&format!("{h}2 -2 1\n"), 3, "column count");
    rejects(
        "%%MatrixMarket matrix array real general\n2 2 4\n",
        2,
        "2 fields",
    );
}

#[test]
fn more_entries_than_positions_is_rejected_on_the_size_line() {
    rejects(
        "%%MatrixMarket matrix coordinate real general\n2 2 5\n",
        2,
        "at most 4",
    );
    rejects(
        "%%MatrixMarket matrix coordinate real symmetric\n2 2 4\n",
        2,
        "at most 3",
    );
}

#[test]
fn a_non_square_symmetric_matrix_is_rejected() {
    rejects(
        "%%MatrixMarket matrix coordinate real symmetric\n2 3 1\n1 1 1\n",
        2,
        "square",
    );
}

#[test]
fn an_absurd_size_is_rejected_before_allocating() {
    rejects(
        "%%MatrixMarket matrix coordinate real general\n1000000 1000000 1\n",
        2,
        "too large",
    );
    rejects(
        "%%MatrixMarket matrix coordinate real general\n18446744073709551615 2 1\n",
        2,
        "too large",
    );
}

#[test]
fn indices_out_of_range_are_rejected() {
    let h = "%%MatrixMarket matrix coordinate real general\n2 3 2\n1 1 1\n";
    rejects(&format!("{h}0 1 1\n"), 4, "row index 0");
    rejects(&format!("{h}3 1 1\n"), 4, "row index 3");
    rejects(&format!("{h}1 4 1\n"), 4, "column index 4");
    rejects(&format!("{h}-1 1 1\n"), 4, "row index");
}

#[test]
fn non_numeric_and_non_finite_values_are_rejected() {
    let h = "%%MatrixMarket matrix coordinate real general\n2 2 1\n";
    rejects(&format!("{h}1 1 abc\n"), 3, "abc");
    rejects(&format!("{h}1 1 NaN\n"), 3, "finite");
    rejects(&format!("{h}1 1 inf\n"), 3, "finite");
    rejects(
        "%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n",
        3,
        "integer",
    );
    rejects(
        "%%MatrixMarket matrix array real general\n1 2\n1\nx\n",
        4,
        "x",
    );
}

#[test]
fn a_wrong_number_of_fields_in_an_entry_is_rejected() {
    rejects(
        "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1\n",
        3,
        "3 fields",
    );
    rejects(
        "%%MatrixMarket matrix coordinate pattern general\n2 2 1\n1 1 1.0\n",
        3,
        "2 fields",
    );
    rejects(
        "%%MatrixMarket matrix array real general\n2 1\n1 2\n",
        3,
        "1 field per entry",
    );
}

#[test]
fn a_duplicate_size_line_is_rejected() {
    rejects(
        "%%MatrixMarket matrix coordinate pattern general\n3 3 2\n3 3 2\n1 1\n2 2\n",
        3,
        "second size line",
    );
    rejects(
        "%%MatrixMarket matrix array real general\n2 2\n% c\n2 2\n1\n2\n3\n4\n",
        4,
        "second size line",
    );
    // For real coordinate files a repeated size line reads as an entry; the count catches it.
    rejects(
        "%%MatrixMarket matrix coordinate real general\n2 2 1\n2 2 1\n1 1 5\n",
        4,
        "extra entry",
    );
}

#[test]
fn duplicate_entries_are_rejected_with_the_first_line() {
    rejects(
        "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 2 1\n1 1 2\n",
        5,
        "first given on line 3",
    );
    rejects(
        "%%MatrixMarket matrix coordinate real symmetric\n2 2 2\n2 1 1\n1 2 1\n",
        4,
        "duplicate entry (1, 2)",
    );
}

#[test]
fn a_diagonal_entry_in_a_skew_symmetric_file_is_rejected() {
    rejects(
        "%%MatrixMarket matrix coordinate real skew-symmetric\n2 2 1\n2 2 1\n",
        3,
        "diagonal",
    );
}

#[test]
fn missing_entries_are_reported_past_the_end() {
    rejects(
        "%%MatrixMarket matrix coordinate real general\n2 2 3\n1 1 1\n2 2 1\n",
        5,
        "2 of 3",
    );
    rejects(
        "%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n",
        5,
        "2 of 3",
    );
}

#[test]
fn extra_entries_are_rejected_at_the_first_extra_line() {
    rejects(
        "%%MatrixMarket matrix coordinate real general\n2 2 1\n1 1 1\n% c\n2 2 1\n",
        5,
        "extra entry",
    );
    rejects(
        "%%MatrixMarket matrix array real general\n1 1\n1\n2\n",
        4,
        "extra entry",
    );
}

#[test]
fn invalid_utf8_from_a_reader_is_a_parse_error_on_its_line() {
    let mut bytes = b"%%MatrixMarket matrix coordinate real general\n1 1 1\n".to_vec();
    bytes.extend_from_slice(&[0xff, 0xfe, b'\n']);
    assert!(matches!(
        MatrixMarket::from_reader(bytes.as_slice()),
        Err(OracleError::Parse { line: 3, .. })
    ));
}

#[test]
fn a_missing_file_is_an_io_error() {
    let path = std::env::temp_dir().join("oracles-mm-test-does-not-exist.mtx");
    assert!(matches!(
        MatrixMarket::from_path(path),
        Err(OracleError::Io(_))
    ));
}

proptest::proptest! {
    /// Arbitrary bodies after each header never panic: they parse or return a typed error.
    #[test]
    fn arbitrary_bodies_never_panic(
        header in proptest::sample::select(vec![
            "coordinate real general",
            "coordinate pattern symmetric",
            "coordinate integer skew-symmetric",
            "array real symmetric",
            "array integer general",
        ]),
        body in "([0-9 .e+-]{0,12}\n){0,12}",
    ) {
        let text = format!("%%MatrixMarket matrix {header}\n{body}");
        let _ = parse(&text);
    }

    /// Arbitrary bytes through the reader never panic.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let mut text = b"%%MatrixMarket matrix coordinate real general\n".to_vec();
        text.extend_from_slice(&bytes);
        let _ = MatrixMarket::from_reader(text.as_slice());
    }
}
