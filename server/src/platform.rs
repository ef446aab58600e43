//! What every layer stands on: time, the database pool, errors, metrics, secrets and logs.
//! Imports nothing of this crate from outside `platform`.

pub mod clock;
pub mod db;
pub mod error;
pub mod metrics;
pub mod secret;
pub mod telemetry;
