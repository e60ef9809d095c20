"""The HTTP server: a WSGI application on Werkzeug's threaded server, dispatching to the
API, the GUI pages and the test controls, with the injected faults applied first."""

from __future__ import annotations

import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

from . import api_auth, api_datasets, api_edit, api_raw, api_uploads, control, gui
from .api_common import Context
from .judge import Judge
from .model import User
from .processing import Processor
from .rawfiles import RawFileError
from .routing import API, API_PREFIX, ApiError, Handlers, Request, Response, match
from .state import Settings, State

Produce = Callable[[], Response]


class ConnectionDropped(ConnectionAbortedError):
    """Raised after closing the socket on purpose (an injected lost connection)."""


class StandinApp:
    """The WSGI application: one request in, one `Response` (or a dropped connection) out."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.handlers: Handlers = {}
        for module in (api_auth, api_uploads, api_edit, api_raw, api_datasets):
            self.handlers.update(module.register(ctx))
        missing = {str(rule.endpoint) for rule in API.iter_rules()} - set(self.handlers)
        if missing:
            raise RuntimeError(f"API routes without a handler: {sorted(missing)}")

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        req = Request(environ)
        req.params = {}
        stats = self.ctx.state.stats
        if req.path == "/_standin" or req.path.startswith("/_standin/"):
            response = self._finish(req, lambda: control.handle(self.ctx, req))
        elif req.path == API_PREFIX or req.path.startswith(API_PREFIX + "/"):
            response = self._api(req)
        elif req.path.startswith("/gui"):
            stats.count(f"{req.method} /gui")
            response = self._finish(req, lambda: gui.handle(self.ctx, req))
        else:
            stats.count(f"{req.method} (unknown path)")
            response = self._finish(req, lambda: Response.json({"detail": "Not Found"}, 404))
        return response(environ, start_response)

    def _route(self, req: Request, api_path: str) -> tuple[str, Produce]:
        """The stats label of the request and what answers it (handler, 404 or 405)."""
        try:
            endpoint, label, req.params = match(req.method, api_path)
        except MethodNotAllowed as exc:
            allow = ", ".join(sorted(exc.valid_methods or ()))
            return f"{req.method} (method not allowed)", partial(
                Response.json, {"detail": "Method Not Allowed"}, 405, {"Allow": allow})
        except HTTPException:
            return f"{req.method} (unknown)", partial(Response.json, {"detail": "Not Found"}, 404)
        return label, partial(self.handlers[endpoint], req)

    def _api(self, req: Request) -> Response:
        api_path = req.path[len(API_PREFIX):] or "/"
        label, produce = self._route(req, api_path)
        self.ctx.state.stats.count(label)
        fault = self.ctx.state.faults.take(req.method, api_path)
        if fault is None:
            return self._finish(req, produce)
        if fault.delay:
            time.sleep(fault.delay)
        if fault.drop_connection in (True, "before"):
            drop(req)
        if fault.status:
            headers = {}
            if fault.retry_after is not None:
                headers["Retry-After"] = f"{fault.retry_after:g}"
            detail = fault.detail or f"Injected fault: HTTP {fault.status}"
            return self._finish(req, lambda: Response.json({"detail": detail}, fault.status,
                                                           headers))
        response = self._finish(req, produce)
        if fault.drop_connection == "after":
            response.close()
            drop(req)
        return response

    def _finish(self, req: Request, produce: Produce) -> Response:
        """The handler's answer, or the JSON error it raised; the body is read to its end."""
        try:
            response = produce()
        except ApiError as exc:
            response = Response.json({"detail": exc.detail}, exc.status, exc.headers)
        except RawFileError as exc:
            response = Response.json({"detail": str(exc)}, status=400)
        except HTTPException as exc:  # Werkzeug's: a body cut short, a form too large
            response = Response.json({"detail": exc.description}, exc.code or 400)
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            response = Response.json(
                {"detail": f"Internal error of the local NOMAD stand-in: {type(exc).__name__}"},
                status=500,
            )
        try:
            while req.stream.read(64 * 1024):
                pass
        except (HTTPException, OSError, ValueError):
            pass  # the connection closes after the answer anyway
        return response


def drop(req: Request) -> None:
    """Close the socket without answering (a lost connection)."""
    connection = req.environ.get("werkzeug.socket")
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except (AttributeError, OSError):
        pass
    raise ConnectionDropped("dropped on purpose (an injected fault)")


class StandinHandler(WSGIRequestHandler):
    """Werkzeug's request handler, naming itself and logging only when asked to."""

    server: StandinServer
    server_version = "NOMAD-standin/1.0"  # type: ignore[assignment]
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # small JSON answers must not wait for a delayed ACK

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.server.log_requests:  # one plain line (Werkzeug's own adds colours)
            self.log_message('"%s" %s %s', self.requestline, code, size)

    def connection_dropped(self, error: BaseException, environ: Any = None) -> None:
        """A lost connection (the client's or an injected one): read no further request."""
        self.close_connection = True


class StandinServer(ThreadedWSGIServer):
    """Werkzeug's threaded WSGI server holding the stand-in's context."""

    def __init__(self, host: str, port: int, ctx: Context, log_requests: bool = False):
        self.ctx = ctx
        self.log_requests = log_requests
        super().__init__(host, port, StandinApp(ctx), handler=StandinHandler)

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}{API_PREFIX}"


def make_server(settings: Settings, users: dict[str, str | dict[str, str]],
                host: str = "127.0.0.1", port: int = 0,
                log_requests: bool = False) -> StandinServer:
    """Build (not start) a stand-in server with these settings and ``{username: password}``
    (or ``{username: {"password": …, "name": "Full Name"}}``)."""
    state = State(settings, {name: User.from_entry(name, value)
                             for name, value in users.items()})
    judge, problem = None, None
    try:
        judge = Judge(settings.schema_sets)
    except Exception as exc:  # the validator package or a schema set is missing
        problem = f"{type(exc).__name__}: {exc}"
        print(f"warning: schema validation unavailable ({problem})", file=sys.stderr)
    ctx = Context(state, Processor(state, judge, problem), judge, problem)
    return StandinServer(host, port, ctx, log_requests)
