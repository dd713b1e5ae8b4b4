"""The application factory: one WSGI app serving auth, SOAP, REST and admin on one port.

create_app reads as the URL map: each blueprint registered by name with its prefix, then the WSDL routes,
then the WSGI layers (emulator/middleware) from the innermost out.
"""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import Rule

from .admin.engagement import bp as engagement_bp
from .admin.journeys import bp as admin_journeys_bp
from .admin.routes import bp as admin_bp
from .admin.seed.routes import bp as admin_seed_bp
from .auth.routes import bp as auth_bp
from .config import Config
from .core import Emulator
from .faults.routes import bp as faults_bp
from .ftp.routes import bp as ftp_bp
from .middleware.faults import FaultMiddleware
from .middleware.guard import LastResortGuard
from .middleware.journal import JournalMiddleware
from .middleware.request_log import RequestLog
from .middleware.routing import PathNormaliser
from .proxy.routes import bp as proxy_bp
from .replay.routes import bp as journal_bp
from .rest.assets import bp as assets_bp
from .rest.campaigns import bp as campaigns_bp
from .rest.data_extensions import bp as data_extensions_bp
from .rest.ens import bp as ens_bp
from .rest.journeys import bp as journeys_bp
from .rest.sms import bp as sms_bp
from .rest.transactional import bp as transactional_bp
from .soap.service import build_soap_wsgi
from .soap.wsdl import fault_xsd, wsdl_for
from .ui.routes import bp as ui_bp
from .web import base_url, install_admin_guard, install_error_handlers


class LazyBuildRule(Rule):
    """A Rule whose URL builders (werkzeug compiles two per rule, with `ast` and `compile()`, when the rule is
    added) are compiled on their first `url_for`: most rules are never built, and compiling ~150 rules' builders
    was half of the test fixture's first use (issue 13). Matching is untouched."""

    def _compile_builder(self, append_unknown: bool = True):
        name = "_build_unknown" if append_unknown else "_build"

        def build_on_first_use(rule: LazyBuildRule, *args, **kwargs):
            built = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, name, built)
            return built(*args, **kwargs)

        return build_on_first_use


class EmulatorFlask(Flask):
    # werkzeug's own name for the builder compiler; should it go, every rule compiles eagerly again
    url_rule_class = LazyBuildRule if hasattr(Rule, "_compile_builder") else Rule


def create_app(emu: Emulator | None = None, config: Config | None = None) -> Flask:
    emu = emu or Emulator(config)
    app = EmulatorFlask("sfmc_emulator")
    app.config["EMULATOR"] = emu
    app.config["MAX_CONTENT_LENGTH"] = emu.config.max_body_bytes
    app.json.sort_keys = False
    install_error_handlers(app)
    install_admin_guard(app)  # every /_emulator path and `/` (web.py)

    # POST /Service.asmx is Spyne's (routing.py); these are the Flask routes.
    app.register_blueprint(admin_bp)  # /_emulator: health, click, reset, clock, jobs, outbox
    app.register_blueprint(engagement_bp)  # /_emulator: open pixel, unsubscribe, simulated events, ENS log
    app.register_blueprint(admin_seed_bp)  # /_emulator/seed: bulk test data
    app.register_blueprint(auth_bp)  # /v2/token, /v1/requestToken, /platform/v1/...
    app.register_blueprint(faults_bp)  # /_emulator/faults
    app.register_blueprint(ftp_bp)  # /_emulator/ftp/Import
    app.register_blueprint(journal_bp)  # /_emulator/journal
    app.register_blueprint(proxy_bp)  # /_emulator/proxy, /_emulator/ca.pem
    app.register_blueprint(assets_bp)  # /asset/v1/content/assets, /categories
    app.register_blueprint(campaigns_bp)  # /hub/v1/campaigns
    app.register_blueprint(data_extensions_bp)  # /hub/v1/dataevents..., /data/v1/async..., /data/v1/customobjectdata
    app.register_blueprint(transactional_bp)  # /messaging/v1
    app.register_blueprint(ens_bp)  # /platform/v1/ens-*
    app.register_blueprint(sms_bp)  # /messaging/v1/sms
    app.register_blueprint(journeys_bp)  # /interaction/v1: event definitions, entry events, journeys
    app.register_blueprint(admin_journeys_bp)  # /_emulator/journeys
    app.register_blueprint(ui_bp)  # / and /_emulator/ui, the inspector's JSON under /_emulator

    @app.get("/etframework.wsdl")
    def wsdl():
        return Response(wsdl_for(base_url()), mimetype="text/xml")

    @app.get("/<path:name>")
    def wsdl_by_query(name: str):
        if name.lower() == "service.asmx" and "wsdl" in {k.lower() for k in request.args}:
            return Response(wsdl_for(base_url()), mimetype="text/xml")
        if name.lower() == "etframeworkfault.xsd":
            return Response(fault_xsd(), mimetype="text/xml")
        raise NotFound()

    wsgi = PathNormaliser(app.wsgi_app, build_soap_wsgi(emu), emu)
    wsgi = FaultMiddleware(wsgi, emu)  # inside the journal: injected answers are journalled
    wsgi = JournalMiddleware(wsgi, emu)
    wsgi = RequestLog(wsgi)  # one log line per request (sees SOAP too)
    app.wsgi_app = LastResortGuard(wsgi, emu)  # outermost: nothing escapes as the server's text/plain 500
    return app
