"""Serve a built jam.py task on 127.0.0.1, without the Werkzeug debugger or reloader.

`python -m cams_module.lims.jam_server PROJECT_DIR --port 8080` prints one line
`CAMS listening on http://127.0.0.1:<port>/` once the socket is bound (port 0 picks a
free one) and serves until SIGINT or SIGTERM, then exits at once (a NOMAD job running in
a worker thread is interrupted; the next start recovers it). jam.py vendors Werkzeug 1.0:
run this in its own process, never next to another web stack.
"""

from __future__ import annotations

import argparse
import gc
import os
import signal
import sys
from pathlib import Path

HOST = "127.0.0.1"


def make_server(project_dir: Path, port: int):
    """Load the jam.py task in `project_dir` and bind a threaded WSGI server to it."""
    import jam.wsgi  # first: puts jam's vendored Werkzeug 1.0 on sys.path
    from werkzeug.serving import WSGIRequestHandler
    from werkzeug.serving import make_server as werkzeug_server

    class QuietHandler(WSGIRequestHandler):
        """Logs failed requests only (the UI polls the job status every second)."""

        def log_request(self, code="-", size="-"):
            if str(code).isdigit() and int(code) >= 400:
                super().log_request(code, size)

    application = jam.wsgi.create_application(str(project_dir))
    return werkzeug_server(HOST, port, application, threaded=True, request_handler=QuietHandler)


def _stop(signum, frame):  # noqa: ARG001 - signal handler signature
    raise KeyboardInterrupt


def settle_heap() -> None:
    """After loading the task: move what is loaded out of the garbage collector's sight
    (`gc.freeze`), so a collection during a burst of presses walks only what requests
    made — not the task's hundreds of thousands of objects (a 50-100 ms pause each)."""
    gc.collect()
    gc.freeze()

def task_parser(description: str) -> argparse.ArgumentParser:
    """A command line taking a built task folder and a port (the web servers')."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("project_dir", type=Path, help="a built jam.py task folder")
    parser.add_argument("--port", type=int, default=8080, help="0 picks a free port")
    return parser


def holds_task(folder: Path) -> bool:
    """True when ``folder`` holds a built jam.py task; else says so on stderr."""
    if (folder / "admin.sqlite").is_file():
        return True
    print(f"{folder} holds no jam.py task (admin.sqlite is missing).", file=sys.stderr)
    return False


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: serve PROJECT_DIR until interrupted (then exit at once)."""
    parser = task_parser(__doc__.splitlines()[0])
    args = parser.parse_args(argv)
    if not holds_task(args.project_dir):
        return 2
    try:
        server = make_server(args.project_dir.resolve(), args.port)
    except (OSError, SystemExit) as err:  # Werkzeug 3 (jam.py 7) exits instead of raising
        reason = getattr(err, "strerror", None) or "the port is in use"
        print(f"CAMS cannot listen on {HOST}:{args.port} ({reason}); "
              "choose another port with --port.", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _stop)
    print(f"CAMS listening on http://{HOST}:{server.server_port}/", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    # Stop now, even while a NOMAD job runs in a worker thread (the interpreter would wait
    # for it): an interrupted job is recovered when the task is loaded again.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
