//! The service interfaces the server functions call (server-only).
//!
//! The `server` crate depends on this crate, so its domain services implement these traits
//! themselves; the server functions reach them through Leptos context ([`Services`]) and the
//! REST handlers call the very same methods. Who is calling is worked out once per request
//! by the server and kept in the request as a [`Caller`]: [`Caller::user`] and
//! [`Caller::admin`] are the one way to require a signed-in user or an admin, for pages,
//! server functions and the REST API alike.

use crate::{
    domain::{
        AccountExport, Bill, CheckoutChoice, Failure, NewBill, Order, OrderFilter, OrderPage, Overview,
        ShapeInfo, ShapeSettings, ShapeUpdate, SharedPicture, SimulatedCheckout, User,
        cart::{Cart, CartItem},
        loyalty::{Campaign, CampaignRequest, Loyalty, PayWith, PointsPage},
        tokens::{ApiToken, NewToken, PartnerToken, TokenGrant, TokenRequest},
    },
    error::AppError,
};
use http::{HeaderValue, header, request::Parts};
use leptos::prelude::use_context;
use leptos_axum::ResponseOptions;
use std::{net::IpAddr, sync::Arc};

/// Who is calling: their address (for throttling), their session token and, when that
/// session is live, its user; or, for a request signed with an API token, the token's
/// owner and grant. The server's sign-in layer puts one in every request.
#[derive(Clone, Debug, Default)]
pub struct Caller {
    pub ip: Option<IpAddr>,
    pub session_token: Option<String>,
    pub user: Option<User>,
    /// Set when the request came with `Authorization: Bearer ltd_…` (no session then).
    pub api_token: Option<TokenGrant>,
}

impl Caller {
    /// The caller the server's sign-in layer found for this request (nobody when it did not
    /// run: static files).
    pub fn of(request: &Parts) -> Caller {
        request.extensions.get::<Caller>().cloned().unwrap_or_default()
    }

    /// The signed-in user, or [`AppError::Unauthenticated`].
    pub fn user(&self) -> Result<User, AppError> {
        self.user.clone().ok_or(AppError::Unauthenticated)
    }

    /// The user of a session (signed in with a password): an API token is
    /// [`AppError::Forbidden`] here, so tokens never manage tokens, accounts or the shop.
    pub fn session_user(&self) -> Result<User, AppError> {
        if self.api_token.is_some() {
            return Err(AppError::Forbidden {
                message: "an API token cannot do this: sign in instead".into(),
            });
        }
        self.user()
    }

    /// The signed-in admin: [`AppError::Unauthenticated`] when signed out,
    /// [`AppError::Forbidden`] for everyone else (and for API tokens).
    pub fn admin(&self) -> Result<User, AppError> {
        let user = self.session_user()?;
        if user.is_admin {
            Ok(user)
        } else {
            Err(AppError::Forbidden { message: "only admins can do this".into() })
        }
    }
}

/// A session that was just opened, and the `Set-Cookie` value that hands it to the browser.
pub struct SignedIn {
    pub user: User,
    pub cookie: HeaderValue,
}

/// Accounts: sign-up, confirmation, password reset, sessions.
#[async_trait::async_trait]
pub trait AccountService: Send + Sync {
    /// Takes a sign-up and mails the address: a new account gets a confirmation code (it
    /// signs in once confirmed), a taken address a notice that someone tried. The answer is
    /// the same either way, so it tells nobody whether the address has an account.
    async fn sign_up(&self, caller: &Caller, email: &str, password: &str) -> Result<(), AppError>;
    /// Confirms an account's e-mail with the mailed code.
    async fn confirm(&self, email: &str, code: &str) -> Result<(), AppError>;
    /// Mails a new confirmation code (whether the account exists is not revealed).
    async fn resend_confirmation(&self, caller: &Caller, email: &str) -> Result<(), AppError>;
    /// Mails a password reset code (whether the account exists is not revealed).
    async fn forgot_password(&self, caller: &Caller, email: &str) -> Result<(), AppError>;
    /// Sets a new password with the mailed code; the account's sessions end.
    async fn reset_password(&self, email: &str, code: &str, password: &str) -> Result<(), AppError>;
    /// Checks the credentials (throttled) and opens a fresh session.
    async fn sign_in(&self, caller: &Caller, email: &str, password: &str) -> Result<SignedIn, AppError>;
    /// Revokes the caller's session; returns the cookie that clears it in the browser.
    async fn sign_out(&self, caller: &Caller) -> Result<HeaderValue, AppError>;
}

