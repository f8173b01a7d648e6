#!/usr/bin/env python3
"""Plots the scaling benchmark (bench/scaling.sh) as a log-log PNG and an ASCII curve.

Reads the CSV written by bench/scaling.sh (one row per engine and rule
count; columns engine, rules, ns_per_event, ...) and draws rules on x and
ns/event on y, both logarithmic, one line per engine, with a dotted
"linear" reference (cost proportional to the rule count, through the
first point of the first engine) and, in the legend, each engine's
log-log slope (1 = linear, below 1 = sublinear).

Standard library only: the PNG is written by hand (zlib + struct) and the
text is drawn with a built-in 5x7 bitmap font.

usage: plot_png.py --csv FILE [--out FILE.png] [--ascii] [--title TEXT]
"""
import argparse
import csv
import math
import struct
import sys
import zlib

# ---- a 5x7 bitmap font: 7 rows of 5 bits, most significant bit leftmost ----
# (g, p, q, y: 7 rows from the x-height down, see DESCENDERS)
FONT = {
    " ": (0, 0, 0, 0, 0, 0, 0),
    "0": (0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E),
    "1": (0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E),
    "2": (0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F),
    "3": (0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E),
    "4": (0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02),
    "5": (0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E),
    "6": (0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E),
    "7": (0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08),
    "8": (0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E),
    "9": (0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C),
    "A": (0x0E, 0x11, 0x11, 0x11, 0x1F, 0x11, 0x11),
    "B": (0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E),
    "C": (0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E),
    "D": (0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C),
    "E": (0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F),
    "F": (0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10),
    "G": (0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F),
    "H": (0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11),
    "I": (0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E),
    "J": (0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C),
    "K": (0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11),
    "L": (0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F),
    "M": (0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11),
    "N": (0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11),
    "O": (0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E),
    "P": (0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10),
    "Q": (0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D),
    "R": (0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11),
    "S": (0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E),
    "T": (0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04),
    "U": (0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E),
    "V": (0x11, 0x11, 0x11, 0x11, 0x11, 0x0A, 0x04),
    "W": (0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A),
    "X": (0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11),
    "Y": (0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04),
    "Z": (0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F),
    "a": (0, 0, 0x0E, 0x01, 0x0F, 0x11, 0x0F),
    "b": (0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x1E),
    "c": (0, 0, 0x0E, 0x10, 0x10, 0x11, 0x0E),
    "d": (0x01, 0x01, 0x0D, 0x13, 0x11, 0x11, 0x0F),
    "e": (0, 0, 0x0E, 0x11, 0x1F, 0x10, 0x0E),
    "f": (0x06, 0x09, 0x08, 0x1C, 0x08, 0x08, 0x08),
    "g": (0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E),
    "h": (0x10, 0x10, 0x16, 0x19, 0x11, 0x11, 0x11),
    "i": (0x04, 0, 0x0C, 0x04, 0x04, 0x04, 0x0E),
    "j": (0x02, 0, 0x06, 0x02, 0x02, 0x12, 0x0C),
    "k": (0x10, 0x10, 0x12, 0x14, 0x18, 0x14, 0x12),
    "l": (0x0C, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E),
    "m": (0, 0, 0x1A, 0x15, 0x15, 0x11, 0x11),
    "n": (0, 0, 0x16, 0x19, 0x11, 0x11, 0x11),
    "o": (0, 0, 0x0E, 0x11, 0x11, 0x11, 0x0E),
    "p": (0x1E, 0x11, 0x11, 0x11, 0x1E, 0x10, 0x10),
    "q": (0x0F, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x01),
    "r": (0, 0, 0x16, 0x19, 0x10, 0x10, 0x10),
    "s": (0, 0, 0x0E, 0x10, 0x0E, 0x01, 0x1E),
    "t": (0x08, 0x08, 0x1C, 0x08, 0x08, 0x09, 0x06),
    "u": (0, 0, 0x11, 0x11, 0x11, 0x13, 0x0D),
    "v": (0, 0, 0x11, 0x11, 0x11, 0x0A, 0x04),
    "w": (0, 0, 0x11, 0x11, 0x15, 0x15, 0x0A),
    "x": (0, 0, 0x11, 0x0A, 0x04, 0x0A, 0x11),
    "y": (0x11, 0x11, 0x11, 0x11, 0x0F, 0x01, 0x0E),
    "z": (0, 0, 0x1F, 0x02, 0x04, 0x08, 0x1F),
    ".": (0, 0, 0, 0, 0, 0x0C, 0x0C),
    ",": (0, 0, 0, 0, 0x0C, 0x04, 0x08),
    "-": (0, 0, 0, 0x1F, 0, 0, 0),
    "+": (0, 0x04, 0x04, 0x1F, 0x04, 0x04, 0),
    "/": (0, 0x01, 0x02, 0x04, 0x08, 0x10, 0),
    "(": (0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02),
    ")": (0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08),
    ":": (0, 0x0C, 0x0C, 0, 0x0C, 0x0C, 0),
    "=": (0, 0, 0x1F, 0, 0x1F, 0, 0),
    "%": (0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03),
    "_": (0, 0, 0, 0, 0, 0, 0x1F),
    "<": (0x02, 0x04, 0x08, 0x10, 0x08, 0x04, 0x02),
    ">": (0x08, 0x04, 0x02, 0x01, 0x02, 0x04, 0x08),
    "*": (0, 0x04, 0x15, 0x0E, 0x15, 0x04, 0),
    "'": (0x0C, 0x04, 0x08, 0, 0, 0, 0),
    "?": (0x0E, 0x11, 0x01, 0x02, 0x04, 0, 0x04),
}

