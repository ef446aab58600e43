use clap::{CommandFactory, FromArgMatches, Parser};
use server::{
    cli::{AdminCommand, Cli, Command},
    draw,
    platform::{db, telemetry},
    settings::WebSettings,
    startup::{Application, shutdown_signal},
};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    telemetry::init(cli.settings.log_format);
    let outcome = match cli.command {
        Some(Command::Draw(args)) => draw::run(&args),
        Some(Command::Migrate) => block_on(migrate(cli.settings)),
        Some(Command::Admin(command)) => block_on(admin(cli.settings, command)),
        Some(Command::Serve(web)) => block_on(serve(cli.settings, *web)),
        None => web_settings_from_env().and_then(|web| block_on(serve(cli.settings, web))),
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// `serve`'s settings when no subcommand was given: from the environment and defaults.
fn web_settings_from_env() -> anyhow::Result<WebSettings> {
    let command = Cli::command();
    let serve = command.find_subcommand("serve").cloned().unwrap_or(command);
    let matches = serve.try_get_matches_from(["serve"])?;
    Ok(WebSettings::from_arg_matches(&matches)?)
}

fn block_on(work: impl Future<Output = anyhow::Result<()>>) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build()?.block_on(work)
}

async fn migrate(settings: server::settings::Settings) -> anyhow::Result<()> {
    let pool = db::connect(settings.database_url().expose()).await?;
    db::migrate(&pool).await?;
    println!("database is up to date");
    Ok(())
}

async fn admin(settings: server::settings::Settings, command: AdminCommand) -> anyhow::Result<()> {
    let pool = db::connect(settings.database_url().expose()).await?;
    db::migrate(&pool).await?;
    let (email, grant) = match &command {
        AdminCommand::Grant { email } => (email, true),
        AdminCommand::Revoke { email, .. } => (email, false),
        AdminCommand::Confirm { email } => {
            let changed =
                server::accounts::confirm_address(&pool, email).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            anyhow::ensure!(changed, "there is no account with the e-mail {email}: sign up first");
            println!("{email} is confirmed: the account can sign in");
            return Ok(());
        }
    };
    let changed =
        server::accounts::set_admin(&pool, email, grant).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let Some(user_id) = changed else {
        anyhow::bail!("there is no account with the e-mail {email}: sign up first");
    };
    if let AdminCommand::Revoke { redis_url: Some(url), redis_prefix, .. } = &command {
        use server::accounts::news::{AccountNews, RedisNews};
        let news = RedisNews::connect(url.expose(), redis_prefix).await?;
        let told = tokio::time::timeout(std::time::Duration::from_secs(10), news.announce(&user_id)).await;
        anyhow::ensure!(
            matches!(told, Ok(Ok(true))),
            "the role is revoked, but Redis did not take the news: open admin feeds end at their next re-check"
        );
    }
    println!("{email} is {}an admin", if grant { "now " } else { "no longer " });
    Ok(())
}

async fn serve(settings: server::settings::Settings, web: WebSettings) -> anyhow::Result<()> {
    let app = Application::build(&settings, &web).await?;
    tracing::info!(address = %app.local_addr()?, "serving Let Them Draw");
    app.run(shutdown_signal()).await
}
