# Sourced by the scripts in this folder: make sure .venv holds the verified stack and the
# package (editable), creating or refreshing it when the requirements change.
# Needs only python3 (3.11) and access to the package registry.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
STAMP="$VENV/.synth-plugins-stamp"
WANT="$(cat "$ROOT/requirements/top.txt" "$ROOT/requirements/constraints.txt" "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1)"

if [ ! -x "$VENV/bin/python" ] || [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  echo ">> setting up $VENV (first run: downloads several GB, a few minutes)" >&2
  python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "uv==0.13.9"
  "$VENV/bin/uv" pip install --quiet --python "$VENV/bin/python" \
    -r "$ROOT/requirements/top.txt" -c "$ROOT/requirements/constraints.txt"
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
