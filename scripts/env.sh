# Sourced by the scripts in this folder: make sure the stack's virtual environment holds its
# verified set and the package (editable), creating or refreshing it when the requirements
# change. Two stacks (docs/install.md), chosen by SYNTH_PLUGINS_STACK:
#   synthcity (default)  .venv      Synthcity 0.2.12 + SDV 1.38 + SDGym, Python 3.11
#                                   requirements/top.txt + constraints.txt
#   sdv                  .venv-sdv  SDV 2, numpy 2, current torch, no Synthcity
#                                   requirements/sdv-top.txt + sdv-constraints.txt
#                                   Python: SDV_STACK_PYTHON (default python3; 3.11 to 3.13)
# Needs only python3 (3.11) and access to the package registry.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STACK="${SYNTH_PLUGINS_STACK:-synthcity}"
UV_INSTALL=()
case "$STACK" in
  synthcity)
    VENV="$ROOT/.venv" BASE_PYTHON=python3
    TOP="$ROOT/requirements/top.txt" LOCK="$ROOT/requirements/constraints.txt" ;;
  sdv)
    VENV="$ROOT/.venv-sdv" BASE_PYTHON="${SDV_STACK_PYTHON:-python3}"
    TOP="$ROOT/requirements/sdv-top.txt" LOCK="$ROOT/requirements/sdv-constraints.txt"
    # A folder of local wheels (these machines keep torch 2.13.0's CPU-only build for
    # Python 3.11 in /opt/wheels): used when present, else the registry's build is taken.
    WHEELS="${SYNTH_PLUGINS_WHEELS:-/opt/wheels}"
    if [ -d "$WHEELS" ]; then UV_INSTALL+=(--find-links "$WHEELS"); fi ;;
  *) echo "SYNTH_PLUGINS_STACK must be 'synthcity' or 'sdv', got '$STACK'" >&2; exit 2 ;;
esac
STAMP="$VENV/.synth-plugins-stamp"
WANT="$(cat "$TOP" "$LOCK" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1) $("$BASE_PYTHON" -V 2>&1)"

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo ">> setting up $VENV ($STACK stack; first run: downloads several GB, a few minutes)" >&2
  "$BASE_PYTHON" -m venv --clear "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" "${UV_INSTALL[@]}" \
    -r "$TOP" -c "$LOCK"
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" --no-deps -e "$ROOT"
  echo "$WANT" > "$STAMP"
fi

# Two cores: one torch thread per process avoids the 4x slowdown seen under contention.
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
export MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
# Nothing may reach a model hub at run time.
export HF_HUB_OFFLINE=1
export TQDM_DISABLE="${TQDM_DISABLE:-}"
export PYTHONDONTWRITEBYTECODE=1
PY="$VENV/bin/python"
cd "$ROOT"
