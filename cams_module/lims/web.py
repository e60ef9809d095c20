"""Serve a built jam.py task with gunicorn: several web processes on one CAMS database.

`python -m cams_module.lims.web PROJECT_DIR --port 8080 --workers 4` starts gunicorn
(pre-forking, each process loads the task itself — jam.py keeps global state, so nothing
is preloaded) with jam.py's own WSGI application, bound to 127.0.0.1. It prints one line
`CAMS listening on http://127.0.0.1:<port>/` once gunicorn is ready (port 0 picks a free
one) and stops on SIGTERM/SIGINT. Uploads run in `cams-nomad worker` processes, never
here. A facility's own gunicorn line does the same with the project's `wsgi.py`:
`gunicorn --chdir /srv/cams --workers 4 --threads 8 wsgi:application`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from gunicorn.app.base import BaseApplication

from cams_module.lims.jam_server import holds_task, settle_heap, task_parser

HOST = "127.0.0.1"


class JamGunicorn(BaseApplication):
    """gunicorn serving the jam.py task in `project_dir`."""

    def __init__(self, project_dir: Path, options: dict[str, Any]):
        self.project_dir = project_dir
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        import jam.wsgi  # in the forked web process: jam's vendored Werkzeug 1.0 first

        application = jam.wsgi.create_application(str(self.project_dir), load_task=True)
        settle_heap()
        return application



def _ready(server: Any) -> None:
    """gunicorn hook: print the address once the arbiter listens."""
    host, port = server.LISTENERS[0].sock.getsockname()[:2]
    print(f"CAMS listening on http://{host}:{port}/", flush=True)


def options(port: int, workers: int, threads: int) -> dict[str, Any]:
    """The gunicorn settings of the CAMS web processes."""
    return {"bind": f"{HOST}:{port}", "workers": max(1, workers),
            "threads": max(1, threads), "worker_class": "gthread", "preload_app": False,
            "timeout": 120, "graceful_timeout": 5, "when_ready": _ready,
            "accesslog": None, "loglevel": "warning", "proc_name": "cams-web"}


def main(argv: list[str] | None = None) -> int:
    """Command line entry point: serve PROJECT_DIR with gunicorn until stopped."""
    parser = task_parser(__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="web processes")
    parser.add_argument("--threads", type=int, default=8, help="threads per web process")
    args = parser.parse_args(argv)
    if not holds_task(args.project_dir):
        return 2
    JamGunicorn(args.project_dir.resolve(),
                options(args.port, args.workers, args.threads)).run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
