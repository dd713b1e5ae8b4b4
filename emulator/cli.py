"""`sfmc-emulator serve`, `replay`, `record` and `ca-path`."""

from __future__ import annotations

import argparse
import logging
import os
import secrets
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .config import DEFAULT_HOST, DEFAULT_PORT, SANDBOX_RETAIN_DAYS, Config
from .proxy.server import DEFAULT_PROXY_PORT

# waitress's own defaults are 100 connections and 120 s; a sandbox shared by a CI fleet needs more of the
# first and, against clients that open and stall, less of the second.
DEFAULT_CONNECTION_LIMIT = 1000
DEFAULT_CHANNEL_TIMEOUT = 60


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sfmc-emulator", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the emulator (auth, SOAP, REST, admin on one port)")
    serve.add_argument("--host", default=DEFAULT_HOST)
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--db", default=None, help="SQLite file for persistent state (default: throwaway)")
    serve.add_argument("--config", default=None, help="tenant YAML replacing fixtures/default-tenant.yaml")
    serve.add_argument("--id-seed", type=int, default=None, help="deterministic ids/GUIDs/tokens")
    serve.add_argument("--threads", type=int, default=8)
    serve.add_argument("--seed", default=None, metavar="FILE",
                       help="YAML seed file of BUs, emails, lists, subscribers and data extensions, loaded at "
                            "start and after every reset (see fixtures/sandbox-seed.example.yaml)")
    serve.add_argument("--admin-token", default=os.environ.get("SFMC_EMULATOR_ADMIN_TOKEN") or None,
                       help="token required by /_emulator/* and the inspector (env SFMC_EMULATOR_ADMIN_TOKEN); "
                            "generated and printed when --host is not loopback and none is given")
    serve.add_argument("--definition-quota", type=int, default=Config.definition_quota, metavar="N",
                       help="email definitions (REST transactional + SOAP TriggeredSendDefinition) a BU may "
                            "create per rolling window (default 500)")
    serve.add_argument("--definition-quota-days", type=int, default=Config.definition_quota_window_days,
                       metavar="DAYS", help="length of that rolling window in days (default 7)")
    serve.add_argument("--proxy-port", type=int, default=None, metavar="P",
                       help="port of the forward proxy for Marketing Cloud's hosts (HTTPS_PROXY; docs/proxy.md), "
                            f"default {DEFAULT_PROXY_PORT} (if that is taken, serve runs without it); 0: any free "
                            "port")
    serve.add_argument("--no-proxy", action="store_true", help="do not start the proxy")
    serve.add_argument("--ens-allow-host", action="append", default=[], metavar="H",
                       help="a host ENS callbacks may name besides loopback (repeatable; docs/engagement.md)")
    add_ca_dir_argument(serve)
    add_growth_options(serve)
    add_replay_commands(sub)
    ca_path = sub.add_parser("ca-path", help="print the proxy's CA certificate file (made if missing)")
    ca_path.add_argument("--db", default=None, help="the --db serve runs with (its directory holds the CA)")
    add_ca_dir_argument(ca_path)
    return parser


def add_ca_dir_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ca-dir", default=os.environ.get("SFMC_EMULATOR_CA_DIR") or None,
                        help="directory of the proxy's CA (env SFMC_EMULATOR_CA_DIR; default: the directory of "
                             "--db, else the user's state directory, ~/.local/state/sfmc-emulator)")


def ca_dir_for(args: argparse.Namespace) -> Path:
    """Where `serve` keeps the CA: one stable place, so a client set up to trust it once keeps trusting it
    (a throwaway store's temporary directory would make a new CA on every start)."""
    if args.ca_dir:
        return Path(args.ca_dir)
    if args.db:
        return Path(args.db).resolve().parent
    return Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state") / "sfmc-emulator"


def _positive(kind: type) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        value = kind(text)
        if not value > 0 or value != value:
            raise argparse.ArgumentTypeError(f"must be a positive number, not {text}")
        return value

    return parse


