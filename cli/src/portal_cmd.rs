//! `tessera portal`: the reference portal in a browser, on 127.0.0.1 only,
//! over an embedded SQLite database (see `tessera_portal::web`).

use std::net::{IpAddr, Ipv4Addr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Args;
use tessera_portal::web::{WebConfig, WebPortal, serve};

use crate::desktop::{create_private_dir, default_data_dir};
use crate::error::{CliError, CliResult};

/// `tessera portal`.
#[derive(Debug, Args)]
#[command(
    after_help = "The portal listens on 127.0.0.1 only. On the first start (an empty \
database) it creates the demo users alice, bob and chloe and prints their passwords, once: the \
database keeps only Argon2id hashes. Open the printed address in a browser, sign in, and use \
`tessera activate` / `tessera approve` (or the app) on a screenshot of the mosaic.\n\n\
Cookies are HttpOnly and SameSite=Strict; with an https --origin (the portal behind a TLS \
reverse proxy) they are also Secure, with the __Host- prefix, and responses carry HSTS. Name \
the proxy with --trusted-proxy so that the sign-in limits see each client's own address \
(X-Forwarded-For); requests whose Host is not the origin's (or 127.0.0.1/localhost on the port) \
are refused.\n\n\
Example:\n  tessera portal --port 8080\n  tessera portal --port 0 --db /tmp/portal.db\n  \
tessera portal --origin https://portal.example.lu --trusted-proxy 127.0.0.1"
)]
pub struct PortalArgs {
    /// The port on 127.0.0.1 (0: any free port; the address is printed).
    #[arg(long, value_name = "N", default_value_t = 8080)]
    port: u16,
    /// The portal's SQLite database, created if missing [default: the
    /// per-user data directory + "tessera-portal/portal.db", e.g.
    /// ~/.local/share/tessera-portal/portal.db].
    #[arg(long, value_name = "FILE")]
    db: Option<PathBuf>,
    /// The portal's public origin [default: http://127.0.0.1:PORT]: written
    /// into the activation mosaics of the mobiles added from now on (each
    /// mobile keeps the origin it was added with: that is what its phone
    /// shows and binds into its OTPs, so a database shared with `tessera
    /// issuer` shows the issuer's origin for its mobiles); the Host every
    /// request must name; and with https:// (behind a TLS proxy), Secure
    /// cookies.
    #[arg(long, value_name = "URL")]
    origin: Option<String>,
    /// A reverse proxy in front of the portal (e.g. the TLS proxy of an
    /// https --origin), by IP address; repeat for several. From these
    /// peers only, the client's address (for the sign-in limits) is read
    /// from X-Forwarded-For; without it, every client behind the proxy
    /// shares the proxy's address.
    #[arg(long = "trusted-proxy", value_name = "ADDR")]
    trusted_proxy: Vec<IpAddr>,
    /// Do not print a line per request.
    #[arg(long)]
    quiet: bool,
}

fn default_db() -> Result<PathBuf, CliError> {
    default_data_dir()
        .map(|d| d.join("tessera-portal").join("portal.db"))
        .ok_or_else(|| CliError::arg("--db", "cannot find a data directory: give --db FILE"))
}

/// Runs `tessera portal` until Ctrl-C.
pub fn portal(args: &PortalArgs) -> CliResult {
    let db = match &args.db {
        Some(db) => db.clone(),
        None => default_db()?,
    };
    if let Some(parent) = db.parent().filter(|p| !p.as_os_str().is_empty())
        && !parent.is_dir()
    {
        create_private_dir(parent)?;
    }
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, args.port)).map_err(|e| {
        CliError::arg(
            "--port",
            format!("cannot listen on 127.0.0.1:{}: {e}", args.port),
        )
    })?;
    let port = listener
        .local_addr()
        .map_err(|e| CliError::arg("--port", e))?
        .port();
    let origin = args
        .origin
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{port}"));
    if origin.len() > tessera_core::mosaic::MAX_ORIGIN_LEN || origin.contains(char::is_whitespace) {
        return Err(CliError::arg(
            "--origin",
            "must be a URL of at most 100 characters without spaces",
        ));
    }
    let mut config = WebConfig::new(origin.clone());
    config.log_requests = !args.quiet;
    // The listening address answers too, whatever the public origin; any
    // other Host header is refused (DNS rebinding).
    config.allow_host(&format!("127.0.0.1:{port}"));
    config.allow_host(&format!("localhost:{port}"));
    config.trusted_proxies.clone_from(&args.trusted_proxy);
    let (app, demo) = WebPortal::open(&db, config)
        .map_err(|e| CliError::arg("--db", format!("{}: {e}", db.display())))?;
    println!("Tessera portal: http://127.0.0.1:{port}/");
    if origin != format!("http://127.0.0.1:{port}") {
        println!("Public origin:  {origin}");
    }
    println!("Database:       {}", db.display());
    if demo.is_empty() {
        println!(
            "Users: as before (the demo users' passwords were printed when the database was created)."
        );
    } else {
        println!(
            "Demo users (their passwords are shown only now; the database keeps Argon2id hashes):"
        );
        for u in &demo {
            println!(
                "  {:<6} {:<14} password: {}",
                u.user.user_id,
                u.user.display_name,
                u.password.as_str()
            );
        }
    }
    println!("Stop with Ctrl-C.");
    serve(listener, Arc::new(app)).map_err(|e| CliError::with_status(1, e))?;
    Ok(ExitCode::SUCCESS)
}
