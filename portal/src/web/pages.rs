//! The pages, as maud templates: every interpolated value is HTML-escaped
//! by construction (maud has no way to insert unescaped text short of
//! `PreEscaped`, which this module never uses), there is no inline script
//! or style (the Content-Security-Policy forbids both), and every form
//! carries the session's CSRF token.

use maud::{DOCTYPE, Markup, html};
use tessera_core::mosaic::Transaction;

use super::i18n::{Lang, Texts};

/// What every page needs besides its body.
#[derive(Debug)]
pub struct Frame<'a> {
    /// The page's language.
    pub lang: Lang,
    /// The session's CSRF token, for the forms.
    pub csrf: &'a str,
    /// The signed-in user's name, for the header.
    pub user: Option<&'a str>,
    /// Whether the user signed in with the mobile (the transfer link).
    pub full: bool,
    /// This page's path, where the language switch comes back to.
    pub path: &'a str,
    /// Reload the page after this many seconds (a mosaic's expiry).
    pub refresh: Option<u64>,
}

impl Frame<'_> {
    fn t(&self) -> &'static Texts {
        self.lang.texts()
    }
}

/// A mosaic on screen.
#[derive(Debug)]
pub struct MosaicView<'a> {
    /// The image's URL.
    pub src: &'a str,
    /// Its side in pixels.
    pub side: u32,
    /// Seconds left, or `None` once expired.
    pub seconds_left: Option<u64>,
}

/// A mobile in a list.
#[derive(Debug)]
pub struct MobileView {
    /// Its token identifier (hex).
    pub id: String,
    /// What the user reads.
    pub label: String,
}

fn csrf_field(f: &Frame<'_>) -> Markup {
    html! { input type="hidden" name="csrf" value=(f.csrf); }
}

fn error_box(error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            p.error role="alert" { (e) }
        }
    }
}