def add_growth_options(serve: argparse.ArgumentParser) -> None:
    """Bounded growth and exposure (docs/sandbox.md, "Bounded growth")."""
    serve.add_argument("--retain-days", type=_positive(float), default=SANDBOX_RETAIN_DAYS, metavar="DAYS",
                       help=f"purge jobs finished, outbox messages and send events older than DAYS of emulator "
                            f"time (default {SANDBOX_RETAIN_DAYS}); --keep-everything turns it off")
    serve.add_argument("--keep-everything", action="store_true", help="no retention purge")
    serve.add_argument("--journal-cap-rows", type=_positive(int), default=Config.journal_cap, metavar="N",
                       help=f"request-journal rows kept (default {Config.journal_cap})")
    serve.add_argument("--journal-cap-mb", type=_positive(float), default=Config.journal_cap_bytes / 2**20,
                       metavar="MiB", help=f"request-journal bodies kept, in MiB (default "
                                           f"{Config.journal_cap_bytes // 2**20})")
    serve.add_argument("--connection-limit", type=_positive(int), default=DEFAULT_CONNECTION_LIMIT, metavar="N",
                       help=f"simultaneous connections accepted (default {DEFAULT_CONNECTION_LIMIT})")
    serve.add_argument("--channel-timeout", type=_positive(int), default=DEFAULT_CHANNEL_TIMEOUT,
                       metavar="SECONDS", help=f"close a connection idle this long (default "
                                               f"{DEFAULT_CHANNEL_TIMEOUT})")
    serve.add_argument("--allowed-host", action="append", default=[], metavar="NAME",
                       help="another Host name the admin API and inspector answer on (repeatable; loopback "
                            "names, the bind host and the public URL's host always are)")


def add_replay_commands(sub: argparse._SubParsersAction) -> None:
    replay = sub.add_parser("replay", help="run scenario files and show a structural diff per mismatch")
    replay.add_argument("files", nargs="+", help="scenario YAML files or directories of them")
    replay.add_argument("--target", default=None, help="base URL to replay against (default: a fresh "
                        "in-process emulator, reset before each scenario)")
    replay.add_argument("--id-seed", "--seed", dest="id_seed", type=int, default=None,
                        help="id seed for the fresh emulator (deterministic), as serve's --id-seed; --seed is the "
                             "old spelling")
    replay.add_argument("--config", default=None, help="tenant YAML giving the credentials of the target")
    replay.add_argument("--progress", action="store_true", default=None,
                        help="show the progress bar even when stderr is not a terminal")
    record = sub.add_parser("record", help="a recording proxy: forward to --upstream, write a scenario")
    record.add_argument("--upstream", required=True, help="base URL of real SFMC or another emulator")
    record.add_argument("--out", required=True, help="scenario YAML to write (rewritten after each exchange)")
    record.add_argument("--host", default=DEFAULT_HOST)
    record.add_argument("--port", type=int, default=0, help="port to listen on (default: any free port)")
    record.add_argument("--name", default=None, help="the scenario's name")


def _few_malloc_arenas(arenas: int = 2) -> None:
    """glibc gives each of waitress's threads its own malloc arena and keeps what a big answer (a 2,500-row
    Retrieve page) grew it to: 8 threads hold ~8 such peaks. Two arenas keep the server's resident memory
    near one page's working set (issue 13: < 150 MB paging 200,000 rows). No-op off glibc."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


TRIM_AFTER_BYTES = 256 * 1024


def _trimming(app: Callable) -> Callable:
    """The WSGI app, giving freed heap back to the OS (glibc malloc_trim) once a request of at least
    TRIM_AFTER_BYTES is answered: a 10,000-object Create parses and builds ~70 MB of trees and dicts that
    glibc otherwise keeps (issue 13: RSS back within 30 MB afterwards). A collection first: Spyne's
    contexts hold the request's trees in reference cycles. Small requests pay nothing."""
    import ctypes
    import ctypes.util
    import gc

    from .middleware.request_log import Closing

    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return app

    def wrapped(environ: dict, start_response: Callable) -> Iterable[bytes]:
        result = app(environ, start_response)
        length = environ.get("CONTENT_LENGTH") or ""
        if not (length.isdigit() and int(length) >= TRIM_AFTER_BYTES):
            return result
        return Closing(result, lambda: (gc.collect(), trim(0)))

    return wrapped


