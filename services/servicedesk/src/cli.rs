use crate::backend::Backend;
use crate::config::Config;
use crate::failure::Result;
use crate::{data_dir, serve, token};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "servicedesk",
    version,
    about = "Event-sourced ITIL service desk"
)]
pub struct Cli {
    /// Where the event log, read models and generated secret live.
    #[arg(
        long,
        global = true,
        env = "SERVICEDESK_DATA_DIR",
        default_value = "./data"
    )]
    pub data_dir: PathBuf,
    /// The event log: postgres://... or kurrentdb://...; unset, the embedded SQLite file in
    /// the data dir.
    #[arg(long, global = true, env = "SERVICEDESK_EVENT_STORE")]
    pub event_store: Option<String>,
    /// TOML file with the remaining settings (see README).
    #[arg(long, global = true, env = "SERVICEDESK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format on stderr.
    #[arg(
        long,
        global = true,
        env = "SERVICEDESK_LOG_FORMAT",
        default_value = "text"
    )]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API and run the projections (the default).
    Serve(ServeArgs),
    /// Manage tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Manage read models.
    #[command(subcommand)]
    Projections(ProjectionsCommand),
    /// Print the OpenAPI document.
    Openapi,
}

#[derive(Debug, Args, Default)]
pub struct ServeArgs {
    /// Address to listen on; port 0 picks a free port (printed on stdout).
    #[arg(long, env = "SERVICEDESK_LISTEN")]
    pub listen: Option<String>,
    /// HTTP worker threads (default: the number of cores).
    #[arg(long, env = "SERVICEDESK_WORKERS")]
    pub workers: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a signed JWT for local use.
    Issue {
        /// agent, manager, reporter, admin or integration; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Who the token is for (the `sub` claim).
        #[arg(long)]
        sub: String,
        /// Lifetime: e.g. 30m, 8h, 7d.
        #[arg(long, default_value = "8h")]
        ttl: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Rebuild every read model from the event log (the server must be stopped).
    Rebuild,
}

pub async fn run(cli: Cli) -> Result<()> {
    let config = Config::load(cli.config.as_deref())?;
    let backend = Backend::from_setting(cli.event_store.as_deref())?;
    match cli.command.unwrap_or(Command::Serve(ServeArgs::default())) {
        Command::Serve(args) => serve::serve(&cli.data_dir, &backend, &config, args).await,
        Command::Token(TokenCommand::Issue { roles, sub, ttl }) => {
            let dir = data_dir::DataDir::prepare(&cli.data_dir)?;
            let keys = config.jwt_keys(&dir)?;
            println!("{}", token::issue(&keys, &roles, &sub, &ttl)?);
            Ok(())
        }
        Command::Projections(ProjectionsCommand::Rebuild) => {
            serve::rebuild(&cli.data_dir, &backend).await
        }
        Command::Openapi => {
            print!("{}", servicedesk_api::openapi::openapi_json());
            Ok(())
        }
    }
}
