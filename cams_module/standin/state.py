"""The stand-in's whole state: settings, users, tokens, uploads, datasets, faults."""

from __future__ import annotations

import shutil
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .faults import FaultBook, Stats
from .judge import DEFAULT_SCHEMA_SETS
from .model import Dataset, Upload, User
from .tokens import TokenRegistry


@dataclass
class Settings:
    """Server options (see ``python -m cams_module.standin --help``)."""

    processing_delay: float = 1.0
    upload_limit: int = 10
    token_lifetime: float = 3600.0
    schema_sets: tuple[str, ...] = DEFAULT_SCHEMA_SETS
    data_dir: Path | None = None
    version: str = "2.0.0"


@dataclass
class State:
    settings: Settings
    users: dict[str, User]
    data_dir: Path = field(init=False)
    tokens: TokenRegistry = field(init=False)
    faults: FaultBook = field(default_factory=FaultBook)
    stats: Stats = field(default_factory=Stats)
    uploads: dict[str, Upload] = field(default_factory=dict)
    datasets: dict[str, Dataset] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)
    owns_data_dir: bool = False

    def __post_init__(self) -> None:
        self.tokens = TokenRegistry(self.settings.token_lifetime)
        if self.settings.data_dir is None:
            self.data_dir = Path(tempfile.mkdtemp(prefix="nomad-standin-"))
            self.owns_data_dir = True
        else:
            self.data_dir = Path(self.settings.data_dir)
            self.data_dir.mkdir(parents=True, exist_ok=True)
        (self.data_dir / "uploads").mkdir(exist_ok=True)
        (self.data_dir / "incoming").mkdir(exist_ok=True)

    def user(self, username: str | None) -> User | None:
        return self.users.get(username) if username else None

    def user_by_ref(self, ref: str) -> User | None:
        """A user by user id, username or e-mail address."""
        for user in self.users.values():
            if ref in (user.user_id, user.username, user.email):
                return user
        return None

    def incoming_dir(self) -> Path:
        """A fresh directory for one request's received files."""
        return Path(tempfile.mkdtemp(dir=self.data_dir / "incoming"))

    def upload_dir(self, upload_id: str) -> Path:
        return self.data_dir / "uploads" / upload_id

    def unpublished_count(self, user_id: str) -> int:
        with self.lock:
            return sum(
                1 for u in self.uploads.values()
                if u.main_author_id == user_id and not u.published
            )

    def remove_upload(self, upload: Upload) -> None:
        with self.lock:
            self.uploads.pop(upload.upload_id, None)
            upload.generation += 1
        shutil.rmtree(upload.directory, ignore_errors=True)

    def reset(self) -> None:
        """Forget uploads, datasets, tokens, faults and statistics."""
        with self.lock:
            for upload in self.uploads.values():
                upload.generation += 1
            self.uploads.clear()
            self.datasets.clear()
            self.tokens.expire_all()
            self.faults.clear()
            self.stats.clear()
        for sub in ("uploads", "incoming"):
            shutil.rmtree(self.data_dir / sub, ignore_errors=True)
            (self.data_dir / sub).mkdir()

    def close(self) -> None:
        """Remove the data directory if the server created it."""
        if self.owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)
