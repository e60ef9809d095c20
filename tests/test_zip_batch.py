"""The zip writer and ZipBatch: the same bytes zipfile writes, many zips durably in the
background, and every failure named by its process with nothing half-written left."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from cams_module.cli import main as cams_nomad
from cams_module.export import BatchWriteError, ExportError, ZipBatch, export_process, write_zip
from cams_module.export.zipping import _file_bytes, _zipfile_members, zip_image

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "tests" / "data" / "process_documents"
DEMO = REPO / "task" / "demo" / "processes.json"
GOOD = ("picotcdv3", "mems_gyro_b2", "sin_waveguide_07")


def load(name: str) -> dict:
    return json.loads((DOCS / f"{name}.json").read_text(encoding="utf-8"))


def by_zipfile(members: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    _zipfile_members(buffer, members)
    return buffer.getvalue()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


@pytest.mark.parametrize("members", [
    [],
    [("a.archive.json", b"x" * 300), ("b/\u00fcber.archive.json", b""),
     ("c\x00ignored", os.urandom(70_000)), ("d.yaml", "µm: 1\n".encode() * 500)],
    [(f"{i:05d}.archive.json", b"{}") for i in range(65_536)],  # ZIP64: zipfile's own path
], ids=["empty", "names-and-sizes", "zip64-count"])
def test_the_zip_is_the_one_zipfile_writes(members):
    assert zip_image(lambda: iter(members)) == by_zipfile(members)


@pytest.mark.parametrize("name", GOOD)
def test_write_zip_writes_zipfiles_bytes_for_an_export(tmp_path, name):
    archives = export_process(load(name)).archives
    path = write_zip(archives, tmp_path / "p.zip")
    members = [(n, _file_bytes(n, archives[n])) for n in sorted(archives)]
    assert path.read_bytes() == by_zipfile(members)
    assert zipfile.ZipFile(path).testzip() is None


def test_a_batch_writes_the_same_zips_as_write_zip_and_leaves_nothing_else(tmp_path):
    one, many = tmp_path / "one", tmp_path / "many"
    one.mkdir()
    many.mkdir()
    results = {name: export_process(load(name)) for name in GOOD}
    with ZipBatch(workers=2, in_flight=1) as batch:
        for name, result in results.items():
            batch.add(result, many / f"{name}.zip", name)
            write_zip(result, one / f"{name}.zip")
        batch.finish()
    assert batch.count == 3
    for name in GOOD:
        assert (many / f"{name}.zip").read_bytes() == (one / f"{name}.zip").read_bytes()
        assert (many / f"{name}.zip").stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in many.iterdir()) == sorted(f"{n}.zip" for n in GOOD)


def test_the_same_zip_twice_in_a_batch_ends_as_the_later_one(tmp_path):
    first, later = export_process(load("picotcdv3")), export_process(load("mems_gyro_b2"))
    with ZipBatch() as batch:
        batch.add(first, tmp_path / "x.zip", "PicoTCDv3")
        batch.add(later, tmp_path / "x.zip", "MEMS-Gyro-B2")
    write_zip(later, tmp_path / "expected.zip")
    assert (tmp_path / "x.zip").read_bytes() == (tmp_path / "expected.zip").read_bytes()


def test_a_rename_that_fails_is_named_by_process_and_the_others_are_written(tmp_path):
    (tmp_path / "taken.zip").mkdir()  # a folder where the zip should go: rename fails
    (tmp_path / "taken.zip" / "keep").write_text("untouched")
    with pytest.raises(BatchWriteError) as err, ZipBatch() as batch:
        batch.add(export_process(load("picotcdv3")), tmp_path / "fine.zip", "PicoTCDv3")
        batch.add(export_process(load("mems_gyro_b2")), tmp_path / "taken.zip",
                  "MEMS-Gyro-B2")
        batch.finish()
    failures = err.value.failures
    assert [f.name for f in failures] == ["MEMS-Gyro-B2"]
    assert str(failures[0]).startswith(
        f"process MEMS-Gyro-B2: could not write the export zip {tmp_path / 'taken.zip'}: ")
    assert "MEMS-Gyro-B2" in str(err.value) and "of the 2" in str(err.value)
    assert (tmp_path / "taken.zip" / "keep").read_text() == "untouched"
    assert zipfile.ZipFile(tmp_path / "fine.zip").testzip() is None
    assert not failures[0].covers(tmp_path / "fine.zip")
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_named_by_process(tmp_path):
    with pytest.raises(BatchWriteError) as err, ZipBatch() as batch:
        batch.add(export_process(load("picotcdv3")), tmp_path / "nope" / "p.zip", "PicoTCDv3")
    assert [f.name for f in err.value.failures] == ["PicoTCDv3"]
    assert "check that the folder exists and is writable" in str(err.value)


BATCH_ON_A_FULL_DISK = textwrap.dedent("""
    import json, resource, signal, sys
    sys.path.insert(0, {repo!r})
    from pathlib import Path
    from cams_module.export import BatchWriteError, ZipBatch, export_process
    small = {{"process": {{"id": 1, "name": "Small"}}, "steps": []}}
    big = json.load(open({big!r}))
    results = [("Small", export_process(small)), ("PicoTCDv3", export_process(big))]
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))
    try:
        with ZipBatch() as batch:
            for name, result in results:
                batch.add(result, Path({folder!r}) / (name + ".zip"), name)
    except BatchWriteError as err:
        print(err)
        sys.exit(3)
""")


def test_a_full_disk_in_the_pool_is_named_by_process_and_leaves_no_half_zip(tmp_path):
    """RLIMIT_FSIZE makes the pool's write fail like a full disk (EFBIG), in a child."""
    folder = tmp_path / "out"
    folder.mkdir()
    script = BATCH_ON_A_FULL_DISK.format(repo=str(REPO), big=str(DOCS / "picotcdv3.json"),
                                         folder=str(folder))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert "process PicoTCDv3: could not write the export zip" in done.stdout
    assert "the disk is full (or the file too large)" in done.stdout
    assert "Small" not in done.stdout
    assert sorted(p.name for p in folder.iterdir()) == ["Small.zip"]


def test_the_command_line_names_the_process_whose_zip_could_not_be_written(tmp_path, capsys):
    (tmp_path / "quick-clean.zip").mkdir()
    code = cams_nomad(["export", str(DEMO), "-o", str(tmp_path)])
    captured = capsys.readouterr()
    assert code == 2
    assert "process Quick-Clean: could not write the export zip" in captured.err
    assert sorted(p.name for p in tmp_path.glob("*.zip") if p.is_file()) == [
        "mems-gyro-b2.zip", "picotcdv3.zip", "sin-waveguide-07.zip"]
    assert "process PicoTCDv3: wrote" in captured.out
    assert "Quick-Clean: wrote" not in captured.out
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("enabled", [True, False])
def test_export_leaves_the_garbage_collector_as_it_found_it(enabled):
    was = gc.isenabled()
    try:
        (gc.enable if enabled else gc.disable)()
        export_process(load("picotcdv3"))
        assert gc.isenabled() is enabled
        with pytest.raises(ExportError):
            export_process({"process": {}, "steps": "no"})
        assert gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()
