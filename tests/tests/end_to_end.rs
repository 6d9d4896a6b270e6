//! The flows end to end through real images: the portal renders its
//! coloured mosaic, a camera model (the benchmark's pose, blur, colour cast
//! and sensor noise) turns it into a phone's camera frame, the phone scans
//! it, reads it, approves it with the passcode, and the portal decides. Then
//! every way it can go wrong, each with its own error and the portal's state
//! checked afterwards.

// Helpers outside #[test] functions unwrap too: a panic here is a failed test.
#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use tessera_bench::Format;
use tessera_bench::degrade;
use tessera_bench::raster::Rgb;
use tessera_bench::rng::Rng;
use tessera_bench::scene;
use tessera_bench::warp::{self, Homography, Pose, Surface};
use tessera_bench::yuv;
use tessera_core::authenticator::{ActivationRequest, ChallengeRequest};
use tessera_core::authenticator::{AuthError, Authenticator, AuthenticatorConfig, Request};
use tessera_core::mosaic::{Challenge, Envelope, MosaicError, MosaicKind, TokenId, Transaction};
use tessera_core::platform::Clock;
use tessera_core::scan::Frame;
use tessera_core::vault::testing::FakePlatform;
use tessera_core::vault::{Passcode, TokenKind, VaultConfig, VaultError};
use tessera_portal::{
    Portal, PortalConfig, PortalError, PortalStore, SqliteStore, keys_of, render,
};

const ORIGIN: &str = "https://portal.example.lu";
const PASS: &str = "k7#pQ2!vCanary";
/// The camera's frame size (a preview stream).
const W: usize = 800;
const H: usize = 600;
/// Pixels per module in the portal's rendering.
const RENDER_PX: u32 = 4;
const DEG: f64 = std::f64::consts::PI / 180.0;

/// How the camera sees the screen.
#[derive(Debug, Clone, Copy)]
struct Shot {
    seed: u64,
    /// Frame pixels per module at the centre of the code.
    ppm: f64,
    rotation_deg: f64,
    tilt_deg: (f64, f64),
    /// Lens blur, standard deviation in pixels.
    blur: f64,
    /// White balance: a colour cast as gains on R, G and B.
    gains: [f32; 3],
    /// Sensor read noise (8-bit steps).
    noise: f64,
    /// The frame's pixel layout.
    nv21: bool,
}

/// Warm light, slight tilt: an RGBA frame.
const WARM: Shot = Shot {
    seed: 1,
    ppm: 4.5,
    rotation_deg: 7.0,
    tilt_deg: (8.0, -5.0),
    blur: 0.9,
    gains: [1.08, 0.97, 0.84],
    noise: 4.0,
    nv21: false,
};

/// Cool light, the other way round: an NV21 frame, as Android's camera gives.
const COOL: Shot = Shot {
    seed: 2,
    ppm: 5.0,
    rotation_deg: -12.0,
    tilt_deg: (-6.0, 8.0),
    blur: 0.8,
    gains: [0.88, 0.98, 1.1],
    noise: 5.0,
    nv21: true,
};

/// Turned well off square and tilted, with more blur and noise.
const ANGLED: Shot = Shot {
    seed: 3,
    ppm: 4.5,
    rotation_deg: 35.0,
    tilt_deg: (5.0, 3.0),
    blur: 1.1,
    gains: [1.0, 0.93, 1.05],
    noise: 7.0,
    nv21: false,
};

