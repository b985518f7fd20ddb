"""Progress of long steps in the terminal: a redrawn bar on a TTY, a line per 10% elsewhere."""
from __future__ import annotations

import sys
import time


class ProgressPrinter:
    """Callable as progress(step, done, total), the shape the demo generator and loaders report in."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self._step: str | None = None
        self._last_decile = -1
        self._started = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.tty and self._step is not None:
            self.stream.write("\n")
        self.stream.flush()

    def __call__(self, step: str, done: int, total: int) -> None:
        if step != self._step:
            if self.tty and self._step is not None:
                self.stream.write("\n")
            self._step, self._last_decile, self._started = step, -1, time.monotonic()
        fraction = done / total if total else 1.0
        if self.tty:
            filled = int(self.width * fraction)
            bar = "#" * filled + "-" * (self.width - filled)
            self.stream.write(f"\r{step:<12} [{bar}] {done:>7,}/{total:,} {time.monotonic() - self._started:5.1f}s")
            self.stream.flush()
            return
        decile = int(fraction * 10)
        if decile != self._last_decile:
            self._last_decile = decile
            self.stream.write(f"{step:<12} {fraction:4.0%} ({done:,}/{total:,})\n")
            self.stream.flush()
