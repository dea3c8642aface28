"""elpv decoded in threads, chunk by chunk: the same pixels, labels and cell types as the package's loader."""

import numpy as np
import pytest

from tutor.lab.data import elpv


def test_the_labels_are_the_packages(tmp_path):
    from elpv_dataset.utils import load_dataset

    files, probs, types = elpv.labels()
    assert len(files) == len(probs) == len(types) == 2624 and set(types) == {"mono", "poly"}
    # the package's loader on the first 40 rows of its labels.csv (it decodes every image it lists)
    head = (elpv.data_dir() / "labels.csv").read_text().splitlines(keepends=True)[:40]
    (tmp_path / "labels.csv").write_text("".join(head))
    (tmp_path / "images").symlink_to(elpv.data_dir() / "images")
    images, p, t = load_dataset(str(tmp_path / "labels.csv"))
    assert np.array_equal(p, probs[:40]) and p.dtype == probs.dtype and list(t) == list(types[:40])
    chunks = list(elpv.images(files[:40], chunk=16))
    assert [len(c) for c in chunks] == [16, 16, 8]
    ours = np.concatenate(chunks)
    assert ours.dtype == images.dtype == np.uint8 and np.array_equal(ours, images)


def test_one_thread_or_many_decode_the_same():
    files = elpv.labels()[0][100:110]
    one = np.concatenate(list(elpv.images(files, chunk=4, threads=1)))
    assert np.array_equal(one, np.concatenate(list(elpv.images(files, chunk=3, threads=4))))


@pytest.mark.slow
def test_the_dataset_is_the_one_the_packages_loader_made():
    """The whole elpv dataset at 32 px against the package's loader and one resize of the whole stack."""
    from elpv_dataset.utils import load_dataset

    from tutor.lab.data import datasets

    images, probs, types = load_dataset()
    built = datasets._build_elpv(32)
    assert np.array_equal(built["x"], datasets._resize_stack(images, 32))
    assert np.array_equal(built["probability"], probs.astype(np.float32))
    assert list(built["type"]) == list(types)
