//! `tessera`: the desktop authenticator and OTP tools built on Tessera's core.

mod demo_cmd;
mod desktop;
mod error;
mod image_input;
mod input;
mod issuer_cmd;
mod otp_cmd;
mod phone_cmd;
mod portal_cmd;
mod scan_cmd;
mod uri_cmd;
mod vault_cmd;
mod vault_io;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Tessera: OTP tools and a desktop authenticator built on the Tessera core.
///
/// Exit status: 0 on success, 1 when --verify does not match, 2 on bad input,
/// 3 for a wrong passcode or while attempts are delayed, 4 when the vault's
/// keys were erased (10 wrong passcodes) or its device key is gone, 5 when
/// the vault cannot be used (damaged, an older copy, storage or keyring); for
/// `activate` and `approve` also 6 when the mosaic is not for this device, 7
/// when it has expired, 8 when the clock disagrees with the portal's, 9 when
/// it was already answered, 10 when it was altered.
#[derive(Debug, Parser)]
#[command(
    name = "tessera",
    version,
    propagate_version = true,
    max_term_width = 100
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The whole story in one process: activation, login, a signed transfer, a changed amount refused.
    Demo(demo_cmd::DemoArgs),
    /// Serve the reference portal in a browser on 127.0.0.1 (SQLite, demo users).
    Portal(portal_cmd::PortalArgs),
    /// Compute or verify an HOTP code (RFC 4226).
    Hotp(otp_cmd::HotpArgs),
    /// Compute or verify a TOTP code (RFC 6238).
    Totp(otp_cmd::TotpArgs),
    /// Compute or verify an OCRA response (RFC 6287).
    Ocra(otp_cmd::OcraArgs),
    /// The portal side: enrol mobiles, issue login and transaction mosaics, verify OTPs.
    Issuer(issuer_cmd::IssuerArgs),
    /// Read QR codes from PNG or JPEG images.
    Scan(scan_cmd::ScanArgs),
    /// Read otpauth:// Key URIs.
    #[command(subcommand)]
    Uri(uri_cmd::UriCommand),
    /// Read Google Authenticator exports (otpauth-migration://).
    #[command(subcommand)]
    Migration(uri_cmd::MigrationCommand),
    /// Create the vault or change its passcode.
    #[command(subcommand)]
    Passcode(vault_cmd::PasscodeCommand),
    /// Import, list, use and remove the vault's tokens.
    #[command(subcommand)]
    Token(vault_cmd::TokenCommand),
    /// Activate this device as a portal's mobile from an activation mosaic (the phone's side).
    Activate(phone_cmd::ActivateArgs),
    /// Approve a login or transaction mosaic: show what it is, ask the passcode, print the OTP.
    Approve(phone_cmd::ApproveArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Demo(args) => demo_cmd::demo(args),
        Command::Portal(args) => portal_cmd::portal(args),
        Command::Hotp(args) => otp_cmd::hotp(args),
        Command::Totp(args) => otp_cmd::totp(args),
        Command::Ocra(args) => otp_cmd::ocra(args),
        Command::Issuer(args) => issuer_cmd::issuer(args),
        Command::Scan(args) => scan_cmd::scan(args),
        Command::Uri(cmd) => uri_cmd::uri(cmd),
        Command::Migration(cmd) => uri_cmd::migration(cmd),
        Command::Passcode(cmd) => vault_cmd::passcode(cmd),
        Command::Token(cmd) => vault_cmd::token(cmd),
        Command::Activate(args) => phone_cmd::activate(args),
        Command::Approve(args) => phone_cmd::approve(args),
    };
    result.unwrap_or_else(|e| e.report())
}
