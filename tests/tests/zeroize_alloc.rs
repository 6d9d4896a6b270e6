//! Check C10 (docs/threat-model.md): after an unlock / OTP / lock cycle, an
//! activation (seal, open with the code, confirmation) and an OCRA
//! response, no freed heap block holds a canary OTP key, OCRA key,
//! challenge key or passcode, and no freed Argon2 work memory (a block of
//! a mebibyte or more) holds anything but zeros. A global allocator looks
//! at every block as it is freed (including the old block of every
//! reallocation) while recording is on. Plain `Vec`s holding the canaries
//! are the negative controls: the scan must catch them.
//!
//! This file is its own test binary, so the allocator watches nothing else,
//! and it has one test so that no other test allocates concurrently.

// The allocator needs unsafe; nothing else here does. Helpers outside
// #[test] functions unwrap too: a panic here is a failed test.
#![allow(unsafe_code, clippy::unwrap_used, clippy::indexing_slicing)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ring::rand::SystemRandom;
use tessera_core::mosaic::{
    ActivationCode, ActivationOffer, ConfirmationCode, DeviceSecret, Envelope, OtpParams, TokenId,
    TokenKeys, activate, respond, verify_confirmation, verify_response,
};
use tessera_core::otp::{Algorithm, OtpKey};
use tessera_core::secret::SecretBytes;
use tessera_core::vault::testing::FakePlatform;
use tessera_core::vault::{NewToken, Passcode, TokenKind, Vault, VaultConfig};

/// The OTP key: 20 bytes that occur nowhere else.
const KEY_CANARY: [u8; 20] = [
    0xC4, 0x4A, 0x27, 0x91, 0x5E, 0xD3, 0x08, 0xB6, 0x7F, 0x12, 0xE9, 0x3C, 0xA5, 0x60, 0x1B, 0xF4,
    0x83, 0x2D, 0xCE, 0x57,
];
/// The passcode.
const PASS_CANARY: &[u8; 16] = b"Qz8!canary#Pass7";
/// An activated token's OCRA key and challenge key.
const OCRA_CANARY: [u8; 32] = [
    0x9D, 0x31, 0xE7, 0x0A, 0x5C, 0xB2, 0x48, 0xF6, 0x13, 0x8E, 0x6B, 0xD0, 0x27, 0xA9, 0x74, 0x3F,
    0xC1, 0x5A, 0x86, 0x0E, 0xF9, 0x42, 0xBD, 0x68, 0x1C, 0xE5, 0x97, 0x2B, 0x70, 0xCA, 0x35, 0x8F,
];
const CHALLENGE_CANARY: [u8; 32] = [
    0x4E, 0xA7, 0x19, 0xD2, 0x6C, 0x83, 0xF0, 0x2D, 0xB9, 0x56, 0x0B, 0xE8, 0x71, 0x3A, 0xC4, 0x9F,
    0x25, 0xDB, 0x68, 0x07, 0xAE, 0x53, 0xF1, 0x8C, 0x3E, 0xB5, 0x62, 0x1F, 0xD8, 0x94, 0x4B, 0xE0,
];
/// Freed blocks at least this large are Argon2 work memory.
const BIG_BLOCK: usize = 1 << 20;

static RECORDING: AtomicBool = AtomicBool::new(false);
static KEY_FOUND: AtomicUsize = AtomicUsize::new(0);
static PASS_FOUND: AtomicUsize = AtomicUsize::new(0);
static OCRA_FOUND: AtomicUsize = AtomicUsize::new(0);
static CHALLENGE_FOUND: AtomicUsize = AtomicUsize::new(0);
static BIG_DIRTY: AtomicUsize = AtomicUsize::new(0);
static SCANNED: AtomicUsize = AtomicUsize::new(0);

/// Whether any 8-byte piece of `needle` (start, middle, end) is in `hay`.
fn holds_piece(hay: &[u8], needle: &[u8]) -> bool {
    let mid = needle.len() / 2 - 4;
    let pieces = [
        &needle[..8],
        &needle[mid..mid + 8],
        &needle[needle.len() - 8..],
    ];
    for piece in pieces {
        let first = piece[0];
        let mut i = 0;
        while let Some(pos) = hay[i..].iter().position(|&b| b == first) {
            let at = i + pos;
            if hay.len() - at >= 8 && &hay[at..at + 8] == piece {
                return true;
            }
            i = at + 1;
        }
    }
    false
}

struct ScanOnFree;

