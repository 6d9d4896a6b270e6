#!/usr/bin/env python3
"""Lays out the real-photo QR corpus the benchmark and tessera-tests read:
the zxing project's black-box QR images and zxing-cpp's QR test samples
(both Apache-2.0), with a manifest in the benchmark's format.

    import-zxing-qr.py --zxing ZXING_CHECKOUT --zxing-cpp ZXING_CPP_CHECKOUT --out DIR

ZXING_CHECKOUT is a checkout of zxing/zxing (the sets are read from
core/src/test/resources/blackbox/qrcode-N), ZXING_CPP_CHECKOUT one of
zxing-cpp/zxing-cpp (test/samples/qrcode-N). DIR receives:

  zxing/qrcode-N/NAME.png|jpg + NAME.txt      the files as they are upstream
  zxing-cpp/qrcode-N/NAME.png|jpg + NAME.txt  WebP samples decoded to PNG
                                              (the pixels zxing-cpp tests on;
                                              the image crate reads no WebP)
  manifest.json   one entry per image: set, file, size, expected text, and
                  the byte strings that spell that text (UTF-8, Shift_JIS,
                  ISO-8859-1: a QR code's bytes carry no charset, and zxing's
                  expected texts are the decoded characters)
  LICENSE, NOTICE, README.md

Left out: images without an expected text, and zxing-cpp's qrcode-7
(structured append: each image holds a part of one text). The corpus is not
committed to the Tessera repository (it is third-party data); see README.md
in DIR and bench/README.md for where it lives. Standard library + Pillow.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

from PIL import Image

SETS = {
    "zxing": ("core/src/test/resources/blackbox", ["qrcode-1", "qrcode-2", "qrcode-3", "qrcode-4", "qrcode-5", "qrcode-6"]),
    "zxing-cpp": ("test/samples", ["qrcode-1", "qrcode-2", "qrcode-3", "qrcode-4", "qrcode-5", "qrcode-6"]),
}
IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def head_commit(checkout):
    try:
        return subprocess.run(
            ["git", "-C", checkout, "rev-parse", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def accepted(text):
    """Hex of every byte string that spells `text` in a charset QR readers use."""
    out = []
    for enc in ("utf-8", "shift_jis", "iso-8859-1"):
        try:
            b = text.encode(enc).hex()
        except UnicodeEncodeError:
            continue
        if b not in out:
            out.append(b)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--zxing", required=True)
    ap.add_argument("--zxing-cpp", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--zxing-commit", help="the checkout's commit, when it is not a git work tree")
    ap.add_argument("--zxing-cpp-commit", help="likewise")
    args = ap.parse_args()
    roots = {"zxing": args.zxing, "zxing-cpp": args.zxing_cpp}
    os.makedirs(args.out, exist_ok=True)
    manifest = []
    for source, (sub, sets) in SETS.items():
        for s in sets:
            src = os.path.join(roots[source], sub, s)
            dst = os.path.join(args.out, source, s)
            os.makedirs(dst, exist_ok=True)
            names = sorted(os.listdir(src))
            index = 0
            for name in names:
                stem, ext = os.path.splitext(name)
                if ext.lower() not in IMAGE_EXT:
                    continue
                txt = os.path.join(src, stem + ".txt")
                if not os.path.exists(txt):
                    continue
                with open(txt, "rb") as f:
                    text = f.read().decode("utf-8")
                out_name = name
                if ext.lower() in (".webp", ".gif"):
                    out_name = stem + ".png"
                    with Image.open(os.path.join(src, name)) as im:
                        im.convert("RGB").save(os.path.join(dst, out_name), optimize=True)
                else:
                    shutil.copyfile(os.path.join(src, name), os.path.join(dst, out_name))
                shutil.copyfile(txt, os.path.join(dst, stem + ".txt"))
                with Image.open(os.path.join(dst, out_name)) as im:
                    w, h = im.size
                manifest.append(
                    {
                        "file": f"{source}/{s}/{out_name}",
                        "category": f"{source}/{s}",
                        "width": w,
                        "height": h,
                        "format": "jpeg" if out_name.lower().endswith((".jpg", ".jpeg")) else "png",
                        "payload": text,
                        "accept": accepted(text),
                        "index": index,
                    }
                )
                index += 1
    with open(os.path.join(args.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1, ensure_ascii=False)
        f.write("\n")
    shutil.copyfile(os.path.join(args.zxing, "LICENSE"), os.path.join(args.out, "LICENSE"))
    if os.path.exists(os.path.join(args.zxing, "NOTICE")):
        shutil.copyfile(os.path.join(args.zxing, "NOTICE"), os.path.join(args.out, "NOTICE"))
    commits = {k: head_commit(v) for k, v in roots.items()}
    commits["zxing"] = args.zxing_commit or commits["zxing"]
    commits["zxing-cpp"] = args.zxing_cpp_commit or commits["zxing-cpp"]
    counts = {}
    for e in manifest:
        counts[e["category"]] = counts.get(e["category"], 0) + 1
    readme = [
        "# Real-photo QR corpus (zxing, zxing-cpp)",
        "",
        "Third-party test images, Apache License 2.0 (LICENSE, NOTICE beside this file):",
        "",
        f"- `zxing/qrcode-1` … `qrcode-6`: github.com/zxing/zxing, `core/src/test/resources/blackbox/`"
        f" at commit {commits['zxing']}; files as they are upstream.",
        f"- `zxing-cpp/qrcode-1` … `qrcode-6`: github.com/zxing-cpp/zxing-cpp, `test/samples/` at commit"
        f" {commits['zxing-cpp']}; WebP samples decoded to PNG (same pixels), the others as they are.",
        "",
        "Each image has `NAME.txt`, the exact text its code holds (upstream's expected result).",
        "`manifest.json` lists the images in the format of the scanner benchmark (`bench/`), with",
        "the byte strings that spell each text (UTF-8, Shift_JIS, ISO-8859-1). Left out: images",
        "without an expected text and zxing-cpp's `qrcode-7` (structured append).",
        "",
        "Written by Tessera's `bench/import-zxing-qr.py`; read by `scripts/bench-scan` and by",
        "`tests/tests/scan_real.rs`.",
        "",
        "| Set | Images |",
        "|---|--:|",
        *[f"| `{k}` | {v} |" for k, v in counts.items()],
        "",
    ]
    with open(os.path.join(args.out, "README.md"), "w") as f:
        f.write("\n".join(readme))
    print(f"import-zxing-qr: {len(manifest)} images in {len(counts)} sets -> {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
