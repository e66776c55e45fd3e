"""Small real JPEGs for the demo site, written with the standard library alone.

The demo issue (2025-W20, `make run`) shows nine images: the review of the week
at 1200x675 (its media:content original), four cards at 1024x576 and four
trending thumbnails at 300x169, the WordPress size variants the email picks.
They are written here so the first email a newcomer sees has pictures; every
other image on the demo site stays a 404, as before, and the email shows its
styled alt text there.

Each picture is a flat-colour scene (a landscape, a night city, an arcade
horizon, comic panels, a stage, a poster of bands, a sea, a forest, a neon corridor), one per image in turn, drawn in 8x8
blocks, so every JPEG block has only its DC coefficient: a baseline JPEG
(4:2:0, one DC and one AC Huffman table) a few kilobytes large that any
decoder reads. Colours come from a hash of the name: byte-for-byte
reproducible. Run `python3 config/demo/images.py` (generate.py calls it).
"""

from __future__ import annotations

import hashlib
import math
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


RGB = tuple[int, int, int]


def _sunset(seed: bytes, x: int, y: int, cols: int, rows: int) -> RGB:
    """Banded sky, a sun and two hills: a film's landscape still."""
    sky_top = (seed[0] // 4, seed[1] // 3 + 20, 90 + seed[2] // 3)
    sky_low = (200 + seed[3] // 5, 120 + seed[4] // 4, 90 + seed[5] // 4)
    hill = (seed[6] // 5 + 20, 50 + seed[7] // 5, 40 + seed[8] // 6)
    t = round(y / max(rows - 1, 1) * 6) / 6
    colour = _blend(sky_top, sky_low, t)
    cx, cy, radius = cols * (0.25 + seed[11] / 512), rows * 0.42, rows * 0.18
    if (x - cx) ** 2 + (y - cy) ** 2 <= radius**2:
        colour = (255, 220 - seed[9] // 6, 120 + seed[10] // 4)
    if y >= rows * (0.78 - 0.1 * abs((x / cols) - 0.6)):
        return hill
    if y >= rows * (0.62 + 0.08 * ((x * 7 + seed[12]) % 23) / 23):
        return (min(255, hill[0] + 45), min(255, hill[1] + 45), min(255, hill[2] + 45))
    return colour


def _skyline(seed: bytes, x: int, y: int, cols: int, rows: int) -> RGB:
    """A night city: towers of different heights with lit windows, a moon."""
    night = _blend((10, 14, 40 + seed[0] // 4), (60 + seed[1] // 4, 30, 90), y / rows)
    width = 3 + seed[2] % 3
    tower = x // width
    top = rows * (0.25 + 0.5 * (seed[(tower * 5) % 32] / 255))
    if y >= top:
        lit = (x % width) in (1, width - 2) and y % 3 == 1 and seed[(x + y) % 32] % 3 == 0
        return (250, 210, 120) if lit else (22 + tower % 3 * 8, 24, 38)
    if (x - cols * 0.8) ** 2 + (y - rows * 0.2) ** 2 <= (rows * 0.1) ** 2:
        return (235, 232, 215)
    return night


def _arcade(seed: bytes, x: int, y: int, cols: int, rows: int) -> RGB:
    """A game's title screen: a checkered floor in perspective under a glowing horizon."""
    horizon = rows * 0.55
    if y < horizon:
        glow = _blend((20, 0, 50 + seed[3] // 3), (240, 60 + seed[4] // 4, 150), y / horizon)
        return (255, 240, 90) if abs(y - horizon * 0.6) < 1 and abs(x - cols / 2) < cols * 0.18 else glow
    depth = (y - horizon) / (rows - horizon)
    lane = int((x - cols / 2) / (1 + depth * 6))
    row = int(depth * depth * 12)
    return (0, 200 + seed[5] // 5, 220) if (lane + row) % 2 else (16, 10, 40)


def _panels(seed: bytes, x: int, y: int, cols: int, rows: int) -> RGB:
    """A comic page: bold panels in flat colours with white gutters."""
    splits_x = (cols * (0.35 + seed[6] / 1024), cols * (0.7 + seed[7] / 2048))
    split_y = rows * (0.45 + seed[8] / 1024)
    if any(abs(x - s) < 1 for s in splits_x) or abs(y - split_y) < 1 or x in (0, cols - 1) or y in (0, rows - 1):
        return (250, 248, 240)
    panel = (x > splits_x[0]) + (x > splits_x[1]) + 3 * (y > split_y)
    colours = ((230, 57, 70), (29, 53, 87), (241, 196, 15), (69, 123, 157), (244, 162, 97), (42, 157, 143))
    base = colours[(panel + seed[9]) % len(colours)]
    return _blend(base, (20, 20, 30), 0.25) if (x + y) % 4 == 0 else base


def _stage(seed: bytes, x: int, y: int, cols: int, rows: int) -> RGB:
    """A stage under a spotlight: a cone of light on a dark curtain."""
    curtain = (90 + seed[10] // 4, 10, 25) if x % 4 else (60, 5, 18)
    centre = cols * (0.4 + seed[11] / 1024)
    half = 2 + y * 0.55
    if abs(x - centre) < half and y < rows * 0.85:
        return _blend(curtain, (255, 236, 190), 0.75 - 0.4 * y / rows)
    if y >= rows * 0.85:
        return (70, 45, 30)
    return curtain


def _bands(seed: bytes, x: int, y: int, cols: int, rows: int) -> RGB:
    """A poster of diagonal colour bands around a ring: an anime key visual, abstracted."""
    ring = ((x - cols * 0.62) ** 2 + (y - rows * 0.5) ** 2) ** 0.5
    if rows * 0.22 < ring < rows * 0.3:
        return (255, 255, 255)
    band = int((x + y * 1.5) / max(cols / 6, 1))
    hues = ((255, 94, 120), (255, 180, 80), (120, 210, 200), (90, 110, 230), (180, 90, 200))
    return hues[(band + seed[12]) % len(hues)]


def _waves(seed: bytes, x: int, y: int, cols: int, rows: int) -> RGB:
    """A sea at dawn: rolling wave bands under a pale sky, a low white sun."""
    horizon = rows * 0.45
    if y < horizon:
        if (x - cols * 0.3) ** 2 + (y - horizon) ** 2 <= (rows * 0.12) ** 2:
            return (255, 250, 235)
        return _blend((250, 200 + seed[13] // 8, 170), (180, 215, 235), 1 - y / horizon)
    crest = math.sin(x / 3 + y * 0.9 + seed[14]) > 0.55
    deep = _blend((40, 120, 170), (10, 40 + seed[15] // 8, 80), (y - horizon) / (rows - horizon))
    return (225, 240, 245) if crest else deep


def _forest(seed: bytes, x: int, y: int, cols: int, rows: int) -> RGB:
    """Pines in rows against a misty morning: a horror film's woods, or a quiet drama's."""
    mist = _blend((205, 215, 205), (150, 170, 160 + seed[16] // 8), y / rows)
    for layer, (shade, base) in enumerate((((95, 120, 105), 0.62), ((45, 75, 55), 0.8), ((18, 38, 28), 1.0))):
        spacing = 7 - layer * 2 + seed[17 + layer] % 2
        centre = (x // spacing) * spacing + spacing / 2
        top = rows * (base - 0.45 - 0.1 * ((x // spacing + seed[20]) % 3) / 2)
        if top <= y <= rows * base + 1 and abs(x - centre) <= (y - top) * 0.35:
            mist = shade
    return mist


def _tunnel(seed: bytes, x: int, y: int, cols: int, rows: int) -> RGB:
    """Nested neon frames receding into the dark: a sci-fi corridor."""
    ring = int(max(abs(x - cols / 2) / cols, abs(y - rows / 2) / rows) * 20)
    if ring % 3 == 0:
        return ((255, 60, 170), (80, 220, 255), (170, 90, 255))[(ring // 3 + seed[21]) % 3]
    return (12, 8, 28 + ring * 3)


MOTIFS = (_sunset, _skyline, _arcade, _panels, _stage, _bands, _waves, _forest, _tunnel)


def _blend(a: RGB, b: RGB, t: float) -> RGB:
    t = min(1.0, max(0.0, t))
    return (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t), round(a[2] + (b[2] - a[2]) * t))


def poster(name: str, cols: int, rows: int, motif: int = 0) -> Grid:
    """An RGB colour per 8x8 block: one of several scenes, its colours and layout from the name."""
    seed = hashlib.sha256(name.encode()).digest()
    draw = MOTIFS[motif % len(MOTIFS)]
    return [[draw(seed, x, y, cols, rows) for x in range(cols)] for y in range(rows)]


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
    for motif, name in enumerate(ISSUE_IMAGES):  # in turn: the nine pictures of the issue differ
        width, height = size_of(name)
        base = name.rsplit(".", 1)[0].removesuffix(f"-{width}x{height}")
        cols, rows = (width + 15) // 16 * 2, (height + 15) // 16 * 2
        path = folder / name
        path.write_bytes(encode(poster(base, cols, rows, motif), width, height))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in write_images():
        print(f"{path.relative_to(HERE)}: {path.stat().st_size} bytes")
