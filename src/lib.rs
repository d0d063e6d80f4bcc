//! Tandem: the operations console and shared backend of a Joint Border Security Centre.

pub mod model;
pub mod api;
pub mod store;
pub mod server;
pub mod demo;
pub mod admin;
pub mod paths;
