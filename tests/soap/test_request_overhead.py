"""What a SOAP request no longer pays for (issue 13): Spyne's once-a-second full gc.collect(), and more than
one reading of the envelope's action and object type across the WSGI layers."""

from __future__ import annotations

import gc
import logging

from emulator import journal
from emulator.app import create_app
from emulator.config import Config
from emulator.core import Emulator
from tests.soap_helpers import PARTNER, envelope


def _create(client, key: str):
    body = (f'<CreateRequest xmlns="{PARTNER}"><Objects xsi:type="List"><CustomerKey>{key}</CustomerKey>'
            f"<ListName>{key}</ListName></Objects></CreateRequest>")
    return client.post("/Service.asmx", data=envelope(body), headers={"SOAPAction": "Create"},
                       content_type="text/xml")


def test_a_soap_request_runs_no_full_collection(monkeypatch):
    emu = Emulator(Config())
    try:
        client = create_app(emu).test_client()
        collections: list[int] = []
        monkeypatch.setattr(gc, "collect", lambda *a: collections.append(1) or 0)
        import spyne.context
        monkeypatch.setattr(spyne.context, "_LAST_GC_RUN", 0.0)  # long ago: Spyne's default would collect now
        assert b"<StatusCode>OK</StatusCode>" in _create(client, "gc-1").data
        assert collections == []
    finally:
        emu.close()


def test_the_envelope_is_read_once_by_all_layers(monkeypatch):
    emu = Emulator(Config())
    try:
        client = create_app(emu).test_client()
        readings: list[bytes] = []
        real = journal.read_soap

        def counting(body, action):
            readings.append(body)
            return real(body, action)

        monkeypatch.setattr(journal, "read_soap", counting)
        monkeypatch.setattr("emulator.middleware.request_log.read_soap", counting)
        logging.getLogger("sfmc_emulator.requests").setLevel(logging.INFO)  # the request log reads it too
        try:
            assert _create(client, "once-1").status_code == 200
        finally:
            logging.getLogger("sfmc_emulator.requests").setLevel(logging.NOTSET)
        assert len(readings) == 1
        assert emu.journal.list(limit=1)[0]["object_type"] == "List"
    finally:
        emu.close()