/// The mosaic as the portal renders it, photographed with `shot`: 8-bit RGB.
fn photograph(mosaic: &[u8], shot: &Shot) -> Vec<u8> {
    let mut rng = Rng::new(shot.seed);
    let img = render::image(mosaic, RENDER_PX).unwrap();
    let side = img.width() as usize;
    let mut surface = Rgb::new(side, side, [0.0; 3]);
    for (p, q) in surface.px.iter_mut().zip(img.as_raw().chunks(3)) {
        *p = [f32::from(q[0]), f32::from(q[1]), f32::from(q[2])];
    }
    let units = f64::from(img.width() / RENDER_PX);
    let surface = Surface {
        img: surface,
        units,
    };
    let pose = Pose {
        scale: shot.ppm,
        rotation: shot.rotation_deg * DEG,
        tilt_x: shot.tilt_deg.0 * DEG,
        tilt_y: shot.tilt_deg.1 * DEG,
        focal: W as f64,
    };
    let src = [[0.0, 0.0], [units, 0.0], [units, units], [0.0, units]];
    let dst = pose
        .project(units, &src)
        .map(|[x, y]| [x + W as f64 / 2.0, y + H as f64 / 2.0]);
    assert!(
        dst.iter()
            .all(|[x, y]| (0.0..W as f64).contains(x) && (0.0..H as f64).contains(y)),
        "the code does not fit in the frame: {dst:?}"
    );
    let to_frame = Homography::from_quads(&src, &dst).unwrap();
    let mut frame = scene::background(&mut rng, W, H);
    warp::composite(&mut frame, &surface, &to_frame, 2).unwrap();
    let centre = (W as f64 / 2.0, H as f64 / 2.0);
    degrade::light_gradient(
        &mut frame,
        centre,
        (W as f64).hypot(H as f64),
        (0.85, 1.05),
        0.5,
    );
    for p in &mut frame.px {
        for (v, g) in p.iter_mut().zip(shot.gains) {
            *v *= g;
        }
    }
    degrade::gaussian_blur(&mut frame, shot.blur);
    degrade::sensor_noise(&mut frame, &mut rng, shot.noise, 0.05);
    frame.to_rgb8()
}

/// Frames of the preview stream the phone tries before giving up (less than
/// half a second of a 30 fps preview).
const STREAM: usize = 12;

/// The `i`-th frame of a preview stream aimed at the mosaic: the hand moves
/// a little between frames (rotation, distance) and the sensor noise is new.
fn frame_of(shot: &Shot, i: usize) -> Shot {
    const SHAKE: [f64; STREAM] = [
        0.0, 2.0, -2.0, 3.5, -3.5, 5.0, -5.0, 6.5, -6.5, 8.0, -8.0, 9.5,
    ];
    Shot {
        seed: shot.seed.wrapping_mul(1000).wrapping_add(i as u64),
        rotation_deg: shot.rotation_deg + SHAKE[i % STREAM],
        ppm: shot.ppm * (1.0 + 0.015 * i as f64),
        ..*shot
    }
}

/// The codes the phone's scanner finds in one camera frame of `mosaic`.
fn scan_frame(auth: &Authenticator, mosaic: &[u8], shot: &Shot) -> Vec<Vec<u8>> {
    let rgb = photograph(mosaic, shot);
    let found = if shot.nv21 {
        // Android pads rows to an alignment; the padding holds garbage.
        let stride = W.div_ceil(64) * 64 + 64;
        let (bytes, _) = yuv::encode(&rgb, W, H, Format::Nv21, stride, &mut Rng::new(shot.seed));
        auth.scan(&Frame::nv21(W as u32, H as u32, &bytes, stride).unwrap())
    } else {
        let stride = W * 4 + 32;
        let mut rgba = vec![0xEE; stride * H];
        for (y, row) in rgb.chunks(W * 3).enumerate() {
            for (x, p) in row.chunks(3).enumerate() {
                let o = y * stride + x * 4;
                rgba[o..o + 4].copy_from_slice(&[p[0], p[1], p[2], 255]);
            }
        }
        auth.scan(&Frame::rgba(W as u32, H as u32, &rgba, stride).unwrap())
    };
    found.into_iter().map(|d| d.payload).collect()
}

/// The payload the phone reads from a preview stream of `mosaic` (as the
/// app does: frames until one reads).
fn scan_photo(auth: &Authenticator, mosaic: &[u8], shot: &Shot) -> Vec<u8> {
    for i in 0..STREAM {
        let found = scan_frame(auth, mosaic, &frame_of(shot, i));
        if let Some(payload) = found.into_iter().next() {
            assert_eq!(payload, mosaic, "{shot:?}: the scanner read other bytes");
            return payload;
        }
    }
    panic!("{shot:?}: no frame of {STREAM} read");
}

fn passcode() -> Passcode {
    Passcode::new(PASS.as_bytes().to_vec())
}

