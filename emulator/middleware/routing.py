"""The first split of a request: POST to the SOAP endpoint goes to Spyne (through the gate), the rest to
Flask."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from ..journal import is_soap_path, normalised_path
from .soap_gate import soap_gate

if TYPE_CHECKING:
    from ..core import Emulator


class PathNormaliser:
    """Collapses duplicate slashes (FuelSDK builds `host//platform/...`) and routes `Service.asmx` in any
    letter case to the SOAP application."""

    def __init__(self, flask_wsgi: Callable, soap_wsgi: Callable, emu: Emulator) -> None:
        self.flask_wsgi = flask_wsgi
        self.soap_wsgi = soap_wsgi
        self.emu = emu

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = normalised_path(environ)
        if is_soap_path(path) and environ.get("REQUEST_METHOD") == "POST":
            return self._soap(environ, start_response)
        return self.flask_wsgi(environ, start_response)

    def _soap(self, environ, start_response):
        refusal = soap_gate(self.emu, environ)
        if refusal is not None:
            return refusal(environ, start_response)
        environ["PATH_INFO"] = "/"
        return self.soap_wsgi(environ, start_response)
