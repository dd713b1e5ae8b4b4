"""The one source of GUIDs, request ids and tokens. Seeded (deterministic mode) or random."""

from __future__ import annotations

import random
import secrets
import threading
import uuid


class IdSource:
    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self.reseed(seed)

    def reseed(self, seed: int | None) -> None:
        with self._lock:
            self.seed = seed
            self._random = random.Random(seed) if seed is not None else None

    def guid(self) -> str:
        with self._lock:
            if self._random is None:
                return str(uuid.uuid4())
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def token(self, nbytes: int = 48) -> str:
        with self._lock:
            if self._random is None:
                return secrets.token_urlsafe(nbytes)
            raw = self._random.getrandbits(nbytes * 8).to_bytes(nbytes, "big")
        import base64

        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
