//! The let-them-draw server: everything that runs only on the server.

pub mod accounts;
pub mod alerts;
pub mod catalogue;
pub mod cli;
pub mod console;
pub mod draw;
pub mod events;
pub mod jobs;
pub mod mail;
pub mod orders;
pub mod payments;
pub mod pictures;
pub mod platform;
pub mod queue;
pub mod render;
pub mod settings;
pub mod startup;
pub mod web;
