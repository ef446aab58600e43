//! What every layer stands on: time, the database pool, errors, metrics, secrets, logs,
//! request ids and client addresses.
//! Imports nothing of this crate from outside `platform`.

pub mod clock;
pub mod db;
pub mod error;
pub mod metrics;
pub mod net;
pub mod pubsub;
pub mod request_id;
pub mod secret;
pub mod telemetry;
