//! lowbit task runner (commands arrive with the bench and bound work).

fn main() {}
