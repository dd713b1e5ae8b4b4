"""The outbox search syntax, parsed into a filter the store runs as SQL.

    to:ada@example.com  from:news@  subject:"spring sale"  job:42  definition:welcome-send  is:bounced  hello

Known `name:value` terms narrow one column (values may be double-quoted to hold spaces); every other word is
free text matched against subject, recipient, subscriber key and body. An unknown `name:` or an `is:` other
than `bounced` is kept as free text, so nothing a person types is silently dropped.
"""

from __future__ import annotations

import re

from ..store.outbox import OutboxFilter

_TOKEN = re.compile(r'(?:(\w+):)?(?:"([^"]*)"?|(\S+))')
FIELDS = {"to": "to", "from": "from_", "subject": "subject", "job": "job", "definition": "definition",
          "def": "definition", "key": "message_key", "subscriber": "subscriber"}


def parse_query(q: str | None) -> OutboxFilter:
    """`q` as an OutboxFilter (pure: no store access)."""
    found = OutboxFilter()
    for match in _TOKEN.finditer(q or ""):
        name, quoted, bare = match.group(1), match.group(2), match.group(3)
        value = quoted if quoted is not None else (bare or "")
        key = (name or "").lower()
        if key == "is" and value.lower() == "bounced":
            found.bounced = True
        elif key == "job" and value.isdigit():
            found.job = int(value)
        elif key in FIELDS and key != "job" and value:
            setattr(found, FIELDS[key], value)
        elif value or name:
            found.text.append(f"{name}:{value}" if name else value)
    return found
