"""Command line of the stand-in: parse options, load users, serve until interrupted."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from pathlib import Path

from .judge import DEFAULT_SCHEMA_SETS
from .server import make_server
from .state import Settings

READY = "NOMAD stand-in listening on {url}"


def _user_ok(name: object, value: object) -> bool:
    if not isinstance(name, str) or not name:
        return False
    if isinstance(value, dict):
        return (isinstance(value.get("password"), str) and bool(value["password"])
                and isinstance(value.get("name", ""), str) and set(value) <= {"password", "name"})
    return isinstance(value, str) and bool(value)


def load_users(path: Path) -> dict[str, str | dict[str, str]]:
    """``{"username": "password" | {"password": …, "name": "Full Name"}, ...}`` from a JSON
    file; ValueError says what is wrong."""
    try:
        users = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read the users file {path}: {type(exc).__name__}") from None
    if not isinstance(users, dict) or not users or not all(
        _user_ok(k, v) for k, v in users.items()
    ):
        raise ValueError(f"the users file {path} must hold a JSON object "
                         '{"username": "password", ...} (or {"username": {"password": ..., '
                         '"name": "Full Name"}}) with at least one user')
    return users


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m cams_module.standin",
        description="Local NOMAD-compatible server (a stand-in for offline trials; not NOMAD).",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port; 0 picks a free one (default)")
    p.add_argument("--users", type=Path, required=True,
                   help='JSON file {"username": "password", ...}')
    p.add_argument("--processing-delay", type=float, default=1.0,
                   help="seconds each processing run takes (default 1.0)")
    p.add_argument("--data-dir", type=Path, default=None,
                   help="where upload files live (default: a temporary directory)")
    p.add_argument("--schema-set", default=",".join(DEFAULT_SCHEMA_SETS),
                   help="schema set(s) entries are judged by, comma separated; an entry uses "
                        "the first set that defines its m_def (default %(default)s)")
    p.add_argument("--upload-limit", type=int, default=10,
                   help="unpublished uploads allowed per user (default 10, like NOMAD)")
    p.add_argument("--token-lifetime", type=float, default=3600.0,
                   help="seconds an access token from /auth/token stays valid (default 3600)")
    p.add_argument("--nomad-version", default="2.0.0",
                   help="NOMAD version to play (default 2.0.0); before 2.0 there is no "
                        "/schemas endpoint (404)")
    p.add_argument("--log-requests", action="store_true",
                   help="log one line per request to stderr")
    p.add_argument("--stop-on-stdin-eof", action="store_true",
                   help="stop when standard input closes (so the server dies with the "
                        "process that started it, e.g. a test run)")
    return p


def _stop_at_eof(server) -> None:
    # os.read, not sys.stdin: a thread blocked in a buffered read holds its lock, and the
    # interpreter aborts ("could not acquire lock") when it exits meanwhile (on SIGTERM)
    while os.read(sys.stdin.fileno(), 4096):
        pass
    server.shutdown()


def main(argv: list[str] | None = None) -> int:
    """Start the server, print the ready line, serve until SIGTERM/SIGINT."""
    args = parser().parse_args(argv)
    try:
        users = load_users(args.users)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    settings = Settings(
        processing_delay=max(0.0, args.processing_delay),
        upload_limit=args.upload_limit,
        token_lifetime=args.token_lifetime,
        schema_sets=tuple(s.strip() for s in args.schema_set.split(",") if s.strip()),
        data_dir=args.data_dir,
        version=args.nomad_version,
    )
    server = make_server(settings, users, args.host, args.port, args.log_requests)

    def stop(signum, frame) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    if args.stop_on_stdin_eof:
        threading.Thread(target=_stop_at_eof, args=(server,), daemon=True).start()
    print(READY.format(url=server.api_url), flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        server.ctx.state.close()
    return 0
