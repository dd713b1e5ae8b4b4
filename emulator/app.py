"""The application factory: one WSGI app serving auth, SOAP, REST and admin on one port."""

from __future__ import annotations

import importlib
import pkgutil

from flask import Flask, Response, request

from .config import Config
from .core import Emulator
from .journal import install as install_journal_and_faults
from .journal import normalised_path
from .request_log import RequestLog
from .rest.common import base_url
from .rest.errors import install_error_handlers
from .soap.gate import soap_gate
from .soap.service import build_soap_wsgi
from .soap.wsdl import fault_xsd, wsdl_for

SOAP_PATH = "/service.asmx"


class PathNormaliser:
    """Collapses duplicate slashes (FuelSDK builds `host//platform/...`) and routes `Service.asmx` in any
    letter case to the SOAP application."""

    def __init__(self, flask_wsgi, soap_wsgi, emu: Emulator) -> None:
        self.flask_wsgi = flask_wsgi
        self.soap_wsgi = soap_wsgi
        self.emu = emu

    def __call__(self, environ, start_response):
        path = normalised_path(environ)
        if path.lower() == SOAP_PATH and environ.get("REQUEST_METHOD") == "POST":
            return self._soap(environ, start_response)
        return self.flask_wsgi(environ, start_response)

    def _soap(self, environ, start_response):
        refusal = soap_gate(self.emu, environ)
        if refusal is not None:
            return refusal(environ, start_response)
        environ["PATH_INFO"] = "/"
        return self.soap_wsgi(environ, start_response)


def create_app(emu: Emulator | None = None, config: Config | None = None) -> Flask:
    emu = emu or Emulator(config)
    app = Flask("sfmc_emulator")
    app.config["EMULATOR"] = emu
    app.config["MAX_CONTENT_LENGTH"] = emu.config.max_body_bytes
    app.json.sort_keys = False
    install_error_handlers(app)

    for blueprint in _blueprints():
        app.register_blueprint(blueprint)

    @app.get("/etframework.wsdl")
    def wsdl():
        return Response(wsdl_for(base_url()), mimetype="text/xml")

    @app.get("/<path:name>")
    def wsdl_by_query(name: str):
        if name.lower() == "service.asmx" and "wsdl" in {k.lower() for k in request.args}:
            return Response(wsdl_for(base_url()), mimetype="text/xml")
        if name.lower() == "etframeworkfault.xsd":
            return Response(fault_xsd(), mimetype="text/xml")
        from werkzeug.exceptions import NotFound

        raise NotFound()

    app.wsgi_app = PathNormaliser(app.wsgi_app, build_soap_wsgi(emu), emu)
    app.wsgi_app = install_journal_and_faults(app.wsgi_app, emu)
    app.wsgi_app = RequestLog(app.wsgi_app)  # one log line per request (outermost: sees SOAP too)
    return app


def _blueprints():
    """Every module under emulator/ that defines a `bp` blueprint in a routes.py (auth, admin, rest/*...)."""
    import emulator

    for module in pkgutil.walk_packages(emulator.__path__, "emulator."):
        if module.name.endswith(".routes") or ".rest." in module.name and not module.ispkg:
            mod = importlib.import_module(module.name)
            bp = getattr(mod, "bp", None)
            if bp is not None:
                yield bp
