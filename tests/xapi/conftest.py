import pytest
from support.lrs import Lrs


@pytest.fixture(scope="module")
def lrs(tmp_path_factory):
    server = Lrs(tmp_path_factory.mktemp("lrs"))
    yield server
    server.stop()
