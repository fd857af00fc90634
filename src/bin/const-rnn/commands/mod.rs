//! One module per command, as the program's `--help` lists them.

pub(crate) mod add;
pub(crate) mod bench;
pub(crate) mod check;
pub(crate) mod convergence;
pub(crate) mod eval;
pub(crate) mod experiment;
pub(crate) mod export;
pub(crate) mod prove;
pub(crate) mod seeds;
pub(crate) mod show;
pub(crate) mod train;
pub(crate) mod verify;
