//! Decodes every frame of a `gen-frames` manifest with Tessera's scanner and
//! writes `results-tessera.json` in the format of the peers' results
//! (bench/peers.py): per frame, whether a code was found, whether the exact
//! payload was among the results, and the time of the decode call alone
//! (files are read and decompressed before the clock starts).
//!
//! Usage: scan-bench --manifest DIR/manifest.json --out DIR/results-tessera.json
//!                   [--category NAME] [--repeat N]

// A panic in this tool is a failed benchmark run, not a crashed app.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use clap::Parser;
use serde_json::json;
use tessera_bench::load::Pixels;
use tessera_bench::manifest::{self, Entry};
use tessera_core::scan::Scanner;

#[derive(Debug, Parser)]
#[command(about = "Decode a gen-frames manifest with Tessera's scanner")]
struct Args {
    /// The manifest written by gen-frames.
    #[arg(long)]
    manifest: PathBuf,
    /// Where to write the results (JSON list).
    #[arg(long)]
    out: PathBuf,
    /// Only frames of this category.
    #[arg(long)]
    category: Option<String>,
    /// Decode each frame N times and keep the median time.
    #[arg(long, default_value_t = 1)]
    repeat: usize,
}

fn load(root: &Path, e: &Entry) -> Pixels {
    let bytes = std::fs::read(root.join(&e.file)).unwrap_or_else(|err| panic!("{}: {err}", e.file));
    Pixels::decode(e, bytes).unwrap_or_else(|err| panic!("{err}"))
}

fn main() {
    let args = Args::parse();
    let root = args
        .manifest
        .parent()
        .unwrap_or(Path::new("."))
        .to_path_buf();
    let entries = manifest::load(&args.manifest).unwrap_or_else(|e| panic!("{e}"));
    let scanner = Scanner::default();
    let mut results = Vec::new();
    let mut summary: BTreeMap<(String, u32), (usize, usize)> = BTreeMap::new();
    for e in entries
        .iter()
        .filter(|e| args.category.as_ref().is_none_or(|c| *c == e.category))
    {
        let pixels = load(&root, e);
        let frame = pixels.frame(e).unwrap_or_else(|err| panic!("{err}"));
        let mut times = Vec::with_capacity(args.repeat.max(1));
        let mut found = Vec::new();
        for _ in 0..args.repeat.max(1) {
            let start = Instant::now();
            found = scanner.scan(&frame);
            times.push(start.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        let ms = times[times.len() / 2];
        // A frame without a code is read correctly when nothing is found.
        let correct = if e.payload.is_empty() {
            found.is_empty()
        } else {
            found.iter().any(|d| e.matches(&d.payload))
        };
        // Real photos come in many sizes: one line per set.
        let height = if e.params.is_empty() { 0 } else { e.height };
        let s = summary.entry((e.category.clone(), height)).or_default();
        s.0 += usize::from(correct);
        s.1 += 1;
        results.push(json!({
            "file": e.file, "category": e.category, "width": e.width, "height": e.height,
            "decoded": !found.is_empty(), "correct": correct, "ms": ms,
        }));
    }
    std::fs::write(&args.out, serde_json::to_string_pretty(&results).unwrap()).unwrap();
    for ((category, height), (ok, n)) in summary {
        let size = if height == 0 {
            "all".to_string()
        } else {
            format!("{height}p")
        };
        eprintln!(
            "{category:>18} {size:>6}  {ok:>3}/{n:<3} {:5.1} %",
            100.0 * ok as f64 / n as f64
        );
    }
}
