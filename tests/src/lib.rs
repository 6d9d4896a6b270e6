//! Support for Tessera's conformance and cross-check suites: test-vector
//! files, a seeded random source, and the paths of the peers we compare with.
//!
//! This crate only runs in tests; a panic here is a failed test.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

pub mod frames;

use std::collections::BTreeMap;
use std::path::PathBuf;

/// The login challenge the mosaic tests and the fuzz seeds start from,
/// issued at `now` for two minutes.
pub fn sample_login(now: u64) -> tessera_core::mosaic::Challenge {
    tessera_core::mosaic::Challenge {
        token_id: tessera_core::mosaic::TokenId::from_bytes([1, 2, 3, 4, 5, 6, 7, 8]),
        nonce: [0x5a; 12],
        origin: "https://portal.example.lu".into(),
        user_id: "alice.martin".into(),
        issued_at: now,
        expires_at: now + 120,
        transaction: None,
    }
}

/// The transfer the mosaic tests and the fuzz seeds sign: [`sample_login`]
/// with a transaction (payee, IBAN, amount, reference; no free text).
pub fn sample_transfer(now: u64) -> tessera_core::mosaic::Challenge {
    tessera_core::mosaic::Challenge {
        transaction: Some(tessera_core::mosaic::Transaction {
            amount: "120.50".into(),
            currency: "EUR".into(),
            payee: "Boulangerie Schmit S.à r.l.".into(),
            iban: "LU280019400644750000".into(),
            reference: Some("Facture 2026-1187".into()),
            text: None,
        }),
        ..sample_login(now)
    }
}

/// Appends `v` as a protobuf varint (for hand-built Google Authenticator
/// exports).
pub fn varint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// The `tests/data` directory.
pub fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// One blank-line-separated block of `Key = value` lines from a vector file.
#[derive(Debug, Clone)]
pub struct Record {
    /// Line of the file where the record starts (1-based), for messages.
    pub line: usize,
    fields: BTreeMap<String, String>,
}

impl Record {
    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields.get(key).map(String::as_str)
    }

    /// The value of `key`; a missing key fails the test.
    pub fn req(&self, key: &str) -> &str {
        self.get(key)
            .unwrap_or_else(|| panic!("record at line {} has no {key}", self.line))
    }

    /// The value of `key` parsed as a number.
    pub fn num(&self, key: &str) -> u64 {
        self.req(key)
            .parse()
            .unwrap_or_else(|e| panic!("record at line {}: {key}: {e}", self.line))
    }

    /// The value of `key` decoded from hex.
    pub fn hex(&self, key: &str) -> Vec<u8> {
        data_encoding::HEXLOWER_PERMISSIVE
            .decode(self.req(key).as_bytes())
            .unwrap_or_else(|e| panic!("record at line {}: {key}: {e}", self.line))
    }
}

/// Reads `tests/data/<name>`: records separated by blank lines, `#` comments.
pub fn load_vectors(name: &str) -> Vec<Record> {
    let path = data_dir().join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut records = Vec::new();
    let mut current: Option<Record> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() {
            records.extend(current.take());
            continue;
        }
        if line.starts_with('#') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("{}:{}: expected `Key = value`", name, i + 1));
        let record = current.get_or_insert_with(|| Record {
            line: i + 1,
            fields: BTreeMap::new(),
        });
        let previous = record
            .fields
            .insert(key.trim().to_owned(), value.trim().to_owned());
        assert!(
            previous.is_none(),
            "{}:{}: duplicate key {}",
            name,
            i + 1,
            key.trim()
        );
    }
    records.extend(current);
    assert!(!records.is_empty(), "{name} has no records");
    records
}

/// A small seeded generator (SplitMix64) so that random cross-checks are
/// reproducible: a failure prints its seed and case.
#[derive(Debug, Clone)]
pub struct SeededRng(u64);

impl SeededRng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `range` (inclusive bounds, small ranges only).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next_u64() % (hi - lo + 1)
    }

    /// `n` random bytes.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }

    /// One element of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as u64 - 1) as usize]
    }

    /// A string of `n` characters drawn from `alphabet`.
    pub fn string(&mut self, alphabet: &str, n: usize) -> String {
        let chars: Vec<char> = alphabet.chars().collect();
        (0..n).map(|_| *self.pick(&chars)).collect()
    }
}
