"""Read an 8-bit RGB/RGBA PNG (what Chromium's screenshots are) into a numpy array, with the stdlib's
zlib: the project has no imaging library and needs none but this, for tests."""
from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np


def size(path: Path) -> tuple[int, int]:
    """(width, height) from the IHDR chunk."""
    head = Path(path).read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])


def read(path: Path) -> np.ndarray:
    """Pixels as an array of shape (height, width, channels)."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, ihdr = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    width, height, depth, colour, _, _, interlace = ihdr
    if depth != 8 or interlace or colour not in (2, 6):
        raise ValueError(f"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}")
    bpp = 3 if colour == 2 else 4
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), np.uint8).reshape(height, 1 + width * bpp)
    out = np.zeros((height, width * bpp), np.uint8)
    prev = np.zeros(width * bpp, np.int32)
    for r in range(height):
        kind, line = raw[r, 0], raw[r, 1:].astype(np.int32)
        if kind == 0:
            cur = line
        elif kind == 1:  # Sub: a running sum per channel
            cur = np.cumsum(line.reshape(width, bpp), axis=0).reshape(-1) & 255
        elif kind == 2:  # Up
            cur = (line + prev) & 255
        else:  # Average, Paeth: sequential within the row
            c, p = line.tolist(), prev.tolist()
            for i in range(len(c)):
                a = c[i - bpp] if i >= bpp else 0
                b = p[i]
                if kind == 3:
                    c[i] = (c[i] + ((a + b) >> 1)) & 255
                else:
                    ul = p[i - bpp] if i >= bpp else 0
                    pa, pb, pc = abs(b - ul), abs(a - ul), abs(a + b - 2 * ul)
                    c[i] = (c[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else ul)) & 255
            cur = np.array(c, np.int32)
        out[r] = cur
        prev = cur
    return out.reshape(height, width, bpp)
