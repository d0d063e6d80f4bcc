//! Tandem: the operations console and shared backend of a Joint Border Security Centre.

pub mod admin;
pub mod api;
pub mod bench;
pub mod client;
pub mod console;
pub mod demo;
pub mod interop;
pub mod model;
pub mod paths;
pub mod reference;
pub mod server;
pub mod signal;
pub mod store;
pub mod witness;
