"""A rendered outbox message as an RFC 822 message (the .eml download and the inspector's Source tab)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any

_LINE_BREAKS = re.compile(r"[\r\n\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+")


def _header(value: object) -> str:
    """A header value without line breaks or controls: a Subject or name with CR/LF (which a message may
    well hold) would otherwise inject headers, and the email package refuses it."""
    return _LINE_BREAKS.sub(" ", str(value or "")).strip()


def to_eml(row: dict[str, Any]) -> bytes:
    message = EmailMessage()
    message["From"] = formataddr((_header(row["from_name"]), _header(row["from_addr"])))
    message["To"] = _header(row["to_addr"])
    message["Subject"] = _header(row["subject"])
    message["Date"] = format_datetime(datetime.fromtimestamp(row["created"] or 0, UTC))
    message["Message-ID"] = f"<{row['id']}.{_header(row['job_id'] or row['message_key']).replace(' ', '')}@sfmc-emulator>"
    message["X-SFMC-Job-ID"] = _header(row["job_id"])
    message["X-SFMC-Message-Key"] = _header(row["message_key"])
    message.set_content(row["text"] or "")
    if row["html"]:
        message.add_alternative(row["html"], subtype="html")
    return message.as_bytes()
