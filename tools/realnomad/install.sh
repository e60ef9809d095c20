#!/usr/bin/env bash
# Install the real NOMAD (nomad-lab[infrastructure]) into its own cached venv.
# Prints the venv path on the last line of stdout.  Re-runs reuse the venv.
#   NOMAD_LAB_VERSION   default 2.0.0
#   CAMS_NOMAD_CACHE    default ~/.cache/cams-nomad
set -euo pipefail
VERSION=${NOMAD_LAB_VERSION:-2.0.0}
CACHE=${CAMS_NOMAD_CACHE:-$HOME/.cache/cams-nomad}
VENV="$CACHE/realnomad-venv-$VERSION"
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
HERE=$(cd "$(dirname "$0")" && pwd)
STAMP="$VENV/.installed-$(sha1sum "$HERE/requirements.txt" | cut -c1-12)"

if [ -f "$STAMP" ]; then
    echo "real NOMAD $VERSION: cached venv $VENV (install time 0 s)" >&2
    echo "$VENV"
    exit 0
fi
mkdir -p "$CACHE"
# One installer at a time per cache (parallel CI runs on one machine).
exec 9>"$CACHE/.realnomad-$VERSION.lock"
flock 9
if [ -f "$STAMP" ]; then
    echo "real NOMAD $VERSION: cached venv $VENV (install time 0 s)" >&2
    echo "$VENV"
    exit 0
fi
start=$(date +%s)
rm -rf "$VENV"
"$PY" -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade pip >&2
"$VENV/bin/pip" install -q "nomad-lab[infrastructure]==$VERSION" -r "$HERE/requirements.txt" >&2
touch "$STAMP"
echo "real NOMAD $VERSION: installed into $VENV in $(( $(date +%s) - start )) s" >&2
echo "$VENV"
