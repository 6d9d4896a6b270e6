//! SECURITY-CHECKS C10: after an unlock / OTP / lock cycle no freed heap
//! block holds a canary OTP key or passcode. A global allocator looks at
//! every block as it is freed (including the old block of every
//! reallocation) while recording is on. A plain `Vec<u8>` holding the canary
//! is the negative control: the scan must catch it.
//!
//! This file is its own test binary, so the allocator watches nothing else,
//! and it has one test so that no other test allocates concurrently.

// The allocator needs unsafe; nothing else here does. Helpers outside
// #[test] functions unwrap too: a panic here is a failed test.
#![allow(unsafe_code, clippy::unwrap_used, clippy::indexing_slicing)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tessera_core::otp::{Algorithm, OtpKey};
use tessera_core::vault::testing::FakePlatform;
use tessera_core::vault::{NewToken, Passcode, TokenKind, Vault, VaultConfig};

/// The OTP key: 20 bytes that occur nowhere else.
const KEY_CANARY: [u8; 20] = [
    0xC4, 0x4A, 0x27, 0x91, 0x5E, 0xD3, 0x08, 0xB6, 0x7F, 0x12, 0xE9, 0x3C, 0xA5, 0x60, 0x1B, 0xF4,
    0x83, 0x2D, 0xCE, 0x57,
];
/// The passcode.
const PASS_CANARY: &[u8; 16] = b"Qz8!canary#Pass7";

static RECORDING: AtomicBool = AtomicBool::new(false);
static KEY_FOUND: AtomicUsize = AtomicUsize::new(0);
static PASS_FOUND: AtomicUsize = AtomicUsize::new(0);
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
    KEY_FOUND.store(0, Ordering::SeqCst);
    PASS_FOUND.store(0, Ordering::SeqCst);
    SCANNED.store(0, Ordering::SeqCst);
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
fn c10_no_canary_in_freed_memory_after_unlock_otp_lock() {
    // Negative control: the scan sees a plain Vec holding the key, and one
    // holding the passcode, once they are freed.
    reset();
    record(true);
    drop(black_box(KEY_CANARY.to_vec()));
    drop(black_box(PASS_CANARY.to_vec()));
    record(false);
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
}
