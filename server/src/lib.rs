//! The let-them-draw server: everything that runs only on the server.

pub mod accounts;
pub mod alerts;
pub mod api;
pub mod artist;
pub mod catalogue;
pub mod cli;
pub mod console;
pub mod db;
pub mod dev_mail;
pub mod draw;
pub mod error;
pub mod events;
pub mod mail;
pub mod metrics;
pub mod ops;
pub mod orders;
pub mod payments;
pub mod pictures;
pub mod queue;
pub mod render;
pub mod server_fn_status;
pub mod settings;
pub mod sign_in_first;
pub mod startup;
pub mod state;
pub mod telemetry;
