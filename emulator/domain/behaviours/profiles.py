"""SenderProfile, DeliveryProfile and SendClassification: stored objects with SFMC's codes for a
missing object, a missing name, and references that must exist."""

from __future__ import annotations

from typing import Any

from .. import codes
from ..context import CallContext
from ..errors import Invalid, NotFound
from . import Behaviour, behaviour, require


def reference(stored: dict[str, Any]) -> dict[str, Any]:
    return {"__type__": stored["__type__"], "ObjectID": stored["ObjectID"], "CustomerKey": stored["CustomerKey"]}


@behaviour("SenderProfile")
class SenderProfileBehaviour(Behaviour):
    not_found_code = codes.SOAP.SP_NOT_FOUND

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        require(props, ("Name", codes.SOAP.SP_NAME_INVALID), ("FromName", codes.SOAP.SP_FROM_NAME_NOT_SPECIFIED),
                ("FromAddress", codes.SOAP.SP_FROM_ADDRESS_NOT_SPECIFIED))
        if "@" not in props["FromAddress"]:
            raise Invalid(code=codes.SOAP.SP_FROM_ADDRESS_INVALID)
        return props


@behaviour("DeliveryProfile")
class DeliveryProfileBehaviour(Behaviour):
    not_found_code = codes.SOAP.DP_NOT_FOUND

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        require(props, ("Name", codes.SOAP.DP_NAME_INVALID))
        props.setdefault("SourceAddressType", "DefaultPrivateIPAddress")
        return props


@behaviour("SendClassification")
class SendClassificationBehaviour(Behaviour):
    not_found_code = codes.SOAP.SC_NOT_FOUND

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        require(props, ("Name", codes.SOAP.SC_NAME_INVALID))
        for prop, type_name, code in (
            ("SenderProfile", "SenderProfile", codes.SOAP.SC_SENDER_PROFILE_NOT_FOUND),
            ("DeliveryProfile", "DeliveryProfile", codes.SOAP.SC_DELIVERY_PROFILE_NOT_FOUND),
        ):
            if props.get(prop):
                stored = self.service.emu.sends.find(mid, type_name, props[prop])
                if stored is None:
                    raise NotFound(code.message, code=code)
                props[prop] = reference(stored)
        return props