DESCENDERS = "gpqy"  # drawn two rows lower: body on the x-height, tail below the baseline

WHITE = (255, 255, 255)
BLACK = (0, 0, 0)
GRID = (225, 225, 225)
GREY = (120, 120, 120)
COLORS = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14)]


class Canvas:
    def __init__(self, w, h, bg=WHITE):
        self.w, self.h = w, h
        self.px = bytearray(bytes(bg) * (w * h))

    def set(self, x, y, c):
        if 0 <= x < self.w and 0 <= y < self.h:
            i = (y * self.w + x) * 3
            self.px[i:i + 3] = bytes(c)

    def rect(self, x0, y0, x1, y1, c):
        for y in range(max(0, y0), min(self.h, y1 + 1)):
            for x in range(max(0, x0), min(self.w, x1 + 1)):
                self.set(x, y, c)

    def line(self, x0, y0, x1, y1, c, width=1, dash=None):
        """Bresenham; width > 1 stamps a square; dash=(on, off) in pixels."""
        x0, y0, x1, y1 = int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        sx, sy = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        err, n, r = dx + dy, 0, width // 2
        while True:
            if not dash or n % (dash[0] + dash[1]) < dash[0]:
                if r:
                    self.rect(x0 - r, y0 - r, x0 + r - (1 - width % 2), y0 + r - (1 - width % 2), c)
                else:
                    self.set(x0, y0, c)
            n += 1
            if x0 == x1 and y0 == y1:
                break
            e2 = 2 * err
            if e2 >= dy:
                err += dy
                x0 += sx
            if e2 <= dx:
                err += dx
                y0 += sy

    def text(self, x, y, s, c=BLACK, scale=2):
        for ch in s:
            rows = FONT.get(ch, FONT["?"])
            for j, bits in enumerate(rows, 2 if ch in DESCENDERS else 0):
                for i in range(5):
                    if bits & (0x10 >> i):
                        self.rect(x + i * scale, y + j * scale, x + (i + 1) * scale - 1,
                                  y + (j + 1) * scale - 1, c)
            x += 6 * scale

    @staticmethod
    def text_width(s, scale=2):
        return len(s) * 6 * scale - scale

    def png(self):
        raw = b"".join(b"\x00" + bytes(self.px[y * self.w * 3:(y + 1) * self.w * 3])
                       for y in range(self.h))

        def chunk(kind, data):
            return struct.pack(">I", len(data)) + kind + data + \
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        return (b"\x89PNG\r\n\x1a\n" +
                chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0)) +
                chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def read_series(path):
    """{engine: [(rules, ns_per_event), ...]} in file order, rules ascending."""
    series = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            try:
                n, ns = float(row["rules"]), float(row["ns_per_event"])
            except (KeyError, ValueError):
                continue
            series.setdefault(row["engine"], []).append((n, ns))
    for pts in series.values():
        pts.sort()
    return series


