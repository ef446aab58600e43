//! The let-them-draw server: everything that runs only on the server.
//!
//! The layering rule: imports point down only.
//!
//! - `startup` (with `main`, `cli`, `settings`): reads the settings once and wires the rest;
//!   nothing below it reads `settings`, each part gets typed values.
//! - `web`: the HTTP edge (REST API, pages' router, who is calling, security, operations).
//!   Thin: REST handlers and server functions call the same service methods, the ones
//!   `app::services` declares and the domain services implement.
//! - `jobs`: what workers run (the artist, the workers, the sweep).
//! - domain services: `gallery` (downloads in every size, share links) above `orders`;
//!   `cart` (one cart per user) beside it, above `catalogue`;
//!   `orders` above `catalogue`, `alerts`, `console`, `accounts` and `queue`; those above `mail`, `payments`, `events`, `pictures` and `render`. A domain
//!   service never imports `web`, `jobs` or `startup`.
//! - `platform`: clock, database, errors, metrics, secrets, logs; imports nothing of this
//!   crate outside itself.
//!
//! No two modules import each other, directly or through others.

pub mod accounts;
pub mod alerts;
pub mod cart;
pub mod catalogue;
pub mod cli;
pub mod console;
pub mod draw;
pub mod events;
pub mod gallery;
pub mod jobs;
pub mod loyalty;
pub mod mail;
pub mod orders;
pub mod payments;
pub mod pictures;
pub mod platform;
pub mod profile;
pub mod queue;
pub mod render;
pub mod settings;
pub mod startup;
pub mod web;
