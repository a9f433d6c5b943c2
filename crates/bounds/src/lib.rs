//! bounds (in progress).
