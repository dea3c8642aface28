"""A user's image folder surveyed from the files' headers, before any image is decoded. Torch-free.

A 67-byte PNG may claim 60,000 x 60,000 pixels: decoding it would take gigabytes. So the folder dataset
reads every file's header first (PIL opens lazily: the size is in the first bytes), refuses a file
claiming more than `MAX_PIXELS`, and hands the count and the claimed sizes to the cost estimate
(tutor.lab.cost), which then knows the folder's work and memory before anything is decoded.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

from tutor.lab.errors import DatasetUnavailable

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".pgm", ".ppm"}
MAX_PIXELS = 64_000_000  # 64 megapixels (8000 x 8000): more than any camera photo; decoded, about 256 MB at most


@dataclass(frozen=True)
class Folder:
    classes: list[str]
    files: list[tuple[Path, int]]  # (file, class index)
    sizes: list[tuple[int, int]]  # (width, height) each file's header claims

    @property
    def largest_pixels(self) -> int:
        return max((w * h for w, h in self.sizes), default=0)


def folder_files(root: Path) -> tuple[list[str], list[tuple[Path, int]]]:
    """(class names, [(file, class index)]): one sub-folder per class, image files by suffix."""
    if not root.is_dir():
        raise DatasetUnavailable(f"folder dataset: {root} is not a directory (expected one sub-folder per class)")
    classes = sorted(d.name for d in root.iterdir() if d.is_dir() and not d.name.startswith("."))
    files = []
    for label, name in enumerate(classes):
        for f in sorted((root / name).rglob("*")):
            if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES:
                files.append((f, label))
    if len(classes) < 2 or not files:
        raise DatasetUnavailable(f"folder dataset: {root} needs at least two class sub-folders with images ({', '.join(sorted(IMAGE_SUFFIXES))})")
    return classes, files


def header_size(path: Path) -> tuple[int, int]:
    """(width, height) from the file's header, without decoding; a file PIL cannot identify, or one claiming
    more than `MAX_PIXELS`, is a DatasetUnavailable."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                width, height = img.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise DatasetUnavailable(f"folder dataset: image {path} claims more pixels than tutor decodes "
                                 f"({MAX_PIXELS // 1_000_000} megapixels at most)") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as exc:
        raise DatasetUnavailable(f"folder dataset: cannot read image {path}: {exc}") from None
    if width * height > MAX_PIXELS:
        raise DatasetUnavailable(f"folder dataset: image {path} claims {width} x {height} pixels, more than tutor "
                                 f"decodes ({MAX_PIXELS // 1_000_000} megapixels at most)")
    return width, height


def survey(root: Path) -> Folder:
    """The folder's classes, files and claimed image sizes (headers only)."""
    classes, files = folder_files(root)
    return Folder(classes, files, [header_size(f) for f, _ in files])