def serve(args: argparse.Namespace) -> int:
    from waitress import create_server

    _few_malloc_arenas()
    # waitress warns "Task queue depth is N" for every request that waits for a free thread: under load that is
    # thousands of lines a second saying only that the server is busy (the request log shows how busy).
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)

    from .app import create_app
    from .core import Emulator
    from .middleware.request_log import log_off_request_path
    from .proxy import start_proxy
    from .seeding import SeedError, install_seed
    from .web import is_loopback

    admin_token = args.admin_token
    if not admin_token and not is_loopback(args.host):
        admin_token = secrets.token_urlsafe(24)
        print(f"admin API and inspector need a token off loopback; generated: {admin_token}", flush=True)
    config = Config(host=args.host, port=args.port, db_path=args.db, tenant_file=args.config,
                    id_seed=args.id_seed, admin_token=admin_token, definition_quota=args.definition_quota,
                    definition_quota_window_days=args.definition_quota_days,
                    retain_days=None if args.keep_everything else args.retain_days,
                    journal_cap=args.journal_cap_rows, journal_cap_bytes=int(args.journal_cap_mb * 2**20),
                    allowed_hosts=tuple(args.allowed_host), ens_allowed_hosts=tuple(args.ens_allow_host))
    emu = Emulator(config)
    if args.seed:
        try:
            report = install_seed(emu, args.seed)
        except SeedError as exc:
            emu.close()
            print(f"sfmc-emulator: {exc}", file=sys.stderr)
            return 2
        print(f"seed {args.seed}: {report.summary()}", flush=True)
    app = create_app(emu)
    server = create_server(_trimming(app), host=args.host, port=args.port, threads=args.threads,
                           max_request_body_size=config.max_body_bytes * 2, ident="sfmc-emulator",
                           connection_limit=args.connection_limit, channel_timeout=args.channel_timeout)
    port = server.socket.getsockname()[1]
    emu.base_url = config.public_base_url or f"http://{args.host}:{port}"
    proxy = None
    if not args.no_proxy:
        proxy_port = DEFAULT_PROXY_PORT if args.proxy_port is None else args.proxy_port
        try:
            proxy = start_proxy(emu, app, args.host, proxy_port, ca_dir_for(args))
        except OSError as exc:
            message = f"the proxy cannot listen on {args.host}:{proxy_port}: {exc}"
            if args.proxy_port is not None:  # asked for by name: a server without it is not what was wanted
                server.close()
                emu.close()
                print(f"sfmc-emulator: {message} (choose another --proxy-port, or --no-proxy)", file=sys.stderr)
                return 2
            # The default port: a second emulator on this machine still starts, just without a proxy.
            print(f"sfmc-emulator: {message}; running without it (choose a port with --proxy-port)",
                  file=sys.stderr, flush=True)
    log_writer = log_off_request_path()
    print(f"sfmc-emulator listening on {emu.base_url} (state: {args.db or 'throwaway'})", flush=True)
    if proxy is not None:
        print(f"proxy for Marketing Cloud hosts on {proxy.url} (HTTPS_PROXY={proxy.url}, "
              f"trust the CA {proxy.ca.cert_path})", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        if proxy is not None:
            proxy.stop()
        emu.close()
        log_writer.stop()  # writes what is still queued
    return 0


def ca_path(args: argparse.Namespace) -> int:
    from .proxy import ca_paths, load_or_create

    directory = ca_dir_for(args)
    load_or_create(directory)
    print(ca_paths(directory)[0])
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    # The format names no source line: skip logging's frame walk on every request line (logging HOWTO,
    # "Optimization").
    logging._srcfile = None
    args = build_parser().parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "replay":
        from .replay.runner import run_files

        # The report is the output: the in-process server's request lines and Spyne's fault logs are noise.
        logging.getLogger("sfmc_emulator.requests").setLevel(logging.WARNING)
        logging.getLogger("spyne").setLevel(logging.CRITICAL)

        return run_files(args.files, target_url=args.target, seed=args.id_seed, progress=args.progress,
                         tenant_file=args.config)
    if args.command == "ca-path":
        return ca_path(args)
    if args.command == "record":
        from .replay.recorder import record

        return record(args.upstream, args.out, args.host, args.port, args.name)
    return 2


if __name__ == "__main__":
    sys.exit(main())
