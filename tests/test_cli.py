import subprocess
import sys


def test_cli_help_lists_itself():
    out = subprocess.run(
        [sys.executable, "-m", "cams_module", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert "cams-nomad" in out.stdout