fn payment(amount: &str) -> Transaction {
    Transaction {
        amount: amount.into(),
        currency: "EUR".into(),
        payee: "Boulangerie Schmit".into(),
        iban: "LU280019400644750000".into(),
        reference: Some("Facture 2026-1187".into()),
        text: None,
    }
}

/// A phone: its doubles (for the clock) and its authenticator.
struct Phone {
    fake: FakePlatform,
    auth: Authenticator,
}

impl Phone {
    fn new() -> Self {
        let fake = FakePlatform::new();
        let config = AuthenticatorConfig {
            vault: VaultConfig::floor(),
            ..AuthenticatorConfig::default()
        };
        let auth = Authenticator::new(fake.platform(), config).unwrap();
        Self { fake, auth }
    }

    fn now(&self) -> u64 {
        self.fake.clock.now_unix()
    }

    /// Photographs, scans and reads a mosaic.
    fn read(&self, mosaic: &[u8], shot: &Shot) -> Result<Request, AuthError> {
        let payload = scan_photo(&self.auth, mosaic, shot);
        self.auth.read(&payload)
    }

    fn activation(&self, mosaic: &[u8], shot: &Shot) -> ActivationRequest {
        match self.read(mosaic, shot).unwrap() {
            Request::Activation(r) => r,
            other => panic!("expected an activation, got {other:?}"),
        }
    }

    fn challenge(&self, mosaic: &[u8], shot: &Shot) -> Result<ChallengeRequest, AuthError> {
        match self.read(mosaic, shot)? {
            Request::Challenge(c) => Ok(c),
            other => panic!("expected a challenge, got {other:?}"),
        }
    }

    /// Scans, shows and approves: the OTP to type.
    fn approve(&self, mosaic: &[u8], shot: &Shot) -> Result<String, AuthError> {
        let request = self.challenge(mosaic, shot)?;
        let otp = self.auth.approve_with_passcode(&request, &passcode())?;
        Ok(otp.as_str().to_owned())
    }

    /// The whole activation through a photographed mosaic: the token id.
    fn activate(&self, portal: &mut Portal<SqliteStore>, user: &str, origin: &str) -> TokenId {
        let e = portal.enroll(user, origin, self.now()).unwrap();
        let request = self.activation(&e.mosaic, &WARM);
        let preview = self
            .auth
            .unseal_activation(&request, &e.code.display())
            .unwrap();
        let done = self
            .auth
            .complete_activation(&preview, &passcode())
            .unwrap();
        portal
            .confirm(user, done.confirmation.as_str(), self.now())
            .unwrap()
    }
}

fn portal() -> Portal<SqliteStore> {
    Portal::new(SqliteStore::in_memory().unwrap(), PortalConfig::default())
}

fn failures(portal: &Portal<SqliteStore>, token: &TokenId) -> u32 {
    portal.store().token(token).unwrap().unwrap().failures
}

fn answered(portal: &Portal<SqliteStore>, id: &str) -> bool {
    let nonce = tessera_portal::parse_challenge_id(id).unwrap();
    portal.store().challenge(&nonce).unwrap().unwrap().answered
}