def slope(pts):
    """Least-squares slope of log(ns) over log(rules), points with ns > 0."""
    p = [(math.log10(n), math.log10(v)) for n, v in pts if n > 0 and v > 0]
    if len(p) < 2:
        return None
    mx = sum(x for x, _ in p) / len(p)
    my = sum(y for _, y in p) / len(p)
    sxx = sum((x - mx) ** 2 for x, _ in p)
    return sum((x - mx) * (y - my) for x, y in p) / sxx if sxx else None


def fmt_rules(v):
    return "%dk" % (v // 1000) if v >= 1000 else "%d" % v


def fmt_ns(v):
    for unit, div in (("s", 1e9), ("ms", 1e6), ("us", 1e3)):
        if v >= div:
            return "%g %s" % (v / div, unit)
    return "%g ns" % v


FLOOR = 1.0  # ns/event drawn for a cost at or below zero (measurement noise)


def bounds(series):
    xs = [n for pts in series.values() for n, _ in pts if n > 0]
    ys = [max(v, FLOOR) for pts in series.values() for _, v in pts]
    if not xs or not ys:
        return None
    x0, x1 = math.floor(math.log10(min(xs))), math.ceil(math.log10(max(xs)))
    y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
    if x1 == x0:
        x1 += 1
    if y1 == y0:
        y1 += 1
    return x0, x1, y0, y1


def plot_png(series, out, title):
    W, H = 900, 620
    L, R, T, B = 110, 30, 70, 80
    cv = Canvas(W, H)
    b = bounds(series)
    if b is None:
        cv.text(L, H // 2, "no data", GREY)
        open(out, "wb").write(cv.png())
        return
    x0, x1, y0, y1 = b
    pw, ph = W - L - R, H - T - B

    def X(n):
        return L + (math.log10(n) - x0) / (x1 - x0) * pw

    def Y(v):
        return T + ph - (math.log10(max(v, FLOOR)) - y0) / (y1 - y0) * ph

    # grid: decades and 2..9 minor lines
    for d in range(x0, x1 + 1):
        for m in range(1, 10):
            v = m * 10 ** d
            if d == x1 and m > 1:
                break
            cv.line(X(v), T, X(v), T + ph, GRID if m > 1 else (200, 200, 200))
    for d in range(y0, y1 + 1):
        for m in range(1, 10):
            v = m * 10 ** d
            if d == y1 and m > 1:
                break
            cv.line(L, Y(v), L + pw, Y(v), GRID if m > 1 else (200, 200, 200))
    cv.line(L, T, L, T + ph, BLACK)
    cv.line(L, T + ph, L + pw, T + ph, BLACK)
    for d in range(x0, x1 + 1):
        s = fmt_rules(10 ** d)
        cv.line(X(10 ** d), T + ph, X(10 ** d), T + ph + 5, BLACK)
        cv.text(int(X(10 ** d)) - cv.text_width(s) // 2, T + ph + 10, s)
    for d in range(y0, y1 + 1):
        s = fmt_ns(10 ** d)
        cv.line(L - 5, Y(10 ** d), L, Y(10 ** d), BLACK)
        cv.text(L - 10 - cv.text_width(s), int(Y(10 ** d)) - 7, s)
    cv.text(L + pw // 2 - cv.text_width("rules") // 2, H - 40, "rules")
    cv.text(10, T - 30, "ns/event")
    cv.text(W // 2 - cv.text_width(title) // 2, 15, title)

    # linear reference through the first point of the first engine
    first = next(iter(series.values()))
    ref = next(((n, v) for n, v in first if n > 0 and v > 0), None)
    if ref:
        n0, v0 = ref
        xa, xb = 10 ** x0, 10 ** x1
        # clip to the plot: cost v0 * n / n0 between the y bounds
        xa = max(xa, n0 * 10 ** y0 / v0)
        xb = min(xb, n0 * 10 ** y1 / v0)
        if xb > xa:
            cv.line(X(xa), Y(v0 * xa / n0), X(xb), Y(v0 * xb / n0), GREY, 1, (3, 4))

    legend = []
    for k, (engine, pts) in enumerate(series.items()):
        c = COLORS[k % len(COLORS)]
        pts = [(n, v) for n, v in pts if n > 0]
        for (na, va), (nb, vb) in zip(pts, pts[1:]):
            cv.line(X(na), Y(va), X(nb), Y(vb), c, 3)
        for n, v in pts:
            cv.rect(int(X(n)) - 4, int(Y(v)) - 4, int(X(n)) + 4, int(Y(v)) + 4, c)
        s = slope(pts)
        legend.append((c, engine + (" (slope %.2f)" % s if s is not None else "")))
    if ref:
        legend.append((GREY, "linear"))
    ly = T + 10
    lx = L + 15
    for c, label in legend:
        if label == "linear":
            cv.line(lx, ly + 6, lx + 30, ly + 6, c, 1, (3, 4))
        else:
            cv.line(lx, ly + 6, lx + 30, ly + 6, c, 3)
        cv.text(lx + 40, ly, label)
        ly += 22
    with open(out, "wb") as f:
        f.write(cv.png())


def plot_ascii(series, width=64, height=18):
    b = bounds(series)
    if b is None:
        return "(no data)\n"
    x0, x1, y0, y1 = b
    grid = [[" "] * width for _ in range(height)]

    def col(n):
        return int(round((math.log10(n) - x0) / (x1 - x0) * (width - 1)))

    def row(v):
        return height - 1 - int(round((math.log10(max(v, FLOOR)) - y0) / (y1 - y0) * (height - 1)))

    marks = {}
    for engine, pts in series.items():
        m = engine[0].upper()
        while m in marks.values():
            m = chr(ord(m) + 1)
        marks[engine] = m
        pts = [(n, v) for n, v in pts if n > 0]
        for (na, va), (nb, vb) in zip(pts, pts[1:]):
            ca, cb = col(na), col(nb)
            for c in range(ca + 1, cb):
                t = (c - ca) / (cb - ca)
                lv = math.log10(max(va, FLOOR)) * (1 - t) + math.log10(max(vb, FLOOR)) * t
                r = row(10 ** lv)
                if grid[r][c] == " ":
                    grid[r][c] = m.lower()
        for n, v in pts:
            grid[row(v)][col(n)] = m
    lines = []
    for r in range(height):
        label = ""
        for d in range(y0, y1 + 1):
            if row(10 ** d) == r:
                label = fmt_ns(10 ** d)
        lines.append("%9s |%s" % (label, "".join(grid[r]).rstrip()))
    lines.append("%9s +%s" % ("", "-" * width))
    axis = [" "] * (width + 8)
    for d in range(x0, x1 + 1):
        s = fmt_rules(10 ** d)
        c = max(0, col(10 ** d) - len(s) // 2)
        axis[c:c + len(s)] = s
    lines.append("%9s  %s   rules (log)" % ("ns/event", "".join(axis).rstrip()))
    legend = []
    for engine, pts in series.items():
        s = slope(pts)
        legend.append("%s = %s%s" % (marks[engine], engine,
                                     ", log-log slope %.2f" % s if s is not None else ""))
    lines.append("%9s  %s" % ("", "; ".join(legend)))
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--csv", required=True)
    ap.add_argument("--out", help="PNG to write")
    ap.add_argument("--ascii", action="store_true", help="print the ASCII curve")
    ap.add_argument("--title", default="stoop scaling: per-event cost vs rules (k8s audit)")
    a = ap.parse_args()
    series = read_series(a.csv)
    if a.ascii:
        sys.stdout.write(plot_ascii(series))
    if a.out:
        plot_png(series, a.out, a.title)


if __name__ == "__main__":
    main()
