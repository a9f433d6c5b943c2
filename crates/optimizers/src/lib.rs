//! optimizers (in progress).
