"""Module-scoped data: built once through `sfmc_module`, not reset between this module's tests."""

import pytest
from newsletter import Newsletter


@pytest.fixture(scope="module")
def newsletter(sfmc_module):
    app = Newsletter(sfmc_module.base_url, sfmc_module.client_id, sfmc_module.client_secret)
    app.create_list("Weekly")
    return app


def test_list_is_there(newsletter):
    assert "Weekly" in newsletter.list_names()
    newsletter.create_list("Daily")


def test_still_there_in_the_next_test(newsletter):
    assert newsletter.list_names() == ["All Subscribers", "Daily", "Weekly"]