/// The page around `body`.
pub fn layout(f: &Frame<'_>, title: &str, body: Markup) -> Markup {
    let t = f.t();
    html! {
        (DOCTYPE)
        html lang=(f.lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(secs) = f.refresh {
                    meta http-equiv="refresh" content=(secs);
                }
                title { (title) " · Tessera" }
                link rel="stylesheet" href="/static/style.css";
            }
            body {
                header {
                    a.brand href="/" { "Tessera" }
                    span.portal { (t.portal_title) }
                    nav.lang aria-label=(t.language) {
                        @for l in Lang::ALL {
                            @if l == f.lang {
                                strong id={ "lang-" (l.code()) } lang=(l.code()) { (l.name()) }
                            } @else {
                                a id={ "lang-" (l.code()) } lang=(l.code()) href={ "/lang/" (l.code()) "?next=" (f.path) } { (l.name()) }
                            }
                        }
                    }
                    @if let Some(user) = f.user {
                        nav.user {
                            span { (f.lang.signed_in_as(user)) }
                            a id="nav-account" href="/account" { (t.my_account) }
                            @if f.full {
                                a id="nav-transfer" href="/transfer" { (t.transfer) }
                            }
                            form.inline method="post" action="/logout" {
                                (csrf_field(f))
                                button id="logout" type="submit" { (t.logout) }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// User ID and password.
pub fn login(f: &Frame<'_>, user_id: &str, notice: Option<&str>, error: Option<&str>) -> Markup {
    let t = f.t();
    layout(
        f,
        t.portal_title,
        html! {
            h1 { (t.portal_title) }
            @if let Some(n) = notice { p.notice role="status" { (n) } }
            (error_box(error))
            p { (t.login_intro) }
            form method="post" action="/login" {
                (csrf_field(f))
                label for="user_id" { (t.user_id) }
                input id="user_id" name="user_id" type="text" autocomplete="username" required maxlength="64" value=(user_id);
                label for="password" { (t.password) }
                input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024";
                button id="login-submit" type="submit" { (t.continue_) }
            }
        },
    )
}

/// Which mobile to sign in with.
pub fn choose_mobile(f: &Frame<'_>, mobiles: &[MobileView], error: Option<&str>) -> Markup {
    let t = f.t();
    layout(
        f,
        t.choose_mobile,
        html! {
            h1 { (t.choose_mobile) }
            (error_box(error))
            form method="post" action="/login/mobile" {
                (csrf_field(f))
                fieldset {
                    legend { (t.choose_mobile_intro) }
                    @for (i, m) in mobiles.iter().enumerate() {
                        label.choice {
                            input type="radio" name="token" value=(m.id) checked[i == 0];
                            " " (m.label)
                        }
                    }
                }
                button id="choose-submit" type="submit" { (t.show_mosaic) }
            }
        },
    )
}

fn mosaic(f: &Frame<'_>, view: &MosaicView<'_>) -> Markup {
    let t = f.t();
    html! {
        figure.mosaic {
            img id="mosaic" src=(view.src) width=(view.side) height=(view.side) alt=(t.mosaic_alt);
        }
        @match view.seconds_left {
            Some(secs) => p.expiry id="expiry" { (f.lang.expires_in(secs)) },
            None => p.error id="expiry" role="alert" { (t.expired) },
        }
    }
}

fn otp_form(f: &Frame<'_>, action: &str, label: &str, button_id: &str, button: &str) -> Markup {
    html! {
        form method="post" action=(action) {
            (csrf_field(f))
            label for="otp" { (label) }
            input id="otp" name="otp" type="text" inputmode="numeric" autocomplete="one-time-code" required maxlength="16";
            button id=(button_id) type="submit" { (button) }
        }
    }
}

/// The confirmation code of an activation: 24 Crockford base32 characters
/// in groups of four (letters, so a text keyboard; the pattern lets through
/// lower case, spaces and dashes, which the portal forgives).
fn confirmation_form(f: &Frame<'_>) -> Markup {
    let t = f.t();
    html! {
        form method="post" action="/account/activate" {
            (csrf_field(f))
            label for="confirmation" { (t.confirmation_code) }
            input id="confirmation" name="confirmation" type="text" inputmode="text"
                autocapitalize="characters" autocomplete="off" spellcheck="false"
                required minlength="24" maxlength="40"
                pattern="[ \\-]*([0-9A-TV-Za-tv-z][ \\-]*){24}"
                placeholder="XXXX-XXXX-XXXX-XXXX-XXXX-XXXX"
                aria-describedby="confirmation-hint";
            p.hint id="confirmation-hint" { (t.confirmation_hint) }
            button id="confirm-submit" type="submit" { (t.confirm) }
        }
    }
}

fn reissue_form(f: &Frame<'_>, action: &str, token: Option<&str>) -> Markup {
    html! {
        form method="post" action=(action) {
            (csrf_field(f))
            @if let Some(token) = token {
                input type="hidden" name="token" value=(token);
            }
            button id="reissue" type="submit" { (f.t().new_mosaic) }
        }
    }
}

/// The login mosaic and the OTP field (or, once expired, a new mosaic).
pub fn login_challenge(
    f: &Frame<'_>,
    view: &MosaicView<'_>,
    token: &str,
    error: Option<&str>,
) -> Markup {
    let t = f.t();
    layout(
        f,
        t.login_with_mobile,
        html! {
            h1 { (t.login_with_mobile) }
            (error_box(error))
            ol.steps { @for s in t.login_steps { li { (s) } } }
            (mosaic(f, view))
            @if view.seconds_left.is_some() {
                (otp_form(f, "/login/otp", t.otp, "otp-submit", t.authenticate))
            } @else {
                (reissue_form(f, "/login/mobile", Some(token)))
            }
        },
    )
}

/// A page with a message and a way on.
pub fn message(
    f: &Frame<'_>,
    title: &str,
    text: &str,
    link: Option<(&str, &str)>,
    id: &str,
) -> Markup {
    layout(
        f,
        title,
        html! {
            h1 id=(id) { (title) }
            p { (text) }
            @if let Some((href, label)) = link {
                p { a href=(href) { (label) } }
            }
        },
    )
}

/// Signed in.
pub fn welcome(f: &Frame<'_>, name: &str) -> Markup {
    let t = f.t();
    layout(
        f,
        t.connected,
        html! {
            h1 id="connected" { (t.connected) }
            p { (f.lang.welcome(name)) }
            ul.actions {
                li { a href="/account" { (t.my_account) } }
                li { a href="/transfer" { (t.transfer) } }
            }
        },
    )
}

/// "Mon compte": the mobiles, add and remove.
pub fn account(
    f: &Frame<'_>,
    mobiles: &[MobileView],
    notice: Option<&str>,
    hint: Option<&str>,
    can_add: bool,
    can_remove: bool,
) -> Markup {
    let t = f.t();
    layout(
        f,
        t.my_account,
        html! {
            h1 { (t.my_account) }
            @if let Some(n) = notice { p.notice role="status" id="notice" { (n) } }
            @if let Some(h) = hint { p.hint { (h) } }
            h2 { (t.your_mobiles) }
            @if mobiles.is_empty() {
                p id="no-mobile" { (t.no_mobile) }
            } @else {
                ul.mobiles id="mobiles" {
                    @for m in mobiles {
                        li {
                            span { (m.label) }
                            @if can_remove {
                                form.inline method="post" action="/account/remove" {
                                    (csrf_field(f))
                                    input type="hidden" name="token" value=(m.id);
                                    button.secondary type="submit" { (t.remove) }
                                }
                            }
                        }
                    }
                }
            }
            @if can_add {
                form method="post" action="/account/add" {
                    (csrf_field(f))
                    button id="add-mobile" type="submit" { (t.add_mobile) }
                }
            }
        },
    )
}

/// "Ajouter un mobile": the activation mosaic, the code, the confirmation.
pub fn activation(f: &Frame<'_>, view: &MosaicView<'_>, code: &str, error: Option<&str>) -> Markup {
    let t = f.t();
    layout(
        f,
        t.add_mobile,
        html! {
            h1 { (t.add_mobile) }
            (error_box(error))
            ol.steps { @for s in t.activation_steps { li { (s) } } }
            (mosaic(f, view))
            @if view.seconds_left.is_some() {
                p.code {
                    (t.activation_code)
                    @if f.lang == Lang::Fr { " : " } @else { ": " }
                    strong id="activation-code" { (code) }
                }
                p.hint { (t.activation_code_note) }
                (confirmation_form(f))
            } @else {
                form method="post" action="/account/add" {
                    (csrf_field(f))
                    button id="reissue" type="submit" { (t.add_mobile) }
                }
            }
        },
    )
}

/// The values of the transfer form.
#[derive(Debug, Default)]
pub struct TransferValues<'a> {
    /// Amount as typed.
    pub amount: &'a str,
    /// Payee as typed.
    pub payee: &'a str,
    /// IBAN as typed.
    pub iban: &'a str,
    /// Reference as typed.
    pub reference: &'a str,
}

/// "Virement": amount, payee, IBAN, reference, mobile.
pub fn transfer_form(
    f: &Frame<'_>,
    values: &TransferValues<'_>,
    mobiles: &[MobileView],
    error: Option<&str>,
) -> Markup {
    let t = f.t();
    layout(
        f,
        t.transfer,
        html! {
            h1 { (t.transfer) }
            (error_box(error))
            p { (t.transfer_intro) }
            form method="post" action="/transfer" {
                (csrf_field(f))
                label for="amount" { (t.amount) }
                input id="amount" name="amount" type="text" inputmode="decimal" required maxlength="20" value=(values.amount);
                label for="payee" { (t.payee) }
                input id="payee" name="payee" type="text" required maxlength="70" value=(values.payee);
                label for="iban" { (t.iban) }
                input id="iban" name="iban" type="text" required maxlength="42" value=(values.iban);
                label for="reference" { (t.reference) }
                input id="reference" name="reference" type="text" maxlength="35" value=(values.reference);
                @if mobiles.len() > 1 {
                    label for="token" { (t.mobile) }
                    select id="token" name="token" {
                        @for m in mobiles { option value=(m.id) { (m.label) } }
                    }
                }
                button id="transfer-submit" type="submit" { (t.sign_with_mobile) }
            }
        },
    )
}

/// An IBAN in groups of four, as printed on paper.
pub fn group_iban(iban: &str) -> String {
    let chars: Vec<char> = iban.chars().collect();
    chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

fn transaction_summary(f: &Frame<'_>, tx: &Transaction) -> Markup {
    let t = f.t();
    html! {
        dl.transaction id="transaction" {
            dt { (t.amount) } dd id="tx-amount" { (tx.amount) " " (tx.currency) }
            dt { (t.payee) } dd id="tx-payee" { (tx.payee) }
            dt { (t.iban) } dd id="tx-iban" { (group_iban(&tx.iban)) }
            @if let Some(r) = &tx.reference {
                dt { (t.reference) } dd id="tx-reference" { (r) }
            }
        }
    }
}

/// The transfer's mosaic and the OTP field.
pub fn transfer_sign(
    f: &Frame<'_>,
    tx: &Transaction,
    view: &MosaicView<'_>,
    token: &str,
    error: Option<&str>,
) -> Markup {
    let t = f.t();
    layout(
        f,
        t.sign_title,
        html! {
            h1 { (t.sign_title) }
            (error_box(error))
            p { (t.sign_check) }
            (transaction_summary(f, tx))
            ol.steps { @for s in t.sign_steps { li { (s) } } }
            (mosaic(f, view))
            @if view.seconds_left.is_some() {
                (otp_form(f, "/transfer/sign", t.otp, "sign-submit", t.confirm_transfer))
            } @else {
                (reissue_form(f, "/transfer/reissue", Some(token)))
            }
        },
    )
}

/// The transfer was signed.
pub fn transfer_done(f: &Frame<'_>, tx: &Transaction) -> Markup {
    let t = f.t();
    layout(
        f,
        t.transfer_done,
        html! {
            h1 id="transfer-done" { (t.transfer_done) }
            p { (t.transfer_done_text) }
            (transaction_summary(f, tx))
            p { a href="/transfer" { (t.new_transfer) } }
        },
    )
}

/// The civil date (UTC) of a Unix time, `YYYY-MM-DD`.
pub fn date(unix: u64) -> String {
    // Howard Hinnant's days-to-civil algorithm.
    let days = i64::try_from(unix / 86_400).unwrap_or(0) + 719_468;
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The stylesheet (served as `/static/style.css`; inline styles are
/// forbidden by the Content-Security-Policy).
pub const STYLE: &str = include_str!("style.css");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(date(0), "1970-01-01");
        assert_eq!(date(951_782_400), "2000-02-29");
        assert_eq!(date(1_764_400_000), "2025-11-29");
    }

    #[test]
    fn everything_interpolated_is_escaped() {
        let f = Frame {
            lang: Lang::En,
            csrf: "\"><script>",
            user: Some("<b>Eve</b>"),
            full: true,
            path: "/\"x",
            refresh: None,
        };
        let page = welcome(&f, "<script>alert(1)</script>").into_string();
        assert!(!page.contains("<script>"), "{page}");
        assert!(!page.contains("<b>Eve"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}
