//! `gen-frames`: writes a seeded set of camera-like QR frames and their
//! `manifest.json`. The same arguments give byte-identical files.
// A generator run is a tool run, not app code: a panic here is a failed run.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::Parser;
use tessera_bench::frame::{CATEGORIES, TIMING_CATEGORIES, clean_png, generate};

/// Generate the scanner benchmark's frames.
#[derive(Parser, Debug)]
#[command(version)]
struct Args {
    /// Output directory (created; existing frames are overwritten).
    #[arg(long)]
    out: PathBuf,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Frames per category and frame size.
    #[arg(long, default_value_t = 40)]
    per_category: u32,
    /// Frame sizes, WxH, comma-separated.
    #[arg(long, default_value = "1280x720,1920x1080", value_delimiter = ',')]
    sizes: Vec<String>,
    /// Categories to generate, comma-separated (default: all).
    #[arg(long, value_delimiter = ',')]
    categories: Vec<String>,
    /// Also the timing categories (too blurred, no code) by default.
    #[arg(long)]
    with_timing: bool,
    /// Also write each code's clean reference as FILE.clean.png (black on
    /// white, 4 px per module): what the payload must decode from.
    #[arg(long)]
    write_clean: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    jobs: Option<usize>,
}

fn parse_size(s: &str) -> Result<(usize, usize), String> {
    let (w, h) = s
        .split_once('x')
        .ok_or_else(|| format!("size {s:?} is not WxH"))?;
    let w: usize = w
        .trim()
        .parse()
        .map_err(|_| format!("bad width in {s:?}"))?;
    let h: usize = h
        .trim()
        .parse()
        .map_err(|_| format!("bad height in {s:?}"))?;
    if w < 256 || h < 256 || !w.is_multiple_of(2) || !h.is_multiple_of(2) || w > 8192 || h > 8192 {
        return Err(format!(
            "size {s:?}: width and height must be even, 256 to 8192"
        ));
    }
    Ok((w, h))
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(&args) {
        eprintln!("gen-frames: {e}");
        std::process::exit(1);
    }
}

fn run(args: &Args) -> Result<(), String> {
    let sizes = args
        .sizes
        .iter()
        .map(|s| parse_size(s))
        .collect::<Result<Vec<_>, _>>()?;
    let categories: Vec<&str> = if args.categories.is_empty() {
        let timing = if args.with_timing {
            &TIMING_CATEGORIES[..]
        } else {
            &[]
        };
        CATEGORIES.iter().chain(timing).copied().collect()
    } else {
        let mut v = Vec::new();
        for c in &args.categories {
            let known = CATEGORIES
                .iter()
                .chain(&TIMING_CATEGORIES)
                .find(|k| **k == c.as_str())
                .ok_or_else(|| format!("unknown category {c:?}"))?;
            v.push(*known);
        }
        v
    };
    let mut jobs = Vec::new();
    for cat in &categories {
        std::fs::create_dir_all(args.out.join(cat))
            .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
        for &(w, h) in &sizes {
            for i in 0..args.per_category {
                jobs.push((*cat, w, h, i));
            }
        }
    }
    let threads = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    let next = AtomicUsize::new(0);
    let results = Mutex::new(vec![None; jobs.len()]);
    let started = std::time::Instant::now();
    let failed: Mutex<Option<String>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                loop {
                    let j = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(cat, w, h, i)) = jobs.get(j) else {
                        break;
                    };
                    let outcome = generate(args.seed, cat, w, h, i).and_then(|frame| {
                        let path = args.out.join(&frame.entry.file);
                        std::fs::write(&path, &frame.bytes)
                            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                        if args.write_clean && frame.clean.side > 0 {
                            let clean = path.with_file_name(format!(
                                "{}.clean.png",
                                frame.entry.file.rsplit('/').next().unwrap_or("")
                            ));
                            std::fs::write(&clean, clean_png(&frame.clean)?)
                                .map_err(|e| format!("cannot write {}: {e}", clean.display()))?;
                        }
                        Ok(frame.entry)
                    });
                    match outcome {
                        Ok(entry) => results.lock().unwrap()[j] = Some(entry),
                        Err(e) => {
                            *failed.lock().unwrap() = Some(format!("{cat} {w}x{h} #{i}: {e}"));
                            break;
                        }
                    }
                }
            });
        }
    });
    if let Some(e) = failed.into_inner().unwrap() {
        return Err(e);
    }
    let entries: Vec<_> = results
        .into_inner()
        .unwrap()
        .into_iter()
        .flatten()
        .collect();
    let json = serde_json::to_string_pretty(&entries).map_err(|e| format!("manifest: {e}"))?;
    let manifest = args.out.join("manifest.json");
    std::fs::write(&manifest, json + "\n")
        .map_err(|e| format!("cannot write {}: {e}", manifest.display()))?;
    eprintln!(
        "gen-frames: {} frames ({} categories × {} sizes × {}) in {:.1} s → {}",
        entries.len(),
        categories.len(),
        sizes.len(),
        args.per_category,
        started.elapsed().as_secs_f64(),
        manifest.display()
    );
    Ok(())
}
