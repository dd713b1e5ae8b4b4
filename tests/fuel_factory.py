"""FuelSDK builds every request object with suds' `factory.create`, which walks the SFMC WSDL's types for
seconds per object (FuelSDK-Python issues #28 and #46: "10 seconds to build an object"). The session's
clients build each type once and hand out copies: the same objects, so the same envelopes on the wire, in a
fraction of the time. Copies share the schema objects (read-only) and nothing else."""

from __future__ import annotations

from typing import Any

from suds.sudsobject import Object


def clone(value: Any) -> Any:
    """A copy of a suds object tree: fresh Objects and lists, the schema references (metadata) shared."""
    if isinstance(value, Object):
        copied = object.__new__(value.__class__)  # no __init__: some (Property) take arguments
        for name, item in value.__dict__.items():
            if name == "__printer__":
                copied.__dict__[name] = item  # stateless
            else:
                copied.__dict__[name] = clone(item)  # __keylist__ (a list), __metadata__, the values
        return copied
    if isinstance(value, list):
        return [clone(item) for item in value]
    return value


def build_once(client: Any) -> Any:
    """Make `client.soap_client.factory.create` build each type once and return copies afterwards."""
    factory = client.soap_client.factory
    create = factory.create
    built: dict[str, Any] = {}

    def create_copy(name: str) -> Any:
        if name not in built:
            built[name] = create(name)
        return clone(built[name])

    factory.create = create_copy
    return client