// SAFETY: every call is forwarded to the system allocator unchanged; the
// scan only reads the block being freed, which is still owned here.
unsafe impl GlobalAlloc for ScanOnFree {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if RECORDING.load(Ordering::SeqCst) && layout.size() > 0 {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes until
            // the call below frees it.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            SCANNED.fetch_add(1, Ordering::SeqCst);
            if holds_piece(block, &KEY_CANARY) {
                KEY_FOUND.fetch_add(1, Ordering::SeqCst);
            }
            if holds_piece(block, PASS_CANARY) {
                PASS_FOUND.fetch_add(1, Ordering::SeqCst);
            }
            if holds_piece(block, &OCRA_CANARY) {
                OCRA_FOUND.fetch_add(1, Ordering::SeqCst);
            }
            if holds_piece(block, &CHALLENGE_CANARY) {
                CHALLENGE_FOUND.fetch_add(1, Ordering::SeqCst);
            }
            if block.len() >= BIG_BLOCK && block.iter().any(|&b| b != 0) {
                BIG_DIRTY.fetch_add(1, Ordering::SeqCst);
            }
        }
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: ScanOnFree = ScanOnFree;

fn record(on: bool) {
    RECORDING.store(on, Ordering::SeqCst);
}

fn reset() {
    for counter in [
        &KEY_FOUND,
        &PASS_FOUND,
        &OCRA_FOUND,
        &CHALLENGE_FOUND,
        &BIG_DIRTY,
        &SCANNED,
    ] {
        counter.store(0, Ordering::SeqCst);
    }
}

fn found(counter: &AtomicUsize) -> usize {
    counter.load(Ordering::SeqCst)
}

/// An activation offer with the canary keys: sealed under a code (Argon2id),
/// opened with it, the confirmation computed; then a login challenge
/// answered with the OCRA key, as the phone and the portal do.
fn activation_and_response() {
    let rng = SystemRandom::new();
    let offer = ActivationOffer {
        token_id: TokenId::from_bytes([1, 2, 3, 4, 5, 6, 7, 8]),
        user_id: "alice.martin".into(),
        origin: "https://portal.example.lu".into(),
        params: OtpParams::default(),
        issued_at: 1_764_400_000,
        expires_at: 1_764_400_000 + 3600,
        nonce: [0x77; 12],
        keys: TokenKeys {
            ocra: SecretBytes::from_slice(&OCRA_CANARY),
            challenge: SecretBytes::from_slice(&CHALLENGE_CANARY),
        },
    };
    let code = ActivationCode::generate(&rng).unwrap();
    let sealed = offer.seal(&code, &rng).unwrap();
    let opened = ActivationOffer::open(&Envelope::parse(&sealed).unwrap(), &code).unwrap();
    // The device's keys and confirmation code, and the portal's check of it
    // (which derives the final keys from the offer's canary keys).
    let device = activate(&opened, &DeviceSecret::generate(&rng).unwrap()).unwrap();
    let typed = ConfirmationCode::parse(device.confirmation.as_str()).unwrap();
    black_box(verify_confirmation(&opened.keys, &opened.nonce, &typed).unwrap());
    black_box(device);
    let challenge = tessera_tests::sample_login(1_764_400_000);
    let otp = respond(&challenge, opened.keys.ocra.expose(), opened.params).unwrap();
    verify_response(&challenge, &OCRA_CANARY, opened.params, otp.as_str()).unwrap();
}

fn cycle() {
    let fp = FakePlatform::new();
    let pass = || Passcode::new(PASS_CANARY.to_vec());
    let vault = Vault::create(fp.platform(), VaultConfig::floor(), &pass()).unwrap();
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    let token = NewToken {
        issuer: Some("Canary".into()),
        account: "zeroize".into(),
        kind: TokenKind::Totp {
            algorithm: Algorithm::Sha1,
            digits: 6,
            period: 30,
        },
        key: OtpKey::new(KEY_CANARY.to_vec()).unwrap(),
        challenge_key: None,
    };
    let id = unlocked.add_token(token).unwrap();
    unlocked.lock();
    // The cycle: unlock, one OTP, lock; twice, and after a restart.
    for _ in 0..2 {
        let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
        let code = unlocked.code(id, 59).unwrap();
        assert_eq!(code.code.len(), 6);
        drop(code);
        unlocked.lock();
    }
    drop(vault);
    let vault = Vault::open(fp.platform(), VaultConfig::floor()).unwrap();
    let unlocked = vault.unlock_with_passcode(&pass()).unwrap();
    black_box(unlocked.code(id, 89).unwrap());
    unlocked.lock();
}

#[test]
fn c10_no_canary_in_freed_memory_after_unlock_otp_lock_activation_and_response() {
    // Negative control: the scan sees a plain Vec holding the key, and one
    // holding the passcode, once they are freed.
    reset();
    record(true);
    drop(black_box(KEY_CANARY.to_vec()));
    drop(black_box(PASS_CANARY.to_vec()));
    drop(black_box(OCRA_CANARY.to_vec()));
    drop(black_box(CHALLENGE_CANARY.to_vec()));
    drop(black_box(vec![1u8; BIG_BLOCK]));
    record(false);
    assert!(found(&OCRA_FOUND) >= 1, "the scan missed a plain Vec");
    assert!(found(&CHALLENGE_FOUND) >= 1, "the scan missed a plain Vec");
    assert!(found(&BIG_DIRTY) >= 1, "the scan missed a dirty big block");
    assert!(
        KEY_FOUND.load(Ordering::SeqCst) >= 1,
        "the scan missed a plain Vec"
    );
    assert!(
        PASS_FOUND.load(Ordering::SeqCst) >= 1,
        "the scan missed a plain Vec"
    );

    // The vault from creation through import, codes and locks.
    reset();
    record(true);
    cycle();
    record(false);
    let scanned = SCANNED.load(Ordering::SeqCst);
    assert!(scanned > 100, "only {scanned} blocks were scanned");
    assert_eq!(
        KEY_FOUND.load(Ordering::SeqCst),
        0,
        "a freed block held the OTP key"
    );
    assert_eq!(
        PASS_FOUND.load(Ordering::SeqCst),
        0,
        "a freed block held the passcode"
    );
    assert_eq!(found(&BIG_DIRTY), 0, "Argon2 memory was freed unwiped");

    // The activation (Argon2id of the code) and an OCRA response.
    reset();
    record(true);
    activation_and_response();
    record(false);
    assert!(
        found(&SCANNED) > 50,
        "only {} blocks were scanned",
        found(&SCANNED)
    );
    assert_eq!(found(&OCRA_FOUND), 0, "a freed block held the OCRA key");
    assert_eq!(
        found(&CHALLENGE_FOUND),
        0,
        "a freed block held the challenge key"
    );
    assert_eq!(found(&BIG_DIRTY), 0, "Argon2 memory was freed unwiped");
}
