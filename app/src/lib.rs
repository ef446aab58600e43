//! Let Them Draw: shared domain, drawing code, pages and server functions.
//!
//! Compiled twice: for the browser (`hydrate`) and for the server (`ssr`).

pub mod auth;
pub mod components;
pub mod domain;
pub mod error;
pub mod live;
pub mod pages;
pub mod request;
pub mod server_fns;
#[cfg(feature = "ssr")]
pub mod services;
pub mod url;

use leptos::prelude::*;
use leptos_meta::{HashedStylesheet, MetaTags, Title, provide_meta_context};
use leptos_router::{
    ParamSegment, SsrMode, StaticSegment,
    components::{Route, Router, Routes},
};

/// The HTML document around the app, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The application: header and routes.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    auth::provide_auth();
    view! {
        <Title text="Let Them Draw" />
        <Router>
            <components::Header />
            <main>
                // Async: each page is sent whole, so it reads right without JavaScript and
                // a "not found" can still set its status. The pages are small.
                <Routes fallback=pages::NotFound>
                    <Route path=StaticSegment("") view=pages::Home ssr=SsrMode::Async />
                    <Route path=StaticSegment("signup") view=pages::SignUpPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("signin") view=pages::SignInPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("accounts"), StaticSegment("confirm"))
                        view=pages::ConfirmAccountPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("accounts"), StaticSegment("forgot"))
                        view=pages::ForgotPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("accounts"), StaticSegment("reset"))
                        view=pages::ResetPasswordPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("orders") view=pages::MyOrdersPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("account") view=pages::AccountPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("cart") view=pages::CartPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("bills"), ParamSegment("id"))
                        view=pages::BillPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("account"), StaticSegment("tokens"))
                        view=pages::AccountTokensPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("orders"), StaticSegment("new"))
                        view=pages::NewOrderPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("orders"), ParamSegment("id"))
                        view=pages::OrderPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("p"), ParamSegment("token"))
                        view=pages::SharedPicturePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("checkout"), StaticSegment("simulated"), ParamSegment("session_id"))
                        view=pages::SimulatedCheckoutPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("admin") view=pages::AdminConsolePage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("failures"))
                        view=pages::AdminFailuresPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("live"))
                        view=pages::AdminLivePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("shapes"))
                        view=pages::AdminShapesPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("campaigns"))
                        view=pages::AdminCampaignsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("admin"), StaticSegment("partners"))
                        view=pages::AdminPartnersPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}
