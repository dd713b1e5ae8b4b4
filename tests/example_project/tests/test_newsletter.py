"""Tests of the application module (newsletter.py) against the emulator, through the `sfmc` fixture."""

import pytest
from newsletter import MarketingCloudError, Newsletter


@pytest.fixture
def newsletter(sfmc):
    return Newsletter(sfmc.base_url, sfmc.client_id, sfmc.client_secret)


def test_create_list(newsletter):
    assert newsletter.create_list("Weekly") > 0
    assert newsletter.list_names() == ["All Subscribers", "Weekly"]


def test_duplicate_list_is_refused(newsletter):
    newsletter.create_list("Weekly")  # no leftovers from test_create_list: state is reset per test
    with pytest.raises(MarketingCloudError):
        newsletter.create_list("Weekly")


def test_expired_token_is_refused(sfmc, newsletter):
    newsletter.list_names()  # logs in; tokens live 20 minutes of the emulator's clock
    sfmc.clock.advance(21 * 60)
    with pytest.raises(MarketingCloudError, match="Token Expired"):
        newsletter.list_names()
