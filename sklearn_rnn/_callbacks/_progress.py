"""Training progress for ``verbose=1``: one live line, or a few plain lines.

skorch's :class:`~skorch.callbacks.PrintLog` prints a table row per epoch,
which floods a log file or a CI job with hundreds of lines per fit. Here a
terminal gets a single line rewritten in place each epoch, and any other
output (a file, a pipe, a notebook) gets at most about twenty lines per fit.
``verbose=2`` keeps skorch's full table.
"""

import math
import shutil
import sys
import time

from skorch.callbacks import PrintLog

__all__ = ["EpochProgress", "echo", "progress_callback", "silent"]

# Lines a non-terminal fit prints at most, besides its first and last epoch.
MAX_PLAIN_LINES = 20

# Whether a live line is on screen without its newline, so that a message
# printed meanwhile (early stopping's) starts on a line of its own.
_live = {"open": False}


def echo(message, **kwargs):
    """Print ``message`` on a line of its own, closing an open live line first.

    A drop-in sink for skorch callbacks (extra keyword arguments such as
    ``verbose`` are ignored).
    """
    stream = sys.stdout
    if _live["open"]:
        stream.write("\n")
        _live["open"] = False
    stream.write(f"{message}\n")
    stream.flush()


def _format_loss(value):
    return f"{value:.4g}" if isinstance(value, float) else "-"


class EpochProgress(PrintLog):
    """Compact per-epoch progress: epoch, losses, gradient norm and time.

    Subclassing :class:`~skorch.callbacks.PrintLog` makes skorch run it after
    every other callback, so each epoch's history is complete when it prints.

    Parameters
    ----------
    live : bool or None, default=None
        True rewrites one line in place (``"\\r"``) each epoch; False prints
        plain lines, at most about :data:`MAX_PLAIN_LINES` per fit; None
        decides at the start of each fit: live when standard output is a
        terminal.
    label : str or None, default=None
        Text put in front of every line, e.g. the estimator's name.
    """

    def __init__(self, live=None, label=None):
        self.live = live
        self.label = label

    def initialize(self):
        self.first_epoch_ = 0
        self.total_epochs_ = 0
        self.every_ = 1
        self.last_printed_ = None
        self.printed_epoch_ = None
        self.start_ = time.monotonic()
        self.live_ = False
        return self

    def on_train_begin(self, net, **kwargs):
        self.first_epoch_ = len(net.history)
        self.total_epochs_ = self.first_epoch_ + net.max_epochs
        self.every_ = max(1, math.ceil(net.max_epochs / MAX_PLAIN_LINES))
        self.last_printed_ = None
        self.printed_epoch_ = None
        self.start_ = time.monotonic()
        live = self.live
        if live is None:
            isatty = getattr(sys.stdout, "isatty", None)
            live = bool(isatty and isatty())
        self.live_ = live

    def _line(self, net):
        row = net.history[-1]
        epoch = row["epoch"]
        width = len(str(self.total_epochs_))
        parts = [] if self.label is None else [self.label]
        parts.append(f"epoch {epoch:>{width}}/{self.total_epochs_}")
        parts.append(f"{time.monotonic() - self.start_:.1f}s")
        parts.append(f"train_loss {_format_loss(row.get('train_loss'))}")
        if "valid_loss" in row:
            best = "*" if row.get("valid_loss_best") else " "
            parts.append(f"valid_loss {_format_loss(row['valid_loss'])}{best}")
        if "grad_norm" in row:
            parts.append(f"grad_norm {_format_loss(row['grad_norm'])}")
        return "  ".join(parts)

    def _emit(self, net):
        line = self._line(net)
        stream = sys.stdout
        if self.live_:
            # A line wider than the terminal would wrap, and "\r" would then
            # rewrite only its last row.
            width = shutil.get_terminal_size().columns - 1
            line = line[:width]
            # Padding wipes what is left of a longer previous line.
            previous = self.last_printed_ or ""
            stream.write("\r" + line.ljust(len(previous)))
            _live["open"] = True
        else:
            stream.write(line + "\n")
        stream.flush()
        self.last_printed_ = line

    def on_epoch_end(self, net, **kwargs):
        done = len(net.history) - self.first_epoch_
        if self.live_ or done == 1 or done % self.every_ == 0:
            self._emit(net)
            self.printed_epoch_ = len(net.history)

    def on_train_end(self, net, **kwargs):
        # The last epoch, when it was skipped or early stopping interrupted
        # it before this callback's turn.
        if len(net.history) and self.printed_epoch_ != len(net.history):
            self._emit(net)
            self.printed_epoch_ = len(net.history)
        if self.live_ and _live["open"]:
            sys.stdout.write("\n")
            sys.stdout.flush()
            _live["open"] = False


def silent(*args, **kwargs):
    """A skorch sink that prints nothing."""


def progress_callback(verbose, label=None):
    """The callback that reports training for a ``verbose`` level.

    0 prints nothing, 1 the compact :class:`EpochProgress`, 2 and more
    skorch's table of every epoch.
    """
    if not verbose:
        return PrintLog(sink=silent)
    if verbose == 1:
        return EpochProgress(label=label)
    return PrintLog(sink=echo)