#[test]
fn activation_login_and_transaction_through_camera_frames() {
    let phone = Phone::new();
    let mut portal = portal();

    // Activation: the portal's mosaic, photographed in warm light.
    let e = portal.enroll("alice", ORIGIN, phone.now()).unwrap();
    let request = phone.activation(&e.mosaic, &WARM);
    let preview = phone
        .auth
        .unseal_activation(&request, &e.code.display())
        .unwrap();
    assert_eq!((preview.origin(), preview.user_id()), (ORIGIN, "alice"));
    let done = phone
        .auth
        .complete_activation(&preview, &passcode())
        .unwrap();
    let token = portal
        .confirm("alice", done.confirmation.as_str(), phone.now())
        .unwrap();
    assert_eq!(token, e.token_id);

    // Login: an NV21 frame in cool light.
    let issued = portal.login("alice", phone.now()).unwrap();
    let request = phone.challenge(&issued.mosaic, &COOL).unwrap();
    assert_eq!(request.kind(), MosaicKind::Login);
    assert_eq!(request.challenge().user_id, "alice");
    assert_eq!(request.challenge().origin, ORIGIN);
    let otp = phone
        .auth
        .approve_with_passcode(&request, &passcode())
        .unwrap();
    let accepted = portal
        .verify(
            &issued.id,
            otp.as_str(),
            Some(("alice", MosaicKind::Login)),
            phone.now(),
        )
        .unwrap();
    assert_eq!(
        (accepted.user_id.as_str(), accepted.token_id),
        ("alice", token)
    );

    // A transaction, at an angle: the phone shows exactly what it signs.
    let issued = portal
        .sign("alice", payment("120.50"), phone.now())
        .unwrap();
    let request = phone.challenge(&issued.mosaic, &ANGLED).unwrap();
    assert_eq!(
        request.challenge().transaction.as_ref(),
        Some(&payment("120.50"))
    );
    let otp = phone
        .auth
        .approve_with_passcode(&request, &passcode())
        .unwrap();
    let accepted = portal
        .verify(
            &issued.id,
            otp.as_str(),
            Some(("alice", MosaicKind::Transaction)),
            phone.now(),
        )
        .unwrap();
    assert_eq!(accepted.transaction, Some(payment("120.50")));
    assert_eq!(failures(&portal, &token), 0);
}

#[test]
fn the_wrong_device_cannot_read_it_and_the_right_one_still_can() {
    let alice = Phone::new();
    let bob = Phone::new();
    let mut portal = portal();
    let token = alice.activate(&mut portal, "alice", ORIGIN);
    bob.activate(&mut portal, "bob", ORIGIN);
    let issued = portal.login("alice", alice.now()).unwrap();
    assert_eq!(
        bob.challenge(&issued.mosaic, &COOL).unwrap_err(),
        AuthError::Mosaic(MosaicError::NotForThisDevice)
    );
    // A phone that was never activated says the same.
    assert_eq!(
        Phone::new().challenge(&issued.mosaic, &WARM).unwrap_err(),
        AuthError::Mosaic(MosaicError::NotForThisDevice)
    );
    assert!(!answered(&portal, &issued.id));
    assert_eq!(failures(&portal, &token), 0);
    let otp = alice.approve(&issued.mosaic, &WARM).unwrap();
    portal.verify(&issued.id, &otp, None, alice.now()).unwrap();
}

#[test]
fn expired_on_the_phone_and_at_the_portal() {
    let phone = Phone::new();
    let mut portal = portal();
    let token = phone.activate(&mut portal, "alice", ORIGIN);
    let lifetime = PortalConfig::default().challenge_lifetime;
    let skew = AuthenticatorConfig::default().max_clock_skew_secs;
    let issued = portal.login("alice", phone.now()).unwrap();
    let start = phone.now();

    // The phone refuses a mosaic past its expiry (with the tolerance).
    phone.fake.clock.set(start + lifetime + skew + 1);
    assert_eq!(
        phone.challenge(&issued.mosaic, &WARM).unwrap_err(),
        AuthError::Mosaic(MosaicError::Expired)
    );

    // An OTP obtained in time but typed too late: the portal refuses it and
    // counts no failure.
    phone.fake.clock.set(start + 30);
    let otp = phone.approve(&issued.mosaic, &WARM).unwrap();
    assert_eq!(
        portal
            .verify(&issued.id, &otp, None, start + lifetime + 1)
            .unwrap_err(),
        PortalError::Expired
    );
    assert_eq!(failures(&portal, &token), 0);
    assert!(!answered(&portal, &issued.id));

    // A fresh challenge works.
    let now = start + lifetime + 2;
    phone.fake.clock.set(now);
    let issued = portal.login("alice", now).unwrap();
    let otp = phone.approve(&issued.mosaic, &COOL).unwrap();
    portal.verify(&issued.id, &otp, None, now).unwrap();
}

