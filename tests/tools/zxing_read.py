"""Reads QR codes with zxing-cpp: one line per image path given, the hex of
every payload found (space-separated), or an empty line when none."""
import sys

import zxingcpp
from PIL import Image

for path in sys.argv[1:]:
    results = zxingcpp.read_barcodes(Image.open(path), formats=zxingcpp.BarcodeFormat.QRCode)
    print(" ".join(r.bytes.hex() for r in results))
