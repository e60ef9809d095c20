"""The one durable file write (schema/durable_file) as the editor's save and the export's zips
use it: modes, nothing half-written on a failure, and the order of the fsyncs and renames.

The fsyncs are observed by wrapping ``os.fsync`` and ``os.replace`` (the standard library's,
which still run): a test can see that the folder is fsync'd after the rename, not that the
disk kept it through a power cut."""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from cams_module.editor.document import load_document, new_document, write_atomic
from cams_module.export import ZipBatch, write_zip
from cams_module.schema import load_schema_set
from cams_module.schema.durable_file import NEW_FILE_MODE

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "data" / "plugin-example-2.0.0" / "Prova_PEB.archive.json"
RIE = "schema_packages.steps.remove.etching.dry_etching.RIE"
#: root may write any folder: its child runs without that right (util-linux's setpriv)
WITHOUT_ROOTS_RIGHTS = ("setpriv", "--bounding-set=-dac_override,-dac_read_search")


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    target = tmp_path / EXAMPLE.name
    shutil.copy(EXAMPLE, target)
    return target


@pytest.fixture()
def strict_umask():
    """A umask under which a plainly created file would be 0600: a 0644 is then chosen."""
    old = os.umask(0o077)
    yield
    os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.fixture()
def disk_calls(monkeypatch) -> list[tuple]:
    """Every fsync (of a folder or a file, by inode) and rename, in order; both still run."""
    calls: list[tuple] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        info = os.fstat(fd)
        calls.append(("fsync", "folder" if stat.S_ISDIR(info.st_mode) else "file", info.st_ino))
        real_fsync(fd)

    def replace(src, dst) -> None:
        real_replace(src, dst)
        calls.append(("rename", Path(dst).stat().st_ino))

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return calls


# ----- the editor's save ------------------------------------------------------------------
def test_a_save_keeps_the_mode_of_the_file_it_replaces(archive, strict_umask):
    archive.chmod(0o600)
    doc = load_document(archive)
    doc.set("data.name", "kept private")
    doc.save()
    assert mode(archive) == 0o600
    assert archive.read_text(encoding="utf-8") == doc.to_json()
    archive.chmod(0o664)
    doc.set("data.name", "shared with the group")
    doc.save()
    assert mode(archive) == 0o664


def test_a_new_file_is_0644(tmp_path, strict_umask):
    target = tmp_path / "new_step.archive.json"
    new_document(RIE, load_schema_set("fabrication-utilities-2.0"), target).save()
    assert mode(target) == NEW_FILE_MODE == 0o644
    assert listing(tmp_path) == ["new_step.archive.json"]


def test_a_save_fsyncs_the_file_then_renames_it_then_fsyncs_the_folder(archive, disk_calls):
    doc = load_document(archive)
    doc.set("data.name", "durable")
    doc.save()
    new_inode = archive.stat().st_ino
    assert disk_calls == [("fsync", "file", new_inode), ("rename", new_inode),
                          ("fsync", "folder", archive.parent.stat().st_ino)]


def test_text_that_cannot_be_encoded_writes_nothing(archive):
    original = archive.read_bytes()
    before = listing(archive.parent)
    with pytest.raises(UnicodeEncodeError):
        write_atomic(archive, '{"data": {"name": "\udc80"}}\n')  # a lone surrogate
    assert archive.read_bytes() == original
    assert listing(archive.parent) == before


def test_a_rename_refused_by_the_disk_leaves_no_temporary_file(tmp_path):
    """The temporary file exists when the rename fails (a folder is in the way): removed."""
    (tmp_path / "in_the_way.archive.json").mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path / "in_the_way.archive.json", "{}\n")
    assert listing(tmp_path) == ["in_the_way.archive.json"]
    assert (tmp_path / "in_the_way.archive.json").is_dir()


def run_child(script: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([*prefix, sys.executable, "-c", textwrap.dedent(script)],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_a_full_disk_during_the_save_keeps_the_old_file_whole(archive):
    """RLIMIT_FSIZE makes the write fail half-way like a full disk (EFBIG), in a child."""
    archive.chmod(0o600)
    original = archive.read_bytes()
    before = listing(archive.parent)
    done = run_child(f"""
        import resource, signal, sys
        from cams_module.editor.archive_file import write_atomic
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))
        try:
            write_atomic({str(archive)!r}, "x" * 100_000)
        except OSError as err:
            print(err.errno)
            sys.exit(3)
    """)
    assert done.returncode == 3, done.stderr
    assert int(done.stdout) == errno.EFBIG
    assert archive.read_bytes() == original and mode(archive) == 0o600
    assert listing(archive.parent) == before


def test_a_read_only_folder_keeps_the_old_file_whole():
    """The save runs in a child that cannot write the folder."""
    with tempfile.TemporaryDirectory() as top:
        os.chmod(top, 0o755)
        folder = Path(top) / "upload"
        folder.mkdir()
        target = folder / EXAMPLE.name
        shutil.copy(EXAMPLE, target)
        target.chmod(0o644)
        folder.chmod(0o555)
        original = target.read_bytes()
        prefix = WITHOUT_ROOTS_RIGHTS if os.geteuid() == 0 else ()
        try:
            done = run_child(f"""
                import sys
                from cams_module.editor.archive_file import write_atomic
                try:
                    write_atomic({str(target)!r}, "{{}}\\n")
                except PermissionError as err:
                    print(err.errno)
                    sys.exit(3)
            """, prefix)
            assert done.returncode == 3, done.stderr
            assert target.read_bytes() == original
            assert listing(folder) == [EXAMPLE.name]
        finally:
            folder.chmod(0o755)


# ----- the export's zips ------------------------------------------------------------------
def test_an_export_zip_always_gets_the_fixed_mode(tmp_path, strict_umask):
    target = tmp_path / "p.zip"
    target.write_bytes(b"an older export")
    target.chmod(0o600)
    write_zip({"a.archive.json": {"data": {"name": "a"}}}, target)
    assert mode(target) == 0o644


def test_write_zip_fsyncs_the_zip_then_renames_it_then_fsyncs_the_folder(tmp_path, disk_calls):
    target = write_zip({"a.archive.json": {"data": {"name": "a"}}}, tmp_path / "p.zip")
    inode = target.stat().st_ino
    assert disk_calls == [("fsync", "file", inode), ("rename", inode),
                          ("fsync", "folder", tmp_path.stat().st_ino)]


def test_a_batch_fsyncs_its_folder_once_after_every_rename(tmp_path, disk_calls):
    with ZipBatch() as batch:
        for i in range(6):
            batch.add({"a.archive.json": {"data": {"name": str(i)}}}, tmp_path / f"{i}.zip",
                      f"P{i}")
    zips = {p.stat().st_ino for p in tmp_path.glob("*.zip")}
    assert len(zips) == 6
    *per_zip, last = disk_calls
    assert last == ("fsync", "folder", tmp_path.stat().st_ino)
    assert sorted(c for c in per_zip if c[0] == "rename") == sorted(("rename", i) for i in zips)
    fsynced = [c[2] for c in per_zip if c[0] == "fsync"]
    assert sorted(fsynced) == sorted(zips)  # each zip once, no folder fsync per zip
    for inode in zips:  # each zip's own fsync comes before its rename
        assert disk_calls.index(("fsync", "file", inode)) < disk_calls.index(("rename", inode))
