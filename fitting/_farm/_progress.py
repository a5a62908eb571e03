"""One progress bar over all recordings of a folder fit: counts of done, failed and skipped, and an ETA."""

import sys
import time


class FarmProgress:
    """A text bar of `total` recordings on a stream (stderr by default): redrawn in place on a terminal (at most 10
    times a second), elsewhere one line at every 10% and at the end.

    **Example:** `bar = FarmProgress(100); bar.update("done"); bar.close()`
    """

    def __init__(self, total: int, stream=None, width: int = 30):
        self.total, self.width = max(int(total), 1), width
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.counts = {"done": 0, "failed": 0, "skipped": 0}
        self.started, self.fitted = time.monotonic(), 0
        self.last_draw, self.last_decile = 0.0, -1

    def update(self, status: str, skipped: bool = False) -> None:
        """Count one recording: `status` "done" or "failed"; `skipped` when it was done (or failed) before."""
        self.counts["skipped" if skipped else status] += 1
        self.fitted += not skipped
        self._draw()

    def text(self) -> str:
        """The bar's current line."""
        n = sum(self.counts.values())
        filled = int(round(n / self.total * self.width))
        elapsed = time.monotonic() - self.started
        left = self.total - n
        eta = f"ETA {_duration(elapsed / self.fitted * left)}" if self.fitted and left else f"{_duration(elapsed)}"
        counts = ", ".join(f"{v} {k}" for k, v in self.counts.items())
        return f"recordings [{'#' * filled}{'-' * (self.width - filled)}] {n}/{self.total}: {counts}; {eta}"

    def _draw(self) -> None:
        n = sum(self.counts.values())
        if self.tty:
            now = time.monotonic()
            if now - self.last_draw >= 0.1 or n == self.total:
                self.stream.write("\r" + self.text())
                self.stream.flush()
                self.last_draw = now
        elif int(10 * n / self.total) > self.last_decile:
            self.last_decile = int(10 * n / self.total)
            self.stream.write(self.text() + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Draw the final count (unless drawn already) and end the bar's line."""
        if self.tty:
            self.stream.write("\r" + self.text() + "\n")
        elif self.last_decile < 10:
            self.stream.write(self.text() + "\n")
        self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}h{seconds // 60 % 60:02d}m" if seconds >= 3600 else f"{seconds // 60}m{seconds % 60:02d}s"
