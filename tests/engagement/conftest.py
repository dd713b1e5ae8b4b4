from __future__ import annotations

import pytest

from tests.engagement.receiver import Receiver
from tests.rest.conftest import Api


@pytest.fixture
def receiver():
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def api(mc) -> Api:
    return Api(mc)
