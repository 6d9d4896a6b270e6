#!/usr/bin/env python3
"""Writes docs/benchmarks.md from decoder result files.

    report.py --manifest DIR/manifest.json [--out docs/benchmarks.md]
              [--command "scripts/bench-scan ..."] DIR/results-*.json

Each result file is a JSON list of {file, category, width, height, decoded,
correct, ms}; the decoder's name is taken from the file name,
results-<decoder>.json. The table gives, per category and frame size, each
decoder's decode rate (exact payload found / frames) and median time per
frame (over all frames, read or not), and for every decoder but zxing-cpp the
difference in rate (percentage points) and the ratio of median times to
zxing-cpp's. Standard library only.
"""

import argparse
import datetime
import json
import os
import platform
import statistics
import sys

BASELINE = "zxingcpp"
LABELS = {"tessera": "Tessera", "zxingcpp": "zxing-cpp", "zbar": "zbar"}
CATEGORY_NOTES = {
    "clean": "monochrome print, mild handheld pose, camera blur and noise",
    "color-high": "brand colours with high luma contrast",
    "color-low": "colour pairs whose BT.601 luma differs by < 15 %",
    "mosaic": "each module one of 4-5 dark / light colours",
    "inverted": "light modules on dark",
    "no-quiet-zone": "no quiet zone, textured surroundings",
    "small": "modules 1.6-2.8 px",
    "rotated": "any roll angle, tilt up to 20 degrees, modules 2.2-5 px",
    "perspective": "tilt 35-65 degrees, short focal length",
    "blur-gaussian": "extra defocus, sigma 0.25-0.75 module",
    "blur-motion": "linear motion 0.6-2.2 modules at any angle",
    "noise": "read noise sigma 20-55 plus shot noise, low exposure",
    "uneven-light": "lamp fall-off across the code, soft shadows",
    "glare": "saturated specular ellipse over part of the code",
    "jpeg": "JPEG quality 40-75 of a noisy picture, modules 2-4 px",
    "moire": "code on a monitor (RGB subpixels) at a non-integer scale",
    "yuv": "camera NV21 / NV12 / I420 / grey with padded strides",
    "hard": "3-5 of the degradations above at once",
    "too-blurred": "defocus sigma 1.2-2.5 modules: past reading, for the time of a failed frame",
    "no-code-desk": "no code: desk scene with objects, printed text lines, tiles",
    "no-code-gradient": "no code: smooth light gradient over a plain surface",
    "no-code-sensor": "no code: plain surface under read noise sigma 20-55 and shot noise",
    "no-code-uniform": "no code: uniform random noise, every pixel and channel",
}
# Rows that measure time: their rate is frames where nothing wrong was read.
TIMING = ["too-blurred", "no-code-desk", "no-code-gradient", "no-code-sensor", "no-code-uniform"]


# The categories whose codes are coloured (the "coloured mosaics" of the targets).
COLOURED = ["color-high", "color-low", "mosaic"]


def label(name):
    return LABELS.get(name, name)


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def decoder_name(path):
    base = os.path.basename(path)
    if not (base.startswith("results-") and base.endswith(".json")):
        sys.exit(f"report: {path}: result files are named results-<decoder>.json")
    return base[len("results-") : -len(".json")]


def stats(rows):
    if not rows:
        return None
    ok = sum(1 for r in rows if r["correct"])
    return {"n": len(rows), "ok": ok, "rate": ok / len(rows), "median": statistics.median(r["ms"] for r in rows)}


def cells(s, base):
    if s is None:
        return ["–", "–"]
    out = [f"{100 * s['rate']:.0f} % ({s['ok']}/{s['n']})", f"{s['median']:.1f}"]
    return out


def versus(s, base):
    if s is None or base is None:
        return ["–", "–"]
    diff = 100 * (s["rate"] - base["rate"])
    ratio = s["median"] / base["median"] if base["median"] > 0 else float("inf")
    return [f"{diff:+.0f}", f"{ratio:.2f}×"]