#[test]
fn a_replayed_otp_is_refused() {
    let phone = Phone::new();
    let mut portal = portal();
    let token = phone.activate(&mut portal, "alice", ORIGIN);
    let issued = portal.login("alice", phone.now()).unwrap();
    let otp = phone.approve(&issued.mosaic, &WARM).unwrap();
    portal.verify(&issued.id, &otp, None, phone.now()).unwrap();
    // The same OTP for the same challenge again: already answered, no failure.
    assert_eq!(
        portal
            .verify(&issued.id, &otp, None, phone.now())
            .unwrap_err(),
        PortalError::AlreadyAnswered
    );
    assert_eq!(failures(&portal, &token), 0);
    // The old OTP for a new challenge: wrong (and counted).
    let fresh = portal.login("alice", phone.now()).unwrap();
    assert_eq!(
        portal
            .verify(&fresh.id, &otp, None, phone.now())
            .unwrap_err(),
        PortalError::WrongOtp { attempts_left: 4 }
    );
    assert_eq!(failures(&portal, &token), 1);
    // The right answer to the new challenge is accepted and resets the count.
    let otp = phone.approve(&fresh.mosaic, &COOL).unwrap();
    portal.verify(&fresh.id, &otp, None, phone.now()).unwrap();
    assert_eq!(failures(&portal, &token), 0);
}

#[test]
fn a_challenge_is_answered_once_on_the_phone_and_at_the_portal() {
    let phone = Phone::new();
    let mut portal = portal();
    let token = phone.activate(&mut portal, "alice", ORIGIN);
    let issued = portal.sign("alice", payment("75.00"), phone.now()).unwrap();
    let otp = phone.approve(&issued.mosaic, &WARM).unwrap();
    // Scanning it again: the phone answered it already.
    assert_eq!(
        phone.approve(&issued.mosaic, &ANGLED).unwrap_err(),
        AuthError::Vault(VaultError::AlreadyAnswered)
    );
    portal.verify(&issued.id, &otp, None, phone.now()).unwrap();
    // A second answer, whatever it is, is refused without counting a failure.
    assert_eq!(
        portal
            .verify(&issued.id, "00000000", None, phone.now())
            .unwrap_err(),
        PortalError::AlreadyAnswered
    );
    assert_eq!(failures(&portal, &token), 0);
}

#[test]
fn a_login_otp_does_not_pass_as_a_transaction() {
    let phone = Phone::new();
    let mut portal = portal();
    let token = phone.activate(&mut portal, "alice", ORIGIN);
    let login = portal.login("alice", phone.now()).unwrap();
    let otp = phone.approve(&login.mosaic, &WARM).unwrap();
    // The payment page expects a transaction: a login challenge is refused
    // for its purpose, before the OTP is even looked at.
    assert_eq!(
        portal
            .verify(
                &login.id,
                &otp,
                Some(("alice", MosaicKind::Transaction)),
                phone.now()
            )
            .unwrap_err(),
        PortalError::Mismatch("purpose")
    );
    assert_eq!(failures(&portal, &token), 0);
    assert!(!answered(&portal, &login.id));
    // The login OTP typed on a pending transaction: wrong, and counted.
    let transfer = portal
        .sign("alice", payment("120.50"), phone.now())
        .unwrap();
    assert_eq!(
        portal
            .verify(
                &transfer.id,
                &otp,
                Some(("alice", MosaicKind::Transaction)),
                phone.now()
            )
            .unwrap_err(),
        PortalError::WrongOtp { attempts_left: 4 }
    );
    assert_eq!(failures(&portal, &token), 1);
    // Both still work for what they are.
    portal
        .verify(
            &login.id,
            &otp,
            Some(("alice", MosaicKind::Login)),
            phone.now(),
        )
        .unwrap();
    let otp = phone.approve(&transfer.mosaic, &COOL).unwrap();
    portal
        .verify(
            &transfer.id,
            &otp,
            Some(("alice", MosaicKind::Transaction)),
            phone.now(),
        )
        .unwrap();
    assert_eq!(failures(&portal, &token), 0);
}