/// Orders: placing them, reading one's own, and an admin's retry of a failed one.
#[async_trait::async_trait]
pub trait OrderService: Send + Sync {
    /// Stores an order for `user` (free shapes are queued at once, priced ones get a checkout,
    /// or are paid with points at once when `pay_with` asks for it and the balance covers
    /// them), drawn with `seed` (the picture the form previewed), or one the server picks.
    async fn create(
        &self,
        user: &User,
        shape: &str,
        colour: &str,
        seed: Option<u32>,
        pay_with: PayWith,
    ) -> Result<Order, AppError>;
    /// One of `user`'s orders; anyone else's is not found.
    async fn get(&self, user: &User, id: &str) -> Result<Order, AppError>;
    /// A page of `user`'s orders, newest first, as `filter` picks them.
    async fn list(&self, user: &User, filter: &OrderFilter) -> Result<OrderPage, AppError>;
    /// A new order of the same shape as `user`'s order `id`, in `colour` and with `seed`
    /// when given (else the order's own).
    async fn again(
        &self,
        user: &User,
        id: &str,
        colour: Option<&str>,
        seed: Option<u32>,
    ) -> Result<Order, AppError>;
    /// A new checkout for `user`'s unpaid order `id` whose checkout expired or failed.
    async fn pay_again(&self, user: &User, id: &str) -> Result<Order, AppError>;
    /// Cancels `user`'s order `id` while it waits for payment; its checkout closes.
    async fn cancel(&self, user: &User, id: &str) -> Result<Order, AppError>;
    /// Sets (or with `None`, removes) the note on `user`'s order `id`.
    async fn set_note(&self, user: &User, id: &str, note: Option<&str>) -> Result<Order, AppError>;
    /// Queues a failed, unpaid order again (the caller checks it is an admin).
    async fn retry(&self, id: &str) -> Result<Order, AppError>;
    /// Refunds a done order paid with money and takes back the points it earned (the
    /// caller checks it is an admin).
    async fn refund_paid(&self, id: &str) -> Result<Order, AppError>;
    /// One of `user`'s bills (a cart checked out), with its orders as they are now.
    async fn bill(&self, user: &User, id: &str) -> Result<Bill, AppError>;
    /// Cancels `user`'s bill `id` and its orders while it waits for payment.
    async fn cancel_bill(&self, user: &User, id: &str) -> Result<Bill, AppError>;
}

/// The account page: the caller's password, e-mail, data and the account itself.
#[async_trait::async_trait]
pub trait ProfileService: Send + Sync {
    /// Changes the password given the current one; the account's other sessions end.
    async fn change_password(&self, caller: &Caller, current: &str, new: &str) -> Result<(), AppError>;
    /// Mails a code to `new_email`; nothing changes until it is entered.
    async fn change_email(&self, caller: &Caller, new_email: &str) -> Result<(), AppError>;
    /// Moves the account to the address the code went to.
    async fn confirm_email(&self, caller: &Caller, code: &str) -> Result<User, AppError>;
    /// Everything the shop keeps about the caller.
    async fn export(&self, caller: &Caller) -> Result<AccountExport, AppError>;
    /// Deletes the caller's account given its password; returns the cookie that clears the
    /// session.
    async fn delete_account(&self, caller: &Caller, password: &str) -> Result<HeaderValue, AppError>;
}

/// Share links: a done picture shown to anyone who has its link.
#[async_trait::async_trait]
pub trait SharingService: Send + Sync {
    /// Shares `user`'s done order `id`; returns the link (the same one while shared).
    async fn share(&self, user: &User, id: &str) -> Result<String, AppError>;
    /// Ends the sharing of `user`'s order `id`: its link is not found afterwards.
    async fn unshare(&self, user: &User, id: &str) -> Result<(), AppError>;
    /// The picture behind a share link.
    async fn shared(&self, token: &str) -> Result<SharedPicture, AppError>;
}

/// The built-in simulated checkout of the embedded default.
#[async_trait::async_trait]
pub trait CheckoutService: Send + Sync {
    /// What a simulated checkout session asks its owner (only) to pay: one order's price or
    /// a bill's lines.
    async fn simulated_checkout(&self, user: &User, session_id: &str) -> Result<SimulatedCheckout, AppError>;
    /// Acts on a simulated checkout session; returns where the client goes next.
    async fn finish_simulated_checkout(
        &self,
        user: &User,
        session_id: &str,
        choice: CheckoutChoice,
    ) -> Result<String, AppError>;
}

/// The shape catalogue.
#[async_trait::async_trait]
pub trait CatalogueService: Send + Sync {
    /// Active shapes in catalogue order, as clients see them.
    async fn active(&self) -> Result<Vec<ShapeInfo>, AppError>;
    /// Every shape with its settings, in catalogue order.
    async fn all(&self) -> Result<Vec<ShapeSettings>, AppError>;
    /// Changes a shape's price, currency or active flag (the caller checks it is an admin).
    async fn update(&self, name: &str, update: ShapeUpdate) -> Result<ShapeSettings, AppError>;
}

