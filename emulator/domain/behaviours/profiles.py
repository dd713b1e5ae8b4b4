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


class _ProfileBehaviour(Behaviour):
    """A stored object whose Create must name certain properties (each missing one with its own code), may
    fill defaults, and may name other objects that must exist (stored as references to them)."""

    required: tuple[tuple[str, codes.SOAP], ...] = ()
    defaults: dict[str, Any] = {}
    # (property, the code when it names nothing): a property named after the type of object it names
    references: tuple[tuple[str, codes.SOAP], ...] = ()

    def prepare_create(self, ctx: CallContext, mid: int, props: dict[str, Any]) -> dict[str, Any]:
        require(props, *self.required)
        self.check(props)
        for prop, value in self.defaults.items():
            props.setdefault(prop, value)
        for prop, code in self.references:
            if props.get(prop):
                stored = self.service.emu.sends.find(mid, prop, props[prop])
                if stored is None:
                    raise NotFound(code.message, code=code)
                props[prop] = reference(stored)
        return props

    def check(self, props: dict[str, Any]) -> None:
        """Type-specific checks once the required properties are there."""


@behaviour("SenderProfile")
class SenderProfileBehaviour(_ProfileBehaviour):
    not_found_code = codes.SOAP.SP_NOT_FOUND
    required = (("Name", codes.SOAP.SP_NAME_INVALID), ("FromName", codes.SOAP.SP_FROM_NAME_NOT_SPECIFIED),
                ("FromAddress", codes.SOAP.SP_FROM_ADDRESS_NOT_SPECIFIED))

    def check(self, props: dict[str, Any]) -> None:
        if "@" not in props["FromAddress"]:
            raise Invalid(code=codes.SOAP.SP_FROM_ADDRESS_INVALID)


@behaviour("DeliveryProfile")
class DeliveryProfileBehaviour(_ProfileBehaviour):
    not_found_code = codes.SOAP.DP_NOT_FOUND
    required = (("Name", codes.SOAP.DP_NAME_INVALID),)
    defaults = {"SourceAddressType": "DefaultPrivateIPAddress"}


@behaviour("SendClassification")
class SendClassificationBehaviour(_ProfileBehaviour):
    not_found_code = codes.SOAP.SC_NOT_FOUND
    required = (("Name", codes.SOAP.SC_NAME_INVALID),)
    references = (("SenderProfile", codes.SOAP.SC_SENDER_PROFILE_NOT_FOUND),
                  ("DeliveryProfile", codes.SOAP.SC_DELIVERY_PROFILE_NOT_FOUND))
