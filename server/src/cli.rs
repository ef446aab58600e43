//! The `let-them-draw` command line.

use crate::settings::{Settings, WebSettings};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// Let Them Draw: order a picture of a shape in any CSS colour.
///
/// Without a subcommand it serves the site (like `serve`). Every option can also be set
/// through the environment variable shown in its help.
#[derive(Debug, Parser)]
#[command(name = "let-them-draw", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub settings: Settings,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web site and draw ordered pictures (the default).
    Serve(Box<WebSettings>),
    /// Apply database migrations and exit.
    Migrate,
    /// Draw one picture to a PNG file, like the original artist's draw-image.sh.
    Draw(DrawArgs),
    /// Manage admins and confirm addresses.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Make an existing account an admin.
    Grant {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
    },
    /// Take the admin role away (LTD_ADMIN_EMAILS still applies). With REDIS_URL, every
    /// web instance ends the account's admin live feed at once (else at its next re-check).
    Revoke {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
        /// The Redis the web instances share, to tell them.
        #[arg(long, env = "REDIS_URL", hide_env_values = true)]
        redis_url: Option<crate::platform::secret::Secret>,
        /// Their Redis key prefix.
        #[arg(long, env = "LTD_REDIS_PREFIX", default_value = "ltd")]
        redis_prefix: String,
    },
    /// Mark a local account's e-mail address as confirmed, for an address that cannot
    /// receive the mailed link (with Cognito, use its AdminConfirmSignUp instead).
    Confirm {
        /// The account's e-mail.
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, clap::Args)]
pub struct DrawArgs {
    /// square, circle, hypnotic squares, tiled lines or voronoi (any case).
    #[arg(long)]
    pub shape: String,
    /// A CSS colour: a name (rebeccapurple), #rgb, #rrggbb, #rrggbbaa, rgb()/rgba(), hsl()/hsla().
    #[arg(long, alias = "colour")]
    pub color: String,
    /// Seed for the pattern shapes; the same seed draws the same picture. Random if omitted.
    #[arg(long)]
    pub seed: Option<u32>,
    /// Side of the picture in pixels (64 to 2048).
    #[arg(long, default_value_t = crate::render::DEFAULT_SIZE)]
    pub size: u32,
    /// Where to write the PNG.
    #[arg(long)]
    pub output: PathBuf,
}
