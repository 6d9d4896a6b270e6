//! `uniffi-bindgen`, pinned with the workspace's uniffi so the generated
//! Kotlin, Swift and Python match the scaffolding in `libtessera_ffi`.
//!
//! ```sh
//! cargo run -p uniffi-bindgen -- generate --library target/debug/libtessera_ffi.so \
//!     --config uniffi.toml --language kotlin --out-dir target/bindings/kotlin
//! ```

fn main() {
    uniffi::uniffi_bindgen_main()
}
