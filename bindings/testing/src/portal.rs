//! [`TestPortal`]: the reference portal (`tessera_portal::Portal` over an
//! in-memory SQLite store) exported next to the authenticator, so the Kotlin
//! and Python tests run activation, login and transaction flows against a
//! real relying party in one process. The activation code it returns is a
//! secret in a real deployment; here it stands for the letter the user would
//! receive.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tessera_core::mosaic::{ActivationCode, MosaicKind, Transaction};
use tessera_core::sync::lock;
use tessera_ffi::TesseraError;
use tessera_portal::{Portal, PortalConfig, SqliteStore};

use crate::{bad_input, refused};

/// A challenge the test portal issued.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TestChallenge {
    /// The portal's id of the challenge, to verify the OTP against.
    pub id: String,
    /// The mosaic's payload (sealed: no secret in clear).
    pub mosaic: Vec<u8>,
}

/// TEST ONLY: the reference portal, in memory. Times are parameters, so a
/// test drives the portal's clock and the fake `Clock` together.
#[derive(uniffi::Object)]
pub struct TestPortal {
    origin: String,
    portal: Mutex<Portal<SqliteStore>>,
    codes: Mutex<HashMap<String, ActivationCode>>,
}

impl std::fmt::Debug for TestPortal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestPortal")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

#[uniffi::export]
impl TestPortal {
    /// A portal at `origin` (e.g. `https://portal.example.lu`) with an empty store.
    #[uniffi::constructor]
    pub fn new(origin: String) -> Result<Arc<Self>, TesseraError> {
        let store = SqliteStore::in_memory().map_err(refused)?;
        Ok(Arc::new(Self {
            origin,
            portal: Mutex::new(Portal::new(store, PortalConfig::default())),
            codes: Mutex::new(HashMap::new()),
        }))
    }

    /// "Add a mobile" for `user_id`: the activation mosaic's payload. The
    /// activation code goes "by letter": [`activation_code`](Self::activation_code).
    pub fn enroll(&self, user_id: String, now: u64) -> Result<Vec<u8>, TesseraError> {
        let enrollment = lock(&self.portal)
            .enroll(&user_id, &self.origin, now)
            .map_err(refused)?;
        lock(&self.codes).insert(user_id, enrollment.code);
        Ok(enrollment.mosaic)
    }

    /// The activation code of `user_id`'s last enrolment, as printed in the letter.
    pub fn activation_code(&self, user_id: String) -> Result<String, TesseraError> {
        lock(&self.codes)
            .get(&user_id)
            .map(|c| c.display().to_string())
            .ok_or_else(|| bad_input("no enrolment for this user"))
    }

    /// Confirms the activation with the confirmation code the phone showed.
    pub fn confirm(&self, user_id: String, code: String, now: u64) -> Result<(), TesseraError> {
        lock(&self.portal)
            .confirm(&user_id, &code, now)
            .map(|_| ())
            .map_err(refused)
    }

    /// A login challenge for `user_id`'s mobile.
    pub fn login(&self, user_id: String, now: u64) -> Result<TestChallenge, TesseraError> {
        let issued = lock(&self.portal).login(&user_id, now).map_err(refused)?;
        Ok(TestChallenge {
            id: issued.id,
            mosaic: issued.mosaic,
        })
    }

    /// A transaction for `user_id`'s mobile to sign.
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        &self,
        user_id: String,
        amount: String,
        currency: String,
        payee: String,
        iban: String,
        reference: Option<String>,
        now: u64,
    ) -> Result<TestChallenge, TesseraError> {
        let transaction = Transaction {
            amount,
            currency,
            payee,
            iban,
            reference,
            text: None,
        };
        let issued = lock(&self.portal)
            .sign(&user_id, transaction, now)
            .map_err(refused)?;
        Ok(TestChallenge {
            id: issued.id,
            mosaic: issued.mosaic,
        })
    }

    /// Accepts `otp` for challenge `challenge_id` (login or transaction of
    /// `user_id`), or throws `BadInput` with the portal's reason.
    pub fn verify(
        &self,
        challenge_id: String,
        user_id: String,
        transaction: bool,
        otp: String,
        now: u64,
    ) -> Result<(), TesseraError> {
        let kind = if transaction {
            MosaicKind::Transaction
        } else {
            MosaicKind::Login
        };
        lock(&self.portal)
            .verify(&challenge_id, &otp, Some((&user_id, kind)), now)
            .map(|_| ())
            .map_err(refused)
    }
}
