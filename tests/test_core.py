"""The composition root: every repository declared in StoreRepositories is built, of its declared type, on
the emulator's one store; the SMS channel's messages get their own channel."""

from __future__ import annotations

from typing import get_type_hints

from emulator.core import Emulator, StoreRepositories


def test_every_declared_repository_is_built_over_the_one_store() -> None:
    emu = Emulator()
    try:
        declared = get_type_hints(StoreRepositories)
        assert len(declared) >= 17
        for name, repository in declared.items():
            built = getattr(emu, name)
            assert type(built) is repository, name
            assert built.store is emu.store, name
        assert (emu.tx_messages.channel, emu.sms_messages.channel) == ("email", "sms")
        assert emu.sms_messages.store is emu.store
    finally:
        emu.close()
