"""What the journey parts share: dependencies, defaults (fixtures/journeys.json), dates and paging."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from ...clock import sfmc_datetime
from ...config import fixtures_dir
from ...store.journeys import JourneyRepository
from ...store.rest_documents import RestDocumentRepository
from ..codes import REST
from ..errors import Invalid

if TYPE_CHECKING:
    from ...core import Emulator

EVENT_KIND = "event_definition"
PUBLISH_KIND = "journey_publish_status"
WAIT_JOB = "JourneyWait"
MAX_PAGE_SIZE = 50  # [current-summaries: eventDefinitions "$pageSize default and maximum 50"]
MAX_PAGING = 2**31 - 1
KEY_RE = re.compile(r"^[A-Za-z0-9_\-.]{1,200}$")  # "no special characters" [eventDefinitions PUT summary]


@cache
def defaults() -> dict[str, Any]:
    return json.loads((fixtures_dir() / "journeys.json").read_text(encoding="utf-8"))


@dataclass
class JourneyDeps:
    """What journeys read and write (built once in core.py). The emulator is there for the data-extension
    helpers (domain/data_extensions.py takes it) and the job runner."""

    emu: Emulator
    repo: JourneyRepository
    docs: RestDocumentRepository

    def now(self) -> float:
        return self.emu.clock.now().timestamp()


def stamp(ts: float) -> str:
    """Journey dates as SFMC writes them: Central time, no zone ("2024-05-04T05:54:48.027")."""
    return sfmc_datetime(datetime.fromtimestamp(ts, UTC))


def invalid(detail: str, code: REST = REST.VALIDATION) -> Invalid:
    return Invalid(detail, code=code)


def text_field(body: dict[str, Any], name: str, required: bool = False, max_length: int = 200) -> str | None:
    value = body.get(name)
    if value is None or value == "":
        if required:
            raise invalid(f"{name} is required.", REST.MISSING_FIELD)
        return None
    if not isinstance(value, str):
        raise invalid(f"{name} must be a string.", REST.INVALID_DATA_TYPE)
    if len(value) > max_length:
        raise invalid(f"{name} must be at most {max_length} characters.", REST.INVALID_VALUE)
    return value


def paging(page: Any, page_size: Any, default_size: int = MAX_PAGE_SIZE,
           max_size: int = MAX_PAGE_SIZE) -> tuple[int, int]:
    """($page, $pageSize) as positive integers; a larger page size is capped as SFMC caps it."""
    out = []
    for name, value, default in (("$page", page, 1), ("$pageSize", page_size, default_size)):
        if value in (None, ""):
            out.append(default)
            continue
        try:
            number = int(str(value))
        except ValueError:
            raise invalid(f"{name} must be a positive integer.", REST.INVALID_VALUE) from None
        if number < 1 or number > MAX_PAGING:
            raise invalid(f"{name} must be a positive integer.", REST.INVALID_VALUE)
        out.append(number)
    return out[0], min(out[1], max_size)


def version_number(value: Any, required: bool = True) -> int | None:
    if value in (None, ""):
        if required:
            raise invalid("versionNumber is required.", REST.MISSING_FIELD)
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise invalid("versionNumber must be a positive integer.", REST.INVALID_VALUE) from None
    if number < 1 or number > MAX_PAGING:
        raise invalid("versionNumber must be a positive integer.", REST.INVALID_VALUE)
    return number


def trigger_event_keys(data: dict[str, Any]) -> list[str]:
    """The event definition keys a version's triggers name (metaData or configurationArguments)."""
    keys = []
    for trigger in data.get("triggers") or []:
        for section in ("metaData", "configurationArguments"):
            value = (trigger.get(section) or {}).get("eventDefinitionKey")
            if isinstance(value, str) and value:
                keys.append(value)
    return keys