#[test]
fn an_otp_from_one_portal_is_worthless_at_another_origin() {
    const OTHER: &str = "https://portal.example.com";
    let phone = Phone::new();
    let mut here = portal();
    let mut there = portal();
    let token_here = phone.activate(&mut here, "alice", ORIGIN);
    let token_there = phone.activate(&mut there, "alice", OTHER);
    assert_eq!(phone.auth.tokens().unwrap().len(), 2);

    // Both portals ask alice to log in; the OTP of one is typed at the other.
    let a = here.login("alice", phone.now()).unwrap();
    let b = there.login("alice", phone.now()).unwrap();
    let request = phone.challenge(&b.mosaic, &COOL).unwrap();
    assert_eq!(request.challenge().origin, OTHER);
    let otp_here = phone.approve(&a.mosaic, &WARM).unwrap();
    assert_eq!(
        there
            .verify(&b.id, &otp_here, None, phone.now())
            .unwrap_err(),
        PortalError::WrongOtp { attempts_left: 4 }
    );
    assert_eq!(failures(&there, &token_there), 1);
    // Each portal accepts the OTP computed for it.
    here.verify(&a.id, &otp_here, None, phone.now()).unwrap();
    let otp_there = phone
        .auth
        .approve_with_passcode(&request, &passcode())
        .unwrap();
    there
        .verify(&b.id, otp_there.as_str(), None, phone.now())
        .unwrap();
    assert_eq!(failures(&there, &token_there), 0);

    // A mosaic sealed with this token's keys but naming another origin (a
    // portal at another origin that got hold of them) is not for this device.
    let record = here.store().token(&token_here).unwrap().unwrap();
    let forged = Challenge {
        token_id: token_here,
        nonce: [0x42; 12],
        origin: OTHER.into(),
        user_id: "alice".into(),
        issued_at: phone.now(),
        expires_at: phone.now() + 120,
        transaction: None,
    }
    .seal(keys_of(&record).challenge.expose())
    .unwrap();
    assert_eq!(
        phone.challenge(&forged, &ANGLED).unwrap_err(),
        AuthError::Mosaic(MosaicError::NotForThisDevice)
    );
}

#[test]
fn a_tampered_amount_is_refused() {
    let phone = Phone::new();
    let mut portal = portal();
    let token = phone.activate(&mut portal, "alice", ORIGIN);
    let issued = portal
        .sign("alice", payment("120.50"), phone.now())
        .unwrap();
    let request = phone.challenge(&issued.mosaic, &WARM).unwrap();

    // The device computes over a changed amount (what malware on the phone
    // would do): the portal, which knows what it asked, refuses.
    let mut changed = request.challenge().clone();
    changed.transaction = Some(payment("1200.50"));
    let unlocked = phone.auth.unlock_with_passcode(&passcode()).unwrap();
    let wrong = unlocked.respond(request.token().id, &changed).unwrap();
    drop(unlocked);
    assert_eq!(
        portal
            .verify(
                &issued.id,
                wrong.as_str(),
                Some(("alice", MosaicKind::Transaction)),
                phone.now()
            )
            .unwrap_err(),
        PortalError::WrongOtp { attempts_left: 4 }
    );
    assert_eq!(failures(&portal, &token), 1);
    assert!(!answered(&portal, &issued.id));

    // The mosaic itself cannot be changed: one bit of its ciphertext flipped
    // is refused as altered, and nothing of it is shown.
    let mut altered = issued.mosaic.clone();
    let at = altered.len() - 20;
    altered[at] ^= 0x04;
    assert!(Envelope::parse(&altered).is_ok());
    assert_eq!(
        phone.challenge(&altered, &COOL).unwrap_err(),
        AuthError::Mosaic(MosaicError::Tampered)
    );

    // A new transaction, approved as shown, goes through and resets the count.
    let issued = portal
        .sign("alice", payment("120.50"), phone.now())
        .unwrap();
    let otp = phone.approve(&issued.mosaic, &ANGLED).unwrap();
    let accepted = portal
        .verify(
            &issued.id,
            &otp,
            Some(("alice", MosaicKind::Transaction)),
            phone.now(),
        )
        .unwrap();
    assert_eq!(accepted.transaction, Some(payment("120.50")));
    assert_eq!(failures(&portal, &token), 0);
    assert!(matches!(
        phone.auth.tokens().unwrap()[0].kind,
        TokenKind::Mosaic(_)
    ));
}
