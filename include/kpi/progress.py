"""Progress of long steps in the terminal: a redrawn bar on a TTY, a line per 10% elsewhere.

The one way the project shows progress (`kpi demo-data`, `kpi load`, `kpi run`): code that does the
work reports progress(step, done, total[, note]); this class decides how it looks.
"""
from __future__ import annotations

import sys
import time


class ProgressPrinter:
    """Callable as progress(step, done, total, note=None), the shape the demo generator and loaders
    report in. `note` (e.g. the task running now) is shown after the bar, and on the 10% lines."""

    def __init__(self, stream=sys.stderr, width: int = 30):
        self.stream = stream
        self.width = width
        self.tty = stream.isatty()
        self._step: str | None = None
        self._last_decile = -1
        self._started = time.monotonic()
        self._bar_open = False  # a TTY bar is drawn on the current line

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.finish()

    def finish(self) -> None:
        """End the bar's line (on a TTY), e.g. before printing something else to the terminal."""
        if self._bar_open:
            self.stream.write("\n")
            self._bar_open = False
        self.stream.flush()

    def message(self, text: str) -> None:
        """A line of its own (a failure, a summary) that the bar does not overwrite."""
        self.finish()
        self.stream.write(text + "\n")
        self.stream.flush()

    def __call__(self, step: str, done: int, total: int, note: str | None = None) -> None:
        if step != self._step:
            self.finish()
            self._step, self._last_decile, self._started = step, -1, time.monotonic()
        fraction = min(done / total, 1.0) if total else 1.0
        if self.tty:
            filled = int(self.width * fraction)
            bar = "#" * filled + "-" * (self.width - filled)
            tail = f"  {note}" if note else ""
            # \033[K clears what a longer previous line left behind
            self.stream.write(f"\r{step:<12} [{bar}] {done:>7,}/{total:,} "
                              f"{time.monotonic() - self._started:5.1f}s{tail}\033[K")
            self.stream.flush()
            self._bar_open = True
            return
        decile = int(fraction * 10)
        if decile != self._last_decile:
            self._last_decile = decile
            tail = f"  {note}" if note else ""
            self.stream.write(f"{step:<12} {fraction:4.0%} ({done:,}/{total:,}){tail}\n")
            self.stream.flush()
