import json

import pytest

from tutor.classreport.simulate import simulate, write_bank


@pytest.fixture(scope="module")
def simulated_class(tmp_path_factory):
    """300 learners x 65 items under a 2PL IRT model (fixed seed), as statement files and a bank folder."""
    folder = tmp_path_factory.mktemp("class")
    statements, truth = simulate(learners=300, items=65, seed=0)
    bank_dir = write_bank(folder / "bank", truth)
    path = folder / "class.jsonl"
    with open(path, "w", encoding="utf-8") as f:
        for s in statements:
            f.write(json.dumps(s) + "\n")
    return path, bank_dir, truth, statements
