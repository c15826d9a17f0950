use crate::backend::{self, Backend};
use crate::cli::ServeArgs;
use crate::config::Config;
use crate::data_dir::DataDir;
use crate::failure::{Failure, Result};
use actix_web::web;
use servicedesk_api::{build_server, ApiSettings, AppState};
use servicedesk_application::LocalLeases;
use servicedesk_application::{App, AppSettings};
use servicedesk_projections::{rebuild as rebuild_read_models, ReadModelDb};
use servicedesk_store::{Clock, EventStore, Leases, ManualClock, SystemClock};
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

pub async fn serve(
    data_dir: &Path,
    backend: &Backend,
    config: &Config,
    args: ServeArgs,
) -> Result<()> {
    let dir = DataDir::prepare(data_dir)?;
    let _lock = dir.lock()?;
    let keys = config.jwt_keys(&dir)?;
    let oidc = match config.oidc()? {
        Some(settings) => {
            let verifier = servicedesk_api::oidc::OidcVerifier::new(settings);
            verifier.prefetch().await;
            Some(verifier)
        }
        None => None,
    };
    let manual_clock = manual_clock()?;
    let clock: Arc<dyn Clock> = match &manual_clock {
        Some(manual) => manual.clone(),
        None => Arc::new(SystemClock),
    };
    let opened = backend::open(backend, &dir, clock.clone()).await?;
    let store = opened.store;
    let read_models = open_read_models(&dir, store.clone()).await?;
    let leases: Arc<dyn Leases> = match opened.leases {
        Some(shared) => shared,
        None => Arc::new(LocalLeases::new(read_models.clone())),
    };

    let settings = AppSettings {
        priority_matrix: config.priority_matrix.clone(),
        read_your_writes_timeout: Duration::from_millis(config.http.read_your_writes_timeout_ms),
        shared_log: !matches!(backend, Backend::Sqlite),
        notifications: config.notifications()?,
    };
    let (app, background) = App::start(store.clone(), leases, read_models, clock, settings)?;
    let state = web::Data::new(AppState {
        app: app.clone(),
        keys,
        oidc,
        settings: ApiSettings {
            max_body_bytes: config.http.max_body_bytes,
        },
        metrics: Arc::default(),
        manual_clock,
    });

    let listen = args.listen.unwrap_or_else(|| DEFAULT_LISTEN.to_owned());
    let listener = TcpListener::bind(&listen)
        .map_err(|e| Failure(format!("cannot listen on {listen}: {e}")))?;
    let address = listener.local_addr()?;
    let workers = args
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()));
    let server = build_server(listener, state, workers)?;
    // Tests and scripts read this line to find the port when listening on port 0.
    println!("servicedesk listening on http://{address}");
    tracing::info!(%address, data_dir = %data_dir.display(), "serving");

    // actix stops on SIGINT/SIGTERM after in-flight requests (and their appends) finish.
    server.await?;
    tracing::info!("HTTP server stopped; stopping projections and closing the log");
    background.stop(app).await;
    // A log that was empty at start has a first event now: remember which log this is.
    if let Ok(origin) = log_origin(store.as_ref()).await {
        dir.record_log_origin(&origin)?;
    }
    store.close().await?;
    tracing::info!("stopped cleanly");
    Ok(())
}

/// `SERVICEDESK_CLOCK=manual` (starting now) or `manual:<RFC 3339>`: a clock only
/// `POST /api/v1/admin/clock` moves, for tests of time rules. Anything else is the system clock.
fn manual_clock() -> Result<Option<Arc<ManualClock>>> {
    let Ok(setting) = std::env::var("SERVICEDESK_CLOCK") else {
        return Ok(None);
    };
    let start = match setting.split_once(':') {
        None if setting == "manual" => chrono::Utc::now(),
        Some(("manual", at)) => chrono::DateTime::parse_from_rfc3339(at)
            .map_err(|e| Failure(format!("SERVICEDESK_CLOCK: {at:?} is not RFC 3339: {e}")))?
            .with_timezone(&chrono::Utc),
        _ if setting == "system" || setting.is_empty() => return Ok(None),
        _ => {
            return Err(Failure(format!(
                "SERVICEDESK_CLOCK must be system, manual or manual:<RFC 3339>, not {setting:?}"
            )))
        }
    };
    tracing::warn!(%start, "running on a manual clock: time moves only through POST /api/v1/admin/clock");
    Ok(Some(Arc::new(ManualClock::new(start))))
}

/// Opens the read models; a file from another schema version, or built from another log (the
/// data dir was pointed at another event store), is rebuilt from the log first.
async fn open_read_models(dir: &DataDir, store: Arc<dyn EventStore>) -> Result<ReadModelDb> {
    let origin = log_origin(store.as_ref()).await?;
    let other_log = dir
        .log_origin()?
        .is_some_and(|recorded| !recorded.is_empty() && recorded != origin);
    if other_log {
        tracing::warn!(
            "the read models were built from another event log: rebuilding them from this one"
        );
        // The reactor's local checkpoint counted positions of the other log too.
        match std::fs::remove_file(dir.followers_db()) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Failure(format!("cannot reset followers.db: {e}"))),
        }
    }
    let (db, current) = ReadModelDb::open(&dir.read_model_db())?;
    if !current || other_log {
        if !current {
            tracing::warn!("read model schema changed: rebuilding from the event log");
        }
        rebuild_read_models(store, &dir.read_model_db()).await?;
        db.reset_readers();
    }
    dir.record_log_origin(&origin)?;
    Ok(db)
}

/// The id of the log's first event ("" while the log is empty).
async fn log_origin(store: &dyn EventStore) -> Result<String> {
    Ok(store
        .read_all(0, 1)
        .await?
        .first()
        .map(|e| e.event_id.to_string())
        .unwrap_or_default())
}

/// `servicedesk projections rebuild`: offline, so nothing else writes the read models meanwhile.
pub async fn rebuild(data_dir: &Path, backend: &Backend) -> Result<()> {
    let dir = DataDir::prepare(data_dir)?;
    let _lock = dir.lock()?;
    let store = backend::open(backend, &dir, Arc::new(SystemClock))
        .await?
        .store;
    let report = rebuild_read_models(store.clone(), &dir.read_model_db()).await?;
    store.close().await?;
    let seconds = report.elapsed.as_secs_f64();
    println!(
        "rebuilt read models from {} events (up to position {}) in {:.2}s: {:.0} events/s",
        report.events,
        report.position,
        seconds,
        report.events as f64 / seconds.max(1e-9)
    );
    Ok(())
}
