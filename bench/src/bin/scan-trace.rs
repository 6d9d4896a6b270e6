//! Prints the scanner's account of one benchmark frame: views, finder
//! patterns, triples and decode attempts (for tuning, not for CI).
//!
//! Usage: scan-trace DIR/manifest.json FILE...

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use tessera_bench::load::Pixels;
use tessera_bench::manifest;
use tessera_core::scan::Scanner;

fn main() {
    let mut args = std::env::args().skip(1);
    let manifest_path = args
        .next()
        .expect("usage: scan-trace manifest.json FILE...");
    let root = Path::new(&manifest_path).parent().unwrap().to_path_buf();
    let entries = manifest::load(Path::new(&manifest_path)).unwrap();
    for file in args {
        let e = entries
            .iter()
            .find(|e| e.file == file)
            .unwrap_or_else(|| panic!("{file} not in the manifest"));
        let pixels = Pixels::decode(e, std::fs::read(root.join(&e.file)).unwrap()).unwrap();
        let frame = pixels.frame(e).unwrap();
        let (found, trace) = Scanner::default().trace(&frame);
        println!(
            "== {file}: corners {:?}, params {}",
            e.corners,
            serde_json::Value::Object(e.params.clone())
        );
        for line in trace {
            println!("{line}");
        }
        println!(
            "-> {}",
            if found.iter().any(|d| d.payload == e.payload.as_bytes()) {
                "CORRECT"
            } else {
                "missed"
            }
        );
    }
}