/// What admins watch: the console's figures and the failures.
#[async_trait::async_trait]
pub trait ConsoleService: Send + Sync {
    /// The console's figures.
    async fn overview(&self) -> Result<Overview, AppError>;
    /// Failed drawings and mails not retried yet, newest first.
    async fn failures(&self) -> Result<Vec<Failure>, AppError>;
}

/// Mails that could not be delivered.
#[async_trait::async_trait]
pub trait MailService: Send + Sync {
    /// Sends a mail dead letter again; [`AppError::NotFound`] when there is none open.
    async fn retry_dead(&self, id: &str) -> Result<(), AppError>;
}

/// API tokens: a signed-in user's own (from a session only: a token cannot manage tokens)
/// and, for admins, every partner's.
#[async_trait::async_trait]
pub trait TokenService: Send + Sync {
    /// The caller's tokens that were not revoked, newest first (never the secrets).
    async fn tokens(&self, caller: &Caller) -> Result<Vec<ApiToken>, AppError>;
    /// Makes a token; the secret is in the answer, this once.
    async fn create_token(&self, caller: &Caller, request: &TokenRequest) -> Result<NewToken, AppError>;
    /// Revokes one of the caller's tokens at once; [`AppError::NotFound`] for any other.
    async fn revoke_token(&self, caller: &Caller, id: &str) -> Result<(), AppError>;
    /// Every token not revoked, by owner, with today's request count (admins).
    async fn partner_tokens(&self, caller: &Caller) -> Result<Vec<PartnerToken>, AppError>;
    /// Revokes anyone's token (admins).
    async fn revoke_partner_token(&self, caller: &Caller, id: &str) -> Result<(), AppError>;
}

/// The cart: pictures gathered for one checkout, one cart per user, kept in the database.
#[async_trait::async_trait]
pub trait CartService: Send + Sync {
    /// `user`'s cart, priced by the catalogue now.
    async fn cart(&self, user: &User) -> Result<Cart, AppError>;
    /// Adds a picture, checked exactly like an order; at most [`crate::domain::cart::MAX_ITEMS`].
    async fn add_to_cart(
        &self,
        user: &User,
        shape: &str,
        colour: &str,
        seed: Option<u32>,
    ) -> Result<CartItem, AppError>;
    /// Takes item `id` out of `user`'s cart; [`AppError::NotFound`] for anyone else's.
    async fn remove_from_cart(&self, user: &User, id: &str) -> Result<(), AppError>;
    /// Turns the cart, priced now, into one bill with an order per picture and empties it:
    /// free pictures alone are queued at once, else one checkout pays them all.
    async fn checkout(&self, user: &User) -> Result<NewBill, AppError>;
}

/// Loyalty points: the ledger of the caller's account.
#[async_trait::async_trait]
pub trait LoyaltyService: Send + Sync {
    /// `user`'s balance, what expires next, and a page of their ledger, newest first.
    async fn loyalty(&self, user: &User, page: &PointsPage) -> Result<Loyalty, AppError>;
    /// `user`'s balance alone (the header, on every page): `(points, points per cent)`.
    async fn balance(&self, user: &User) -> Result<(i64, i64), AppError>;
    /// Every campaign, the latest to start first (admins).
    async fn campaigns(&self) -> Result<Vec<Campaign>, AppError>;
    /// A new campaign (admins); each field is checked and named when refused.
    async fn create_campaign(&self, request: &CampaignRequest) -> Result<Campaign, AppError>;
    /// Changes the fields given of campaign `id` (admins); [`AppError::NotFound`] for none.
    async fn update_campaign(&self, id: &str, request: &CampaignRequest) -> Result<Campaign, AppError>;
}

/// The services, as the server functions reach them (through Leptos context).
#[derive(Clone)]
pub struct Services {
    pub accounts: Arc<dyn AccountService>,
    pub orders: Arc<dyn OrderService>,
    pub sharing: Arc<dyn SharingService>,
    pub profile: Arc<dyn ProfileService>,
    pub checkout: Arc<dyn CheckoutService>,
    pub catalogue: Arc<dyn CatalogueService>,
    pub console: Arc<dyn ConsoleService>,
    pub mail: Arc<dyn MailService>,
    pub tokens: Arc<dyn TokenService>,
    pub cart: Arc<dyn CartService>,
    pub loyalty: Arc<dyn LoyaltyService>,
}

/// The services and the caller, for the body of a server function.
pub fn context() -> Result<(Services, Caller), AppError> {
    let services = use_context::<Services>().ok_or(AppError::Internal)?;
    let request = use_context::<Parts>().ok_or(AppError::Internal)?;
    Ok((services, Caller::of(&request)))
}

/// Adds a `Set-Cookie` header to the server function's response.
pub fn set_cookie(cookie: HeaderValue) {
    if let Some(response) = use_context::<ResponseOptions>() {
        response.append_header(header::SET_COOKIE, cookie);
    }
}
