"""One command for the whole demo: CAMS (jam.py, sqlite) + a local NOMAD-compatible server.

    ./run demo [--port 8080] [--nomad-url URL] [--task-dir var/cams-task] [--rebuild]
               [--keep-task] [--processing-delay 1.5] [--web-workers N] [--workers N]

Builds the CAMS task from `task/` into `var/cams-task` when it is missing or older than
its sources, or when its processes point to uploads of an earlier stand-in (the stand-in
keeps nothing between runs). Starts the local NOMAD stand-in (its own process; a generated
NOMAD account handed over in a 0600 users file and, to CAMS, through the environment;
each demo user also gets a stand-in NOMAD account of the same login and password, whose
token they can link on "My NOMAD account"), makes the key that encrypts linked tokens once
(`nomad-account.key`, mode 0600, in the task folder: it stays with the database whose
tokens it encrypts) and hands its path to CAMS and the worker, starts the jam.py server
on 127.0.0.1 without the Werkzeug debugger (with `--web-workers N`: gunicorn with N web
processes) and one NOMAD worker process (`cams-nomad worker`, which runs the uploads),
prints the CAMS address, the demo users
and the stand-in address, and stops them all on Ctrl-C.

With `--nomad-url` no stand-in is started: CAMS talks to that NOMAD with the
credentials in the environment (NOMAD_TOKEN, or NOMAD_USERNAME and NOMAD_PASSWORD, or
NOMAD_CONFIG).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import signal
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path

from cams_module.demo.services import Service, ServiceError, child_env, start_service
from cams_module.demo.task import (
    DEFAULT_TASK_DIR,
    REPO,
    build_needed,
    build_task,
    demo_users,
    recorded_uploads,
)
from cams_module.lims.accounts import KEY_ENV, KEY_FILE_ENV, new_key

STANDIN_USER = "cams-demo"
KEY_FILE = "nomad-account.key"
WORKER_READY = re.compile(r"CAMS NOMAD worker ready \((queue [^,]+)")
# Settings meant for a real NOMAD: never handed to CAMS when it talks to the stand-in.
REAL_NOMAD_ONLY = ("NOMAD_TOKEN", "NOMAD_CONFIG", "NOMAD_USERNAME", "NOMAD_PASSWORD")


def _private_file(path: Path, text: str) -> None:
    """Write a new file readable by this user only (0600); FileExistsError if it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_users_file(folder: Path, username: str, password: str,
                     people: dict[str, str] | None = None) -> Path:
    """The stand-in's users file (0600): the facility's account first, then `people`
    (login: password), the demo users' own NOMAD accounts."""
    path = folder / "nomad-users.json"
    _private_file(path, json.dumps({username: password, **(people or {})}))
    return path


def demo_key_file(task_dir: Path) -> Path:
    """The key file for linked NOMAD tokens in `task_dir`, made once (0600) and then kept;
    a rebuilt task (a new database) gets a new one."""
    path = task_dir / KEY_FILE
    try:
        _private_file(path, new_key() + "\n")
    except FileExistsError:
        pass
    return path


def key_env(task_dir: Path) -> dict[str, str]:
    """CAMS's setting for the key of linked tokens: the demo's key file, unless the
    environment already names a key."""
    if os.environ.get(KEY_ENV) or os.environ.get(KEY_FILE_ENV):
        return {}
    return {KEY_FILE_ENV: str(demo_key_file(task_dir))}


def start_standin(secrets_dir: Path, processing_delay: float,
                  people: dict[str, str]) -> tuple[Service, dict[str, str]]:
    """Start the local NOMAD stand-in with a fresh facility account and the demo users'
    accounts (`people`: login: password); return it and CAMS's NOMAD env.

    Its users file and upload files live in `secrets_dir`, which the launcher removes.
    """
    password = secrets.token_urlsafe(18)
    users = write_users_file(secrets_dir, STANDIN_USER, password, people)
    service = start_service(
        "nomad",
        [sys.executable, "-m", "cams_module.standin", "--port", "0",
         "--processing-delay", str(processing_delay), "--users", str(users),
         "--data-dir", str(secrets_dir / "nomad-data")],
        env=child_env({}),
        cwd=str(REPO),
    )
    env = {"NOMAD_URL": service.url, "NOMAD_USERNAME": STANDIN_USER, "NOMAD_PASSWORD": password}
    return service, env


def nomad_env_for_real_server(url: str) -> dict[str, str]:
    """CAMS's NOMAD settings for a real NOMAD: the URL; credentials stay in the env."""
    if not any(os.environ.get(k) for k in ("NOMAD_TOKEN", "NOMAD_USERNAME", "NOMAD_CONFIG")):
        print("warning: no NOMAD credentials in the environment (set NOMAD_TOKEN, or "
              "NOMAD_USERNAME and NOMAD_PASSWORD, or NOMAD_CONFIG); uploads will be refused.",
              file=sys.stderr)
    return {"NOMAD_URL": url}


def warm_up(cams_url: str) -> None:
    """Load the task now (jam.py loads it on the first request), so the first visitor
    does not wait."""
    try:
        with urllib.request.urlopen(cams_url, timeout=60) as response:
            response.read()
    except OSError as err:
        print(f"warning: CAMS did not answer its first request ({err}).", file=sys.stderr)


