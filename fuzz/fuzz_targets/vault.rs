//! The stored vault: `Vault::open` over the in-memory storage and fake
//! keystore (`vault::testing`), on arbitrary blobs. The first byte chooses
//! whether the rest is the raw blob (header parser, wipe marker) or the
//! body inside the device layer (wrapped by the fake keystore, as only the
//! device could, so the CBOR body decoder and the checks after it see it),
//! and the keystore's generation.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_core::vault::testing::FakePlatform;
use tessera_core::platform::DeviceKeystore;
use tessera_core::vault::{BLOB_NAME, Vault, VaultConfig, VaultStatus};

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let fp = FakePlatform::new();
    fp.keystore.create_key().unwrap();
    let blob = if mode & 1 == 0 {
        rest.to_vec()
    } else {
        let mut blob = b"TSRV\x01\x00".to_vec();
        blob.extend(fp.keystore.wrap(rest).unwrap());
        blob
    };
    let generation = match mode >> 1 {
        127 => u64::MAX,
        g => u64::from(g),
    };
    fp.keystore.set_generation(generation).unwrap();
    fp.storage.put(BLOB_NAME, blob);
    let Ok(vault) = Vault::open(fp.platform(), VaultConfig::floor()) else {
        return;
    };
    match vault.status() {
        VaultStatus::Ready { attempts_left, .. } => assert!(attempts_left > 0),
        VaultStatus::Wiped { .. } => assert!(!fp.keystore.has_key()),
    }
    if let Ok(tokens) = vault.tokens() {
        for t in tokens {
            let _ = t.label();
            let _ = vault.challenge_key(t.id);
        }
    }
    let _ = format!("{vault:?}");
    // Opening what is now stored works the same way (or fails the same way).
    let _ = Vault::open(fp.platform(), VaultConfig::floor());
});
