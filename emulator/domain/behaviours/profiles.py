"""SenderProfile, DeliveryProfile and SendClassification: stored objects with SFMC's codes for a
missing object, a missing name, and references that must exist."""

from __future__ import annotations

from typing import Any

from ..context import CallContext
from ..errors import Invalid, NotFound
from . import Behaviour, behaviour


def reference(stored: dict[str, Any]) -> dict[str, Any]:
    return {"__type__": stored["__type__"], "ObjectID": stored["ObjectID"], "CustomerKey": stored["CustomerKey"]}


@behaviour("SenderProfile")
class SenderProfileBehaviour(Behaviour):
    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        if not props.get("Name"):
            raise Invalid("SP_Name Invalid", code=40104)
        if not props.get("FromName"):
            raise Invalid("SP_From Name Not Specified", code=40101)
        if not props.get("FromAddress"):
            raise Invalid("SP_From Address Not Specified", code=40102)
        if "@" not in props["FromAddress"]:
            raise Invalid("SP_From Address Invalid", code=40106)
        return props

    def not_found(self, what: str) -> Exception:
        return NotFound(f"SP_Sender Profile Not Found: {what}", code=40100)


@behaviour("DeliveryProfile")
class DeliveryProfileBehaviour(Behaviour):
    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        if not props.get("Name"):
            raise Invalid("DP_Name Invalid", code=41105)
        props.setdefault("SourceAddressType", "DefaultPrivateIPAddress")
        return props

    def not_found(self, what: str) -> Exception:
        return NotFound(f"DP_Delivery Profile Not Found: {what}", code=41301)


@behaviour("SendClassification")
class SendClassificationBehaviour(Behaviour):
    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        if not props.get("Name"):
            raise Invalid("SC_Name Invalid", code=24104)
        for prop, type_name, code, text in (
            ("SenderProfile", "SenderProfile", 24101, "SC_Sender Profile Not Found"),
            ("DeliveryProfile", "DeliveryProfile", 24102, "SC_Delivery Profile Not Found"),
        ):
            if props.get(prop):
                stored = self.service.emu.sends.find(mid, type_name, props[prop])
                if stored is None:
                    raise NotFound(text, code=code)
                props[prop] = reference(stored)
        return props

    def not_found(self, what: str) -> Exception:
        return NotFound(f"SC_SendClassificationNot Found: {what}", code=24100)