def gui_url(api_url: str) -> str:
    """The stand-in's browser address for an API base ending in /api/v1."""
    base = api_url[: -len("/api/v1")] if api_url.endswith("/api/v1") else api_url
    return base.rstrip("/") + "/gui/"


def banner(cams_url: str, users: dict[str, dict], nomad_url: str, standin: bool) -> str:
    """What the person starting the demo needs: addresses and logins."""
    width = max((len(login) for login in users), default=5)
    lines = ["", f"CAMS:            {cams_url}"]
    if standin:
        lines.append(f"NOMAD stand-in:  {nomad_url}  (its pages: {gui_url(nomad_url)}...)")
    else:
        lines.append(f"NOMAD:           {nomad_url}")
    lines.append("Demo users (login, password, role):")
    for login, info in users.items():
        lines.append(f"  {login:<{width}}  {info.get('password', '')}  {info.get('role', '')}")
    if standin:
        lines.append("Each demo user has a stand-in NOMAD account of the same login and "
                     f"password: make its token at {gui_url(nomad_url)}user/token and save it "
                     "on CAMS's 'My NOMAD account' page.")
    lines += ["Press Ctrl-C to stop.", ""]
    return "\n".join(lines)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The launcher's options."""
    parser = argparse.ArgumentParser(prog="./run demo", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080,
                        help="CAMS port on 127.0.0.1 (default 8080)")
    parser.add_argument("--nomad-url", help="use this NOMAD instead of the local stand-in "
                        "(credentials from NOMAD_TOKEN / NOMAD_USERNAME+NOMAD_PASSWORD)")
    parser.add_argument("--task-dir", type=Path, default=DEFAULT_TASK_DIR,
                        help="where the CAMS task is built (default var/cams-task)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the task first")
    parser.add_argument("--keep-task", action="store_true",
                        help="keep a task whose processes point to uploads of an earlier "
                        "stand-in (by default it is rebuilt: the stand-in starts empty)")
    parser.add_argument("--processing-delay", type=float, default=1.5,
                        help="seconds the stand-in takes to process an upload")
    parser.add_argument("--web-workers", type=int, default=0,
                        help="serve CAMS with gunicorn and this many web processes "
                        "(default: jam.py's own single-process server)")
    parser.add_argument("--workers", type=int, default=2,
                        help="NOMAD jobs the worker process runs at once (default 2)")
    return parser.parse_args(argv)


def web_command(task_dir: Path, args: argparse.Namespace) -> list[str]:
    """The CAMS web server: jam.py's own, or gunicorn with --web-workers processes."""
    if args.web_workers > 0:
        return [sys.executable, "-m", "cams_module.lims.web", str(task_dir), "--port",
                str(args.port), "--workers", str(args.web_workers)]
    return [sys.executable, "-m", "cams_module.lims.jam_server", str(task_dir), "--port",
            str(args.port)]


def main(argv: list[str] | None = None) -> int:
    """Start the demo and keep it running until Ctrl-C (or a child server dies)."""
    args = parse_args(argv)
    task_dir = args.task_dir.resolve()
    reason = "--rebuild" if args.rebuild else build_needed(task_dir)
    if not reason and not args.nomad_url and not args.keep_task:
        leftovers = recorded_uploads(task_dir)
        if leftovers:
            reason = (f"{leftovers} process(es) point to uploads of an earlier stand-in, which "
                      "starts empty; pass --keep-task to keep them")
    if reason:
        print(f"Building the CAMS task ({reason}) ...", flush=True)
        build_task(task_dir)

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())

    services: list[Service] = []
    users = demo_users(task_dir)
    with tempfile.TemporaryDirectory(prefix="cams-demo-") as secrets_dir:
        try:
            if args.nomad_url:
                nomad_env = nomad_env_for_real_server(args.nomad_url)
            else:
                people = {login: info["password"] for login, info in users.items()
                          if login != STANDIN_USER and info.get("password")}
                standin, nomad_env = start_standin(Path(secrets_dir), args.processing_delay,
                                                   people)
                services.append(standin)
            env = child_env({**nomad_env, **key_env(task_dir)},
                            drop=() if args.nomad_url else REAL_NOMAD_ONLY)
            cams = start_service("cams", web_command(task_dir, args), env=env, cwd=str(REPO))
            services.append(cams)
            services.append(start_service(
                "worker", [sys.executable, "-m", "cams_module.lims.worker", "--task",
                           str(task_dir), "--workers", str(max(1, args.workers))],
                env=env, cwd=str(REPO), ready_line=WORKER_READY))
            warm_up(cams.url)
            print(banner(cams.url, users, nomad_env["NOMAD_URL"],
                         standin=not args.nomad_url), flush=True)
            while not stop.wait(0.5):
                dead = [s for s in services if not s.running()]
                if dead:
                    print(f"{dead[0].name} stopped unexpectedly "
                          f"(exit code {dead[0].process.returncode}); stopping the demo.",
                          file=sys.stderr)
                    return 1
            print("Stopping ...", flush=True)
            return 0
        except ServiceError as err:
            print(err, file=sys.stderr)
            return 1
        finally:
            for service in reversed(services):
                service.stop()


if __name__ == "__main__":
    sys.exit(main())
