"""The clock's documented range (years 2000-2199, UTC): a move outside it, or not a finite number, is a
400 and the clock is as before; a SOAP Schedule at a date it can never reach is an Error result."""

from __future__ import annotations

import pytest
import requests

from emulator.clock import EARLIEST, LATEST, Clock, ClockRangeError

CLOCK = "/_emulator/clock"


def _post(mc, body) -> requests.Response:
    return requests.post(f"{mc.base_url}{CLOCK}", json=body, timeout=5)


@pytest.mark.parametrize("body", [
    {"advance": -1e12}, {"advance": 1e308}, {"advance": "inf"}, {"advance": "60"}, {"advance": True},
    {"advance": None}, {"advance": [1]}, {"set": "9999-12-31T23:59:58Z"}, {"set": "0001-01-01"},
    {"set": "1999-12-31T23:59:59Z"}, {"set": "2200-01-01T00:00:00Z"}, {"set": "soon"}, {"set": 2030},
    {"set": True}, {"freeze": "yes"}, {"reset": 1}, {"unknown": 1}, [], "x", 3,
    {"set": "2199-12-31T23:00:00Z", "advance": 7200},  # each fine alone, together out of range
    {"freeze": True, "advance": 1e10},  # a refused body applies none of its moves
])
def test_out_of_range_or_mistyped_moves_are_400_and_change_nothing(mc, body):
    before = _post(mc, {"freeze": True, "set": "2030-01-01T00:00:00Z"}).json()
    refused = _post(mc, body)
    assert refused.status_code == 400, refused.text
    assert refused.json()["errorcode"] == 10005
    assert requests.get(f"{mc.base_url}{CLOCK}", timeout=5).json() == before
    assert mc.emu.guard_hits == 0


@pytest.mark.parametrize("raw", ['{"advance": NaN}', '{"advance": Infinity}', '{"advance": -Infinity}', "{",
                                 '{"advance": 1' + "0" * 5000 + "}", "[" * 10_000 + "]" * 10_000])
def test_non_json_numbers_and_broken_bodies_are_400(mc, raw):
    refused = requests.post(f"{mc.base_url}{CLOCK}", data=raw, headers={"Content-Type": "application/json"},
                            timeout=5)
    assert refused.status_code == 400 and refused.json()["errorcode"] in (10004, 10005)
    assert requests.get(f"{mc.base_url}{CLOCK}", timeout=5).json()["frozen"] is False


def test_the_range_edges_are_reachable(mc):
    assert _post(mc, {"freeze": True, "set": "2199-12-31T23:59:59Z"}).json()["now"] == "2199-12-31T23:59:59Z"
    assert _post(mc, {"advance": 1}).status_code == 400
    assert _post(mc, {"set": "2000-01-01T00:00:00Z"}).json()["now"] == "2000-01-01T00:00:00Z"
    assert _post(mc, {"advance": -1}).status_code == 400
    assert _post(mc, {"advance": 86400.5}).json()["now"] == "2000-01-02T00:00:00.500000Z"


def test_clock_methods_refuse_on_their_own():
    clock = Clock()
    clock.freeze()
    now = clock.now()
    for move in (lambda: clock.advance(float("nan")), lambda: clock.advance(float("inf")),
                 lambda: clock.advance(1e308), lambda: clock.set(LATEST.replace(year=2200)),
                 lambda: clock.freeze(EARLIEST.replace(year=1999))):
        with pytest.raises(ClockRangeError):
            move()
        assert clock.now() == now


def _schedule(soap, start: str) -> tuple[int, object]:
    body = ('<Action>start</Action><Schedule><Recurrence xsi:type="DailyRecurrence">'
            '<DailyRecurrencePatternType>Interval</DailyRecurrencePatternType><DayInterval>1</DayInterval>'
            '</Recurrence><RecurrenceType>Daily</RecurrenceType><RecurrenceRangeType>EndAfter</RecurrenceRangeType>'
            f'<StartDateTime>{start}</StartDateTime><Occurrences>1</Occurrences></Schedule>'
            '<Interactions><Interaction xsi:type="EmailSendDefinition"><CustomerKey>any</CustomerKey>'
            '</Interaction></Interactions>')
    return soap.post("Schedule", f'<ScheduleRequestMsg xmlns="http://exacttarget.com/wsdl/partnerAPI">{body}'
                                 "</ScheduleRequestMsg>")


def test_schedule_at_year_9999_is_an_error_result(mc, soap):
    status, response = _schedule(soap, "9999-12-31T00:00:00Z")
    assert status == 200
    ns = "{http://exacttarget.com/wsdl/partnerAPI}"
    assert response.findtext(f".//{ns}OverallStatus") == "Error"
    assert response.findtext(f".//{ns}ErrorCode") == "140"
    assert "outside the emulator clock's range" in response.findtext(f".//{ns}StatusMessage")
    assert mc.emu.guard_hits == 0
    # Zone-less, 9999-12-31 late in Central time is year 10000 in UTC: refused as a client error, never a 500.
    status, response = _schedule(soap, "9999-12-31T23:59:00")
    assert status in (200, 500) and (status == 200 or response.findtext(".//faultcode") == "soap:Client")
    assert mc.emu.guard_hits == 0
