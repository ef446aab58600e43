//! Who is signed in, shared by the header and the pages.

use crate::{
    domain::User,
    error::AppError,
    server_fns::{SignIn, SignOut, SignUp, current_user},
};
use leptos::prelude::*;

/// The account actions and the user they produce; refetched after each action.
#[derive(Clone, Copy)]
pub struct Auth {
    pub sign_up: ServerAction<SignUp>,
    pub sign_in: ServerAction<SignIn>,
    pub sign_out: ServerAction<SignOut>,
    pub user: Resource<Result<Option<User>, AppError>>,
}

/// Creates the [`Auth`] context; call once, at the top of the app.
pub fn provide_auth() {
    let sign_up = ServerAction::<SignUp>::new();
    let sign_in = ServerAction::<SignIn>::new();
    let sign_out = ServerAction::<SignOut>::new();
    let user = Resource::new(
        move || (sign_up.version().get(), sign_in.version().get(), sign_out.version().get()),
        |_| current_user(),
    );
    provide_context(Auth { sign_up, sign_in, sign_out, user });
}

/// The [`Auth`] context.
pub fn use_auth() -> Auth {
    expect_context::<Auth>()
}
