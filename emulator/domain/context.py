"""Who is calling, and which business units they may act in."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallContext:
    mid: int  # the business unit the credentials (token or API user) belong to
    principal: str  # client_id or API username
    scopes: frozenset[str] = field(default_factory=frozenset)
    child_mids: tuple[int, ...] = ()  # BUs below `mid` that this caller may target via ClientID
    scoped: bool = False  # an OAuth2 token: `scopes` is the whole grant even when empty (no scope = no access)

    @property
    def accessible_mids(self) -> list[int]:
        return [self.mid, *self.child_mids]

    def can_act_in(self, mid: int) -> bool:
        return mid == self.mid or mid in self.child_mids

    def has_scope(self, scope: str) -> bool:
        return (not self.scopes and not self.scoped) or scope in self.scopes
