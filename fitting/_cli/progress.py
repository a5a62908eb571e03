"""A text progress bar of a running multistart, drawn from the iterations the compiled loops report."""

import sys
import time


class ProgressBar:
    """A text progress bar of a multistart on a stream: iterations done of `max_iter`, and starts still running
    (where the starts run in lockstep, vmapped) or the run (start or stage) reached where they run one after another.

    Redraws in place on a terminal (at most 10 times a second); elsewhere writes a line at every 10% of `max_iter`.

    **Example:** `with fitting._progress.listening(ProgressBar(200, 16)): multistart(problem, 16)`
    """

    def __init__(self, max_iter: int, n_starts: int, stream=None, width: int = 30):
        self.max_iter, self.n_starts, self.width = max(int(max_iter), 1), int(n_starts), width
        self.stream = sys.stderr if stream is None else stream
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.iteration, self.running, self.passes = 0, 0, 0
        self.last_draw, self.last_decile = 0.0, -1

    def __call__(self, iteration: int, done: bool) -> None:
        if iteration != self.iteration:
            self._draw(self.iteration, self.running)
            if iteration < self.iteration:  # starts that run one after another, or a strategy's next stage
                self.passes += 1
            self.iteration, self.running = iteration, 0
        self.running = min(self.running + (0 if done else 1), self.n_starts)

    def _draw(self, iteration: int, running: int) -> None:
        fraction = min(iteration / self.max_iter, 1.0)
        filled = int(round(fraction * self.width))
        bar = "#" * filled + "-" * (self.width - filled)
        text = f"optimising [{bar}] iteration {iteration}/{self.max_iter}, " + (
            f"{running}/{self.n_starts} starts running" if not self.passes else f"run {self.passes + 1}"
        )
        if self.tty:
            now = time.monotonic()
            if now - self.last_draw >= 0.1:
                self.stream.write("\r" + text)
                self.stream.flush()
                self.last_draw = now
        elif int(fraction * 10) > self.last_decile:
            self.last_decile = int(fraction * 10)
            self.stream.write(text + "\n")
            self.stream.flush()

    def close(self) -> None:
        """Draw the last iteration and finish the bar's line."""
        self.last_draw, self.last_decile = 0.0, -1
        self._draw(self.iteration, self.running)
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
