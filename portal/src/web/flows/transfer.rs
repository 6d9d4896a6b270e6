//! "Virement": the form, the transaction's mosaic and its OTP, a new
//! mosaic once one expired, the signed transfer.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::Markup;
use serde::Deserialize;
use tessera_core::mosaic::{MosaicError, MosaicKind, TokenId, Transaction};

use super::super::WebPortal;
use super::super::ctx::Ctx;
use super::super::i18n::Texts;
use super::super::pages::{self, TransferValues};
use super::super::reply::{error_page, html, internal, log_error, see_other};
use super::super::session::TransferFlow;
use super::{
    App, OtpForm, TokenForm, active_tokens, blocking, mosaic_src, mosaic_view, pending_of, refusal,
    typed_otp,
};
use crate::PortalError;

/// GET /transfer: "Virement".
pub async fn transfer_get(State(app): App, ctx: Ctx) -> Response {
    let Some(user) = ctx.full_user() else {
        return ctx.finish(&app, see_other("/account"));
    };
    let Some(tokens) = active_tokens(&app, &user).await else {
        return ctx.finish(&app, internal());
    };
    let page = pages::transfer_form(
        &ctx.frame(),
        &TransferValues::default(),
        &ctx.mobile_views(&tokens),
        None,
    );
    ctx.finish(&app, html(StatusCode::OK, page))
}

/// The transfer form.
#[derive(Deserialize)]
pub struct TransferForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    payee: String,
    #[serde(default)]
    iban: String,
    #[serde(default)]
    reference: String,
    #[serde(default)]
    token: String,
}

/// The transaction of the form, in the protocol's forms: amount with a
/// point ("120,50" is accepted), IBAN without spaces in capitals.
fn transaction_of(form: &TransferForm) -> Transaction {
    let amount: String = form
        .amount
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{202f}')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    let reference = form.reference.trim();
    Transaction {
        amount,
        currency: "EUR".to_owned(),
        payee: form.payee.trim().to_owned(),
        iban: form
            .iban
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase(),
        reference: (!reference.is_empty()).then(|| reference.to_owned()),
        text: None,
    }
}

/// The message of a field the protocol refused.
fn field_error(t: &Texts, e: &MosaicError) -> &'static str {
    match e {
        MosaicError::InvalidField {
            field: "amount", ..
        } => t.invalid_amount,
        MosaicError::InvalidField { field: "payee", .. } => t.invalid_payee,
        MosaicError::InvalidField { field: "IBAN", .. } => t.invalid_iban,
        MosaicError::InvalidField {
            field: "reference", ..
        } => t.invalid_reference,
        _ => t.error,
    }
}

/// POST /transfer: issues the transaction challenge.
pub async fn transfer_post(
    State(app): App,
    mut ctx: Ctx,
    Form(form): Form<TransferForm>,
) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let Some(user) = ctx.full_user() else {
        return ctx.finish(&app, see_other("/account"));
    };
    let transaction = transaction_of(&form);
    let token = form.token.trim().parse::<TokenId>().ok();
    let issued = {
        let (app, user, tx, now) = (app.clone(), user.clone(), transaction.clone(), ctx.now);
        blocking(move || {
            let mut portal = app.portal();
            match token {
                Some(token) => portal.sign_with(&user, token, tx, now),
                None => portal.sign(&user, tx, now),
            }
        })
        .await
    };
    match issued {
        Some(Ok(issued)) => {
            ctx.session.transfer = Some(TransferFlow {
                transaction,
                pending: pending_of(issued),
            });
            ctx.finish(&app, see_other("/transfer/sign"))
        }
        Some(Err(PortalError::Mosaic(e))) => {
            let Some(tokens) = active_tokens(&app, &user).await else {
                return ctx.finish(&app, internal());
            };
            let values = TransferValues {
                amount: &form.amount,
                payee: &form.payee,
                iban: &form.iban,
                reference: &form.reference,
            };
            let msg = field_error(ctx.t(), &e);
            let page =
                pages::transfer_form(&ctx.frame(), &values, &ctx.mobile_views(&tokens), Some(msg));
            ctx.finish(&app, html(StatusCode::UNPROCESSABLE_ENTITY, page))
        }
        Some(Err(PortalError::TokenLocked)) => {
            let text = ctx.t().token_locked;
            error_page(ctx, &app, StatusCode::LOCKED, text)
        }
        Some(Err(PortalError::NoActiveToken(_))) => ctx.finish(&app, see_other("/account")),
        Some(Err(e)) => {
            log_error(&app, "sign", &e);
            ctx.finish(&app, internal())
        }
        None => ctx.finish(&app, internal()),
    }
}

fn transfer_page(app: &WebPortal, ctx: &Ctx, f: &TransferFlow, error: Option<&str>) -> Markup {
    let p = &f.pending;
    let src = mosaic_src("transfer.png", &p.id);
    let view = mosaic_view(app, &src, &p.mosaic, p.expires_at, ctx.now);
    let refresh = view.seconds_left.map(|s| s + 1);
    pages::transfer_sign(
        &ctx.frame_refreshing(refresh),
        &f.transaction,
        &view,
        &p.token.to_string(),
        error,
    )
}