def real_section(manifest_path, paths):
    """The real-photo table: per set, each decoder's exact-text rate, total and
    median time, and the targets it sets (rate and total time at least as
    good as zxing-cpp's on every set)."""
    with open(manifest_path) as f:
        manifest = json.load(f)
    data = {}
    for path in paths:
        with open(path) as f:
            data[decoder_name(path)] = json.load(f)
    order = sorted(data, key=lambda d: (d != "tessera", d != BASELINE, d))
    others = [d for d in order if d != BASELINE]
    sets = []
    for e in manifest:
        if e["category"] not in sets:
            sets.append(e["category"])

    def st(name, cat=None):
        rows = [r for r in data[name] if cat is None or r["category"] == cat]
        if not rows:
            return None
        ok = sum(1 for r in rows if r["correct"])
        ms = [r["ms"] for r in rows]
        return {"n": len(rows), "ok": ok, "rate": ok / len(rows), "total": sum(ms), "median": statistics.median(ms)}

    head = ["Set", "Images"]
    for d in order:
        head += [f"{label(d)} rate", f"{label(d)} total ms", f"{label(d)} median ms"]
    if BASELINE in data:
        for d in others:
            head += [f"{label(d)} Δrate (pp)", f"{label(d)} total time ratio"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] + ["--:"] * (len(head) - 1)) + "|"]
    behind, slower = [], []
    for cat in sets + [None]:
        s = {d: st(d, cat) for d in order}
        n = next(x["n"] for x in s.values() if x)
        cols = [f"`{cat}`" if cat else "**all**", str(n)]
        for d in order:
            x = s[d]
            cols += [f"{100 * x['rate']:.0f} % ({x['ok']}/{x['n']})", f"{x['total']:.0f}", f"{x['median']:.1f}"]
        if BASELINE in data:
            b = s[BASELINE]
            for d in others:
                x = s[d]
                ratio = x["total"] / b["total"] if b["total"] > 0 else float("inf")
                cols += [f"{100 * (x['rate'] - b['rate']):+.0f}", f"{ratio:.2f}×"]
            t = s.get("tessera")
            if t and cat:
                if t["ok"] < b["ok"]:
                    behind.append(f"`{cat}` ({t['ok']} vs {b['ok']} of {t['n']})")
                if t["total"] > b["total"]:
                    slower.append(f"`{cat}` ({t['total']:.0f} vs {b['total']:.0f} ms)")
        lines.append("| " + " | ".join(cols) + " |")
    out = [
        "## Real photos",
        "",
        f"The zxing project's black-box QR sets and zxing-cpp's QR samples ({len(manifest)} images,",
        "Apache-2.0; where they come from: the corpus's README.md), each image as it is, in the",
        "same run. Rate: images whose exact expected text was among the decoder's results (the",
        "text's UTF-8, Shift_JIS or ISO-8859-1 bytes, or zxing-cpp's decoded text). Total: the",
        "summed time of every image's decode call; median over the set's images.",
        "",
        *lines,
        "",
    ]
    if "tessera" in data and BASELINE in data:
        def verdict(ok):
            return "**met**" if ok else "**not met**"

        out += [
            f"- Rate at least zxing-cpp's on every set: {verdict(not behind)}"
            + (f"; behind on {', '.join(behind)}." if behind else "."),
            f"- Total time at most zxing-cpp's on every set: {verdict(not slower)}"
            + (f"; slower on {', '.join(slower)}." if slower else "."),
            "",
        ]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+")
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--out", default="docs/benchmarks.md")
    ap.add_argument("--command", default="scripts/bench-scan")
    ap.add_argument("--real-manifest", help="the real-photo corpus's manifest.json")
    ap.add_argument("--real-results", nargs="*", default=[], help="results-<decoder>.json over that corpus")
    args = ap.parse_args()

    with open(args.manifest) as f:
        manifest = json.load(f)
    data = {}
    for path in args.results:
        with open(path) as f:
            data[decoder_name(path)] = json.load(f)
    order = sorted(data, key=lambda d: (d != "tessera", d != BASELINE, d))
    others = [d for d in order if d != BASELINE]

    categories = []
    for e in manifest:
        if e["category"] not in categories:
            categories.append(e["category"])
    sizes = sorted({(e["width"], e["height"]) for e in manifest})
    seeds = sorted({e["seed"] for e in manifest})
    per = {}
    for e in manifest:
        key = (e["category"], e["width"], e["height"])
        per[key] = per.get(key, 0) + 1

    def select(name, cat=None, size=None):
        # The overall rows are over the reading categories only.
        return [
            r
            for r in data[name]
            if (r["category"] == cat if cat else r["category"] not in TIMING)
            and (size is None or (r["width"], r["height"]) == size)
        ]

    head = ["Category", "Frame"]
    for d in order:
        head += [f"{label(d)} rate", f"{label(d)} ms"]
    if BASELINE in data:
        for d in others:
            head += [f"{label(d)} Δrate (pp)", f"{label(d)} time ratio"]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(["---"] * 2 + ["--:"] * (len(head) - 2)) + "|"]

    def row(name, cat, size):
        st = {d: stats(select(d, cat, size)) for d in order}
        if all(s is None for s in st.values()):
            return None
        cols = [name, f"{size[0]}×{size[1]}" if size else "all"]
        for d in order:
            cols += cells(st[d], None)
        if BASELINE in data:
            for d in others:
                cols += versus(st[d], st[BASELINE])
        return "| " + " | ".join(cols) + " |"

    for cat in categories:
        for size in sizes:
            r = row(f"`{cat}`", cat, size)
            if r:
                lines.append(r)
    for size in sizes:
        lines.append(row("**overall**", None, size))
    if len(sizes) > 1:
        lines.append(row("**overall**", None, None))

    targets = []
    if "tessera" in data and BASELINE in data:
        behind = []
        for cat in categories:
            for size in sizes:
                t, b = stats(select("tessera", cat, size)), stats(select(BASELINE, cat, size))
                if t and b and t["ok"] < b["ok"]:
                    behind.append(f"`{cat}` {size[0]}×{size[1]} ({t['ok']} vs {b['ok']} of {t['n']})")
        coloured = [r for c in COLOURED for r in select("tessera", c)]
        col = stats(coloured)
        hd = (1920, 1080)
        t_hd, b_hd = stats(select("tessera", None, hd)), stats(select(BASELINE, None, hd))

        def verdict(ok):
            return "**met**" if ok else "**not met**"

        targets = ["## The targets, from the table above", ""]
        targets.append(
            f"- Rate at least zxing-cpp's in every category and size: {verdict(not behind)}"
            + (f"; behind in {', '.join(behind)}." if behind else ".")
        )
        if col:
            targets.append(
                f"- Coloured mosaics ({', '.join(f'`{c}`' for c in COLOURED)}) ≥ 99 %:"
                f" {verdict(col['rate'] >= 0.99)} ({100 * col['rate']:.1f} %, {col['ok']}/{col['n']})."
            )
        if t_hd and b_hd:
            targets.append(
                f"- Median time per 1920×1080 frame no more than zxing-cpp's: {verdict(t_hd['median'] <= b_hd['median'])}"
                f" ({t_hd['median']:.1f} ms vs {b_hd['median']:.1f} ms, {t_hd['median'] / b_hd['median']:.2f}×)."
            )
        nocode = [c for c in categories if c.startswith("no-code-")]
        if nocode:
            t = [r["ms"] for c in nocode for r in select("tessera", c, hd)]
            b = [r["ms"] for c in nocode for r in select(BASELINE, c, hd)]
            if t and b:
                tm, bm = statistics.median(t), statistics.median(b)
                targets.append(
                    f"- Median time per 1920×1080 frame without a code ≤ 3 ms: {verdict(tm <= 3.0)}"
                    f" ({tm:.1f} ms; zxing-cpp {bm:.1f} ms)."
                )
        if "too-blurred" in categories:
            t, b = stats(select("tessera", "too-blurred")), stats(select(BASELINE, "too-blurred"))
            if t and b:
                targets.append(
                    f"- Median time per too-blurred frame ≤ 2× zxing-cpp's: {verdict(t['median'] <= 2 * b['median'])}"
                    f" ({t['median']:.1f} ms vs {b['median']:.1f} ms, {t['median'] / b['median']:.2f}×)."
                )
        targets.append("")

    counts = sorted(set(per.values()))
    count_text = " to ".join(str(c) for c in (counts[0], counts[-1])) if len(counts) > 1 else str(counts[0])
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    doc = [
        "# Scanner benchmark",
        "",
        "Generated by `bench/report.py`; do not edit by hand. The targets: a decode rate",
        "at least zxing-cpp's in every category, ≥ 99 % on coloured mosaics, and a median time per",
        "1080p frame no more than zxing-cpp's.",
        "",
        f"- Machine: {os.cpu_count()} CPUs (`nproc`), {cpu_model()}, {platform.system()} {platform.release()}",
        f"- Date: {now}",
        f"- Seed: {', '.join(str(s) for s in seeds)}",
        f"- Frames: {len(manifest)} = {len(categories)} categories × {len(sizes)} sizes"
        f" ({', '.join(f'{w}×{h}' for w, h in sizes)}) × {count_text} per category and size",
        f"- Decoders: {', '.join(label(d) for d in order)}",
        f"- Reproduce: `{args.command}`",
        "",
        "Rate: frames whose exact payload was among the decoder's results / frames (for the",
        "`no-code-*` rows: frames where nothing was found; the overall rows leave out those and",
        "`too-blurred`, which measure time). ms: median",
        "wall time of one decode call over all frames of the row (read or not), single-threaded,",
        "file loading and decompression excluded. Δrate: rate minus zxing-cpp's, in percentage",
        "points. Time ratio: median time divided by zxing-cpp's (below 1 is faster).",
        "",
        "What each decoder is given: PNG/JPEG frames go to zxing-cpp as 8-bit RGB (it computes",
        "luminance itself) and to zbar as 8-bit grey (ITU-R 601 luma; zbar takes grey only); raw",
        "camera frames (NV21, NV12, I420, grey) go to both as the Y plane, a contiguous grey image.",
        "Tessera's runner (`scan-bench`) is given every frame in its own format: RGB for PNG/JPEG,",
        "the raw planes with their strides for camera frames. zxing-cpp runs with its defaults",
        "(try rotate / downscale / invert), zbar with its defaults; both are restricted to QR codes.",
        "",
        *lines,
        "",
        *targets,
        *(real_section(args.real_manifest, args.real_results) if args.real_manifest and args.real_results else []),
        "## Categories",
        "",
        "| Category | Frames show |",
        "|---|---|",
        *[f"| `{c}` | {CATEGORY_NOTES.get(c, '')} |" for c in categories],
        "",
        "The generator and its parameters: `bench/README.md`; every frame's parameters are in its",
        "manifest entry.",
        "",
    ]
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write("\n".join(doc))
    print(f"report: wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
