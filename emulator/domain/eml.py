"""A rendered outbox message as an RFC 822 message (the .eml download and the inspector's Source tab)."""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, formataddr
from typing import Any


def to_eml(row: dict[str, Any]) -> bytes:
    message = EmailMessage()
    message["From"] = formataddr((row["from_name"] or "", row["from_addr"] or ""))
    message["To"] = row["to_addr"] or ""
    message["Subject"] = row["subject"] or ""
    message["Date"] = format_datetime(datetime.fromtimestamp(row["created"] or 0).astimezone())
    message["Message-ID"] = f"<{row['id']}.{row['job_id'] or row['message_key']}@sfmc-emulator>"
    message["X-SFMC-Job-ID"] = str(row["job_id"] or "")
    message["X-SFMC-Message-Key"] = str(row["message_key"] or "")
    message.set_content(row["text"] or "")
    if row["html"]:
        message.add_alternative(row["html"], subtype="html")
    return message.as_bytes()
