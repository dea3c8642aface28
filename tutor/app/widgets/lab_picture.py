"""The one picture of a finished lab run, drawn in the terminal with coloured half-cells (rich-pixels).

Which picture: the first PNG the lab's "what to look at" text names, else the most specific plot the run
wrote (a confusion matrix, a learning curve... before the generic accuracy curves). A plot scaled down
to terminal cells loses its thin lines, so dark and coloured strokes are thickened first (a minimum
filter on a white background); the full-size file stays one key away (the folder opens, or its path shows).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from rich.console import Group
from rich.text import Text
from textual.widgets import Static

# most specific first: the generic per-epoch curves only when a lab wrote nothing else
PREFERENCE = ("confusion.png", "learning_curve.png", "unfreezing.png", "params.png", "loss.png", "layers.png",
              "accuracy.png", "curves.png")
MAX_WIDTH = 100  # cells; wider adds no detail a half-cell picture can show
MAX_ROWS = 16  # cells; the verdict and the claims stay within reach


def main_picture(files: list[str], look_at: str = "") -> Path | None:
    """The PNG that answers the lab's question, among the files a run wrote."""
    pngs = {Path(f).name: Path(f) for f in files if str(f).lower().endswith(".png")}
    if not pngs:
        return None
    for name in re.findall(r"[\w.-]+\.png", look_at or ""):
        if name in pngs:
            return pngs[name]
    ranked = sorted(pngs, key=lambda n: PREFERENCE.index(n) if n in PREFERENCE else len(PREFERENCE))
    return pngs[ranked[0]]


def scaled(path: Path, width: int, max_rows: int = MAX_ROWS):
    """The picture as a Pillow image at most `width` x 2*`max_rows` pixels (one cell holds two), strokes kept."""
    from PIL import Image, ImageFilter

    with Image.open(path) as image:
        image = image.convert("RGB")
    w, h = image.size
    width = max(10, min(width, MAX_WIDTH, round(2 * max_rows * w / h)))
    rows = max(2, round(width * h / w / 2) * 2)
    thicken = max(1, (w // width) | 1)  # odd size: strokes about one cell wide after scaling
    if thicken > 1:
        image = image.filter(ImageFilter.MinFilter(min(thicken, 9)))
    return image.resize((width, rows), Image.Resampling.BOX)


def render(path: Path, width: int, max_rows: int = MAX_ROWS):
    """A rich renderable of the picture, at most `width` cells wide and `max_rows` high."""
    from rich_pixels import Pixels

    return Pixels.from_image(scaled(path, width, max_rows))


def open_folder(folder: Path) -> bool:
    """Open `folder` in the desktop's file manager; False when there is none (a headless machine)."""
    opener = {"darwin": "open", "win32": "explorer"}.get(sys.platform, "xdg-open")
    if shutil.which(opener) is None:
        return False
    try:
        subprocess.Popen([opener, str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return False
    return True


class LabPicture(Static):
    """The picture, redrawn at the widget's width; a caption names the file."""

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self.path: Path | None = None
        self.caption = ""
        self._drawn_width = 0

    def show(self, path: Path | None, caption: str = "") -> None:
        self.path, self.caption, self._drawn_width = path, caption, 0
        self.display = path is not None
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.size.width or 78
        if self.path is None or width == self._drawn_width:
            return
        self._drawn_width = width
        try:
            picture = render(self.path, width, max(8, min(MAX_ROWS, self.app.size.height // 2)))
        except (OSError, ValueError) as exc:  # a missing or unreadable file: say so, never crash the page
            self.update(Text(f"{self.path.name}: {exc}", style="dim"))
            return
        self.update(Group(picture, Text(self.caption, style="dim")))
