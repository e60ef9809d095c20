"""The HTTP server: dispatches to the API, the GUI pages and the test controls."""

from __future__ import annotations

import socket
import sys
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import api_auth, api_datasets, api_edit, api_raw, api_uploads, control, gui
from .api_common import Context
from .bodies import BodyError, BodyReader
from .judge import Judge
from .model import User
from .processing import Processor
from .rawfiles import RawFileError
from .routing import API_PREFIX, ApiError, Request, Response, Router
from .state import Settings, State


class StandinServer(ThreadingHTTPServer):
    """A threading HTTP server holding the stand-in's context and routes."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], ctx: Context, log_requests: bool = False):
        self.ctx = ctx
        self.log_requests = log_requests
        self.router = Router()
        for module in (api_auth, api_uploads, api_edit, api_raw, api_datasets):
            module.register(self.router, ctx)
        super().__init__(address, StandinHandler)

    def handle_error(self, request, client_address) -> None:
        """Stay quiet about clients that hang up; report anything else."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    @property
    def api_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}{API_PREFIX}"


def make_server(settings: Settings, users: dict[str, str], host: str = "127.0.0.1",
                port: int = 0, log_requests: bool = False) -> StandinServer:
    """Build (not start) a stand-in server with these settings and ``{username: password}``."""
    state = State(settings, {name: User(name, pw) for name, pw in users.items()})
    judge, problem = None, None
    try:
        judge = Judge(settings.schema_sets)
    except Exception as exc:  # the validator package or a schema set is missing
        problem = f"{type(exc).__name__}: {exc}"
        print(f"warning: schema validation unavailable ({problem})", file=sys.stderr)
    ctx = Context(state, Processor(state, judge, problem), judge, problem)
    return StandinServer((host, port), ctx, log_requests)


class StandinHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: StandinServer
    server_version = "NOMAD-standin/1.0"
    disable_nagle_algorithm = True  # small JSON answers must not wait for a delayed ACK

    def log_message(self, format: str, *args) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def do_PUT(self) -> None:
        self._handle()

    def do_DELETE(self) -> None:
        self._handle()

    def do_PATCH(self) -> None:
        self._handle()

    def _handle(self) -> None:
        ctx = self.server.ctx
        try:
            body = BodyReader(self.rfile, self.headers)
        except BodyError as exc:
            self.close_connection = True
            self._send(Response.json({"detail": str(exc)}, status=400))
            return
        req = Request.parse(self.command, self.path, self.headers, body)
        if req.path.startswith("/_standin/") or req.path == "/_standin":
            self._finish(req, lambda: control.handle(ctx, req))
        elif req.path == API_PREFIX or req.path.startswith(API_PREFIX + "/"):
            self._api(req)
        elif req.path.startswith("/gui"):
            ctx.state.stats.count(f"{req.method} /gui")
            self._finish(req, lambda: gui.handle(ctx, req))
        else:
            ctx.state.stats.count(f"{req.method} (unknown path)")
            self._finish(req, lambda: Response.json({"detail": "Not Found"}, status=404))

    def _api(self, req: Request) -> None:
        ctx = self.server.ctx
        api_path = req.path[len(API_PREFIX):] or "/"
        route, params, known = self.server.router.resolve(req.method, api_path)
        label = route.template if route else ("(method not allowed)" if known else "(unknown)")
        ctx.state.stats.count(f"{req.method} {label}")
        fault = ctx.state.faults.take(req.method, api_path)
        drop_after = False
        if fault is not None:
            if fault.delay:
                time.sleep(fault.delay)
            if fault.drop_connection in (True, "before"):
                self._drop()
                return
            drop_after = fault.drop_connection == "after"
            if fault.status:
                headers = {}
                if fault.retry_after is not None:
                    headers["Retry-After"] = f"{fault.retry_after:g}"
                detail = fault.detail or f"Injected fault: HTTP {fault.status}"
                self._finish(req, lambda: Response.json({"detail": detail}, fault.status,
                                                        headers))
                return
        req.params = params

        def run() -> Response:
            if route is None:
                if known:
                    allow = ", ".join(self.server.router.allowed(api_path))
                    return Response.json({"detail": "Method Not Allowed"}, status=405,
                                         headers={"Allow": allow})
                return Response.json({"detail": "Not Found"}, status=404)
            return route.handler(req)

        self._finish(req, run, drop_after=drop_after)

    def _finish(self, req: Request, produce, drop_after: bool = False) -> None:
        try:
            response = produce()
        except ApiError as exc:
            response = Response.json({"detail": exc.detail}, exc.status, exc.headers)
        except (BodyError, RawFileError) as exc:
            response = Response.json({"detail": str(exc)}, status=400)
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            response = Response.json(
                {"detail": f"Internal error of the local NOMAD stand-in: {type(exc).__name__}"},
                status=500,
            )
        try:
            req.body.drain()
        except (BodyError, OSError):
            self.close_connection = True
        if drop_after:
            self._drop()
            return
        self._send(response)

    def _drop(self) -> None:
        """Close the socket without answering (a lost connection)."""
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def _send(self, response: Response) -> None:
        try:
            self._write(response)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its timeout expired)
        finally:
            if response.delete_file and response.file is not None:
                response.file.unlink(missing_ok=True)

    def _write(self, response: Response) -> None:
        size = response.file.stat().st_size if response.file else len(response.body)
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(size))
        for key, value in response.headers.items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        if response.file is None:
            self.wfile.write(response.body)
            return
        with open(response.file, "rb") as src:
            while chunk := src.read(64 * 1024):
                self.wfile.write(chunk)