/// GET /transfer/sign: the transaction, its mosaic and the OTP field.
pub async fn transfer_sign_get(State(app): App, ctx: Ctx) -> Response {
    let (Some(_), Some(f)) = (ctx.full_user(), ctx.session.transfer.clone()) else {
        return ctx.finish(&app, see_other("/transfer"));
    };
    let page = transfer_page(&app, &ctx, &f, None);
    ctx.finish(&app, html(StatusCode::OK, page))
}

/// POST /transfer/sign: the portal decides on the transaction's OTP.
pub async fn transfer_sign_post(
    State(app): App,
    mut ctx: Ctx,
    Form(form): Form<OtpForm>,
) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let (Some(user), Some(mut f)) = (ctx.full_user(), ctx.session.transfer.clone()) else {
        return ctx.finish(&app, see_other("/transfer"));
    };
    if let Some(secs) = ctx.address_blocked(&app) {
        let msg = ctx.lang.throttled(secs);
        let page = transfer_page(&app, &ctx, &f, Some(&msg));
        return ctx.finish(&app, html(StatusCode::TOO_MANY_REQUESTS, page));
    }
    let otp = typed_otp(&form.otp);
    let verdict = {
        let (app, id, now) = (app.clone(), f.pending.id.clone(), ctx.now);
        blocking(move || {
            app.portal()
                .verify(&id, &otp, Some((&user, MosaicKind::Transaction)), now)
        })
        .await
    };
    match verdict {
        Some(Ok(accepted)) => {
            ctx.session.signed = accepted.transaction;
            ctx.session.transfer = None;
            ctx.finish(&app, see_other("/transfer/done"))
        }
        Some(Err(e)) => match refusal(ctx.lang, &e) {
            Some((status, msg, counts)) => {
                if counts {
                    ctx.address_failed(&app);
                }
                if e == PortalError::TokenLocked {
                    ctx.session.transfer = None;
                    return error_page(ctx, &app, status, &msg);
                }
                if matches!(e, PortalError::Expired | PortalError::AlreadyAnswered) {
                    f.pending.expires_at = 0;
                    ctx.session.transfer = Some(f.clone());
                }
                let page = transfer_page(&app, &ctx, &f, Some(&msg));
                ctx.finish(&app, html(status, page))
            }
            None => {
                log_error(&app, "transfer verify", &e);
                ctx.finish(&app, internal())
            }
        },
        None => ctx.finish(&app, internal()),
    }
}

/// POST /transfer/reissue: a new mosaic for the same transfer once the
/// first expired.
pub async fn transfer_reissue(
    State(app): App,
    mut ctx: Ctx,
    Form(form): Form<TokenForm>,
) -> Response {
    if !ctx.csrf_ok(&form.csrf) {
        return ctx.forbidden(&app);
    }
    let (Some(user), Some(f)) = (ctx.full_user(), ctx.session.transfer.clone()) else {
        return ctx.finish(&app, see_other("/transfer"));
    };
    let issued = {
        let (app, tx, token, now) = (app.clone(), f.transaction.clone(), f.pending.token, ctx.now);
        blocking(move || app.portal().sign_with(&user, token, tx, now)).await
    };
    match issued {
        Some(Ok(issued)) => {
            ctx.session.transfer = Some(TransferFlow {
                transaction: f.transaction,
                pending: pending_of(issued),
            });
            ctx.finish(&app, see_other("/transfer/sign"))
        }
        Some(Err(PortalError::TokenLocked)) => {
            let text = ctx.t().token_locked;
            error_page(ctx, &app, StatusCode::LOCKED, text)
        }
        Some(Err(e)) => {
            log_error(&app, "reissue", &e);
            ctx.finish(&app, see_other("/transfer"))
        }
        None => ctx.finish(&app, internal()),
    }
}

/// GET /transfer/done: the signed transfer.
pub async fn transfer_done(State(app): App, ctx: Ctx) -> Response {
    let (Some(_), Some(tx)) = (ctx.full_user(), ctx.session.signed.clone()) else {
        return ctx.finish(&app, see_other("/transfer"));
    };
    let page = pages::transfer_done(&ctx.frame(), &tx);
    ctx.finish(&app, html(StatusCode::OK, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transfer_fields_are_normalised() {
        let form = TransferForm {
            csrf: String::new(),
            amount: " 1 120,50 ".into(),
            payee: "  Boulangerie Schmit ".into(),
            iban: "lu28 0019 4006 4475 0000".into(),
            reference: "  ".into(),
            token: String::new(),
        };
        let tx = transaction_of(&form);
        assert_eq!(tx.amount, "1120.50");
        assert_eq!(tx.payee, "Boulangerie Schmit");
        assert_eq!(tx.iban, "LU280019400644750000");
        assert_eq!(tx.reference, None);
    }
}
