#!/usr/bin/env python3
"""Decodes every frame of a gen-frames manifest with the peer decoders,
zxing-cpp (PyPI zxing-cpp) and zbar (PyPI pyzbar over Debian libzbar0), and
writes DIR/results-zxingcpp.json and DIR/results-zbar.json: lists of
{file, category, width, height, decoded, correct, ms}.

Only the decode call is timed: files are read and decompressed, and colour
converted where needed, before the clock starts.

What each peer gets:
  * PNG/JPEG frames: zxing-cpp the 8-bit RGB image (ImageView, format RGB:
    it computes luminance itself, as when handed a bitmap); zbar the 8-bit
    grey image (PIL "L", ITU-R 601 luma), since zbar only takes grey.
  * Raw camera frames (nv21, nv12, i420, gray): both get the Y plane as a
    contiguous 8-bit grey image, which is what a phone app hands them.

zxing-cpp runs with its defaults (try_rotate, try_downscale, try_invert, the
LocalAverage binarizer), restricted to QR codes. zbar runs with its defaults,
restricted to QR codes.

Run it through scripts/bench-scan, which sets up the virtual environment.
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from PIL import Image


def load(entry, root):
    """Returns (rgb, grey) numpy arrays; rgb is None for raw frames."""
    path = os.path.join(root, entry["file"])
    w, h = entry["width"], entry["height"]
    if entry["format"] in ("png", "jpeg"):
        with Image.open(path) as im:
            im.load()
            rgb = np.ascontiguousarray(np.asarray(im.convert("RGB")))
            grey = np.ascontiguousarray(np.asarray(im.convert("RGB").convert("L")))
        return rgb, grey
    data = np.fromfile(path, dtype=np.uint8)
    y = next(p for p in entry["planes"] if p["name"] == "y")
    stride = y["row_stride"]
    plane = data[y["offset"] : y["offset"] + stride * h].reshape(h, stride)[:, :w]
    return None, np.ascontiguousarray(plane)


class Zxing:
    name = "zxingcpp"

    def __init__(self):
        import zxingcpp

        self.z = zxingcpp
        self.fmt = zxingcpp.BarcodeFormat.QRCode

    def prepare(self, rgb, grey):
        z = self.z
        if rgb is not None:
            h, w, _ = rgb.shape
            return z.ImageView(rgb, w, h, z.ImageFormat.RGB)
        h, w = grey.shape
        return z.ImageView(grey, w, h, z.ImageFormat.Lum)

    def decode(self, img):
        # The text too: zxing's expected texts are decoded characters.
        out = []
        for r in self.z.read_barcodes(img, formats=self.fmt):
            out += [r.bytes, r.text.encode()]
        return out


class Zbar:
    name = "zbar"

    def __init__(self):
        from pyzbar import pyzbar

        self.zbar = pyzbar
        self.symbols = [pyzbar.ZBarSymbol.QRCODE]

    def prepare(self, rgb, grey):
        h, w = grey.shape
        return (grey.tobytes(), w, h)

    def decode(self, img):
        return [r.data for r in self.zbar.decode(img, symbols=self.symbols)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--out-dir", help="where results-*.json go (default: the manifest's directory)")
    ap.add_argument("--decoders", default="zxingcpp,zbar")
    args = ap.parse_args()

    root = os.path.dirname(os.path.abspath(args.manifest))
    out_dir = args.out_dir or root
    with open(args.manifest) as f:
        entries = json.load(f)
    decoders = []
    for name in args.decoders.split(","):
        decoders.append({"zxingcpp": Zxing, "zbar": Zbar}[name.strip()]())
    results = {d.name: [] for d in decoders}
    started = time.monotonic()
    for i, e in enumerate(entries):
        rgb, grey = load(e, root)
        # Every byte string that spells the expected text (real photos list
        # them: a code's bytes carry no charset).
        want = {e["payload"].encode()} | {bytes.fromhex(h) for h in e.get("accept", [])}
        for d in decoders:
            img = d.prepare(rgb, grey)
            t0 = time.perf_counter()
            found = d.decode(img)
            ms = (time.perf_counter() - t0) * 1000.0
            results[d.name].append(
                {
                    "file": e["file"],
                    "category": e["category"],
                    "width": e["width"],
                    "height": e["height"],
                    "decoded": bool(found),
                    # A frame without a code: correct when nothing is found.
                    "correct": not found if not e["payload"] else any(f in want for f in found),
                    "ms": round(ms, 3),
                }
            )
        if (i + 1) % 50 == 0 or i + 1 == len(entries):
            print(f"peers: {i + 1}/{len(entries)} frames, {time.monotonic() - started:.0f} s", file=sys.stderr)
    for name, rows in results.items():
        path = os.path.join(out_dir, f"results-{name}.json")
        with open(path, "w") as f:
            json.dump(rows, f, indent=1)
            f.write("\n")
        ok = sum(r["correct"] for r in rows)
        print(f"peers: {name}: {ok}/{len(rows)} correct -> {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
