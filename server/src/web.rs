//! The HTTP edge: the REST API, the pages' server functions (through [`state::AppState`]),
//! security headers and checks, operations endpoints and the development mail outbox. Thin:
//! every route reads its input, calls a service and writes its answer.

pub mod access;
pub mod api;
pub mod caching;
pub mod caller;
pub mod dev_mail;
pub mod error;
pub mod ops;
pub mod router;
pub mod security;
pub mod server_fn_status;
pub mod sign_in_first;
pub mod state;
pub mod streams;
pub mod token_access;
