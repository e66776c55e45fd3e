"""Small real JPEGs for the demo site, written with the standard library alone.

The demo issue (2025-W20, `make run`) shows nine images: the review of the week
at 1200x675 (its media:content original), four cards at 1024x576 and four
trending thumbnails at 300x169, the WordPress size variants the email picks.
They are written here so the first email a newcomer sees has pictures; every
other image on the demo site stays a 404, as before, and the email shows its
styled alt text there.

Each picture is a flat-colour poster (sky bands, a sun, hills) drawn in 8x8
blocks, so every JPEG block has only its DC coefficient: a baseline JPEG
(4:2:0, one DC and one AC Huffman table) a few kilobytes large that any
decoder reads. Colours come from a hash of the name: byte-for-byte
reproducible. Run `python3 config/demo/images.py` (generate.py calls it).
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

HERE = Path(__file__).resolve().parent
UPLOADS = HERE / "site" / "wp-content" / "uploads" / "2025" / "05"
ISSUE_IMAGES = (
    "saint-agnes-street.jpg",
    "komaris-midnight-kitchen-episode-8-1024x576.jpg",
    "salt-road-1024x576.jpg",
    "twilight-out-of-focus-episode-12-1024x576.jpg",
    "low-tide-1024x576.jpg",
    "the-long-quiet-300x169.jpg",
    "the-quiet-engineers-300x169.jpg",
    "night-desk-season-1-episode-5-300x169.jpg",
    "wolf-hours-300x169.jpg",
)

Grid = list[list[tuple[int, int, int]]]


def poster(name: str, cols: int, rows: int) -> Grid:
    """An RGB colour per 8x8 block: a banded sky, a sun and two hills, coloured from the name."""
    seed = hashlib.sha256(name.encode()).digest()
    sky_top = (seed[0] // 4, seed[1] // 3 + 20, 90 + seed[2] // 3)
    sky_low = (200 + seed[3] // 5, 120 + seed[4] // 4, 90 + seed[5] // 4)
    hill = (seed[6] // 5 + 20, 50 + seed[7] // 5, 40 + seed[8] // 6)
    far = tuple(min(255, c + 45) for c in hill)
    sun = (255, 220 - seed[9] // 6, 120 + seed[10] // 4)
    cx, cy, radius = cols * (0.25 + seed[11] / 512), rows * 0.42, rows * 0.18
    grid: Grid = []
    for y in range(rows):
        t = round(y / max(rows - 1, 1) * 6) / 6  # six bands
        row = []
        for x in range(cols):
            colour = tuple(round(a + (b - a) * t) for a, b in zip(sky_top, sky_low, strict=True))
            if (x - cx) ** 2 + (y - cy) ** 2 <= radius**2:
                colour = sun
            far_line = rows * (0.62 + 0.08 * ((x * 7 + seed[12]) % 23) / 23)
            near_line = rows * (0.78 - 0.1 * abs((x / cols) - 0.6))
            if y >= near_line:
                colour = hill
            elif y >= far_line:
                colour = far
            row.append((int(colour[0]), int(colour[1]), int(colour[2])))
        grid.append(row)
    return grid


class _Bits:
    def __init__(self) -> None:
        self.out = bytearray()
        self.acc, self.count = 0, 0

    def put(self, value: int, length: int) -> None:
        for shift in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> shift) & 1)
            self.count += 1
            if self.count == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0)  # byte stuffing
                self.acc, self.count = 0, 0

    def flush(self) -> bytes:
        while self.count:
            self.put(1, 1)  # pad with ones
        return bytes(self.out)


# DC categories 0..11 get the codes 0, 10, 110, ... (lengths 1..12); the only AC symbol is EOB: "0".
_DC_CODES = {cat: ((1 << (cat + 1)) - 2, cat + 1) for cat in range(12)}


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def encode(grid: Grid, width: int, height: int) -> bytes:
    """A baseline 4:2:0 JPEG of ``width`` x ``height`` whose 8x8 blocks are the grid's flat colours."""
    rows, cols = len(grid), len(grid[0])

    def ycc(x: int, y: int) -> tuple[float, float, float]:
        r, g, b = grid[min(y, rows - 1)][min(x, cols - 1)]
        return (0.299 * r + 0.587 * g + 0.114 * b,
                128 - 0.168736 * r - 0.331264 * g + 0.5 * b,
                128 + 0.5 * r - 0.418688 * g - 0.081312 * b)

    bits = _Bits()
    previous = [0, 0, 0]

    def block(component: int, value: float) -> None:
        dc = max(-127, min(127, round(value) - 128))  # quantised by 8: DC = 8 * (v - 128) / 8
        diff = dc - previous[component]
        previous[component] = dc
        category = abs(diff).bit_length()
        code, length = _DC_CODES[category]
        bits.put(code, length)
        if category:
            bits.put(diff if diff > 0 else diff + (1 << category) - 1, category)
        bits.put(0, 1)  # EOB: every AC coefficient is zero

    for my in range((height + 15) // 16):
        for mx in range((width + 15) // 16):
            quad = [ycc(mx * 2 + dx, my * 2 + dy) for dy in (0, 1) for dx in (0, 1)]
            for y_value, _, _ in quad:
                block(0, y_value)
            block(1, sum(q[1] for q in quad) / 4)
            block(2, sum(q[2] for q in quad) / 4)

    quant = bytes([8] + [1] * 63)
    dc_table = bytes([0x00]) + bytes([1] * 12 + [0] * 4) + bytes(range(12))
    ac_table = bytes([0x10]) + bytes([1] + [0] * 15) + bytes([0])
    return b"".join([
        b"\xff\xd8",
        _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _segment(0xFFDB, b"\x00" + quant),
        _segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 3) + bytes([1, 0x22, 0, 2, 0x11, 0, 3, 0x11, 0])),
        _segment(0xFFC4, dc_table + ac_table),
        _segment(0xFFDA, bytes([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0])),
        bits.flush(),
        b"\xff\xd9",
    ])


def size_of(name: str) -> tuple[int, int]:
    stem = name.rsplit(".", 1)[0]
    tail = stem.rsplit("-", 1)[-1]
    if "x" in tail and all(part.isdigit() for part in tail.split("x")):
        w, h = tail.split("x")
        return int(w), int(h)
    return 1200, 675  # the original upload


def write_images(folder: Path = UPLOADS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in ISSUE_IMAGES:
        width, height = size_of(name)
        base = name.rsplit(".", 1)[0].removesuffix(f"-{width}x{height}")
        cols, rows = (width + 15) // 16 * 2, (height + 15) // 16 * 2
        path = folder / name
        path.write_bytes(encode(poster(base, cols, rows), width, height))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_images():
        print(f"{path.relative_to(HERE)}: {path.stat().st_size} bytes")
