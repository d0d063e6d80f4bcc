//! Demo data and the `tandem demo` command.

pub mod seed;
