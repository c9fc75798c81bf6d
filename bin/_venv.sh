# Sourced by bin/demo and bin/test: make sure .venv exists and has glassnet
# installed (editable) with the given extras. Re-installs only when
# pyproject.toml or the extras change.
ensure_venv() {
    local extras="$1"
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
    local venv="$root/.venv"
    local python="${PYTHON:-python3}"
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "glassnet needs Python >= 3.11; '$python' is $("$python" --version 2>&1)." >&2
        exit 2
    fi
    if [ ! -x "$venv/bin/python" ]; then
        echo "setting up $venv (first run only)..." >&2
        "$python" -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --upgrade pip >&2
    fi
    local stamp="$venv/.glassnet-installed"
    local want
    want="$(cat "$root/pyproject.toml" | sha256sum | cut -c1-16) [$extras]"
    if [ ! -f "$stamp" ] || ! grep -qxF "$want" "$stamp"; then
        echo "installing glassnet${extras:+[$extras]} into $venv..." >&2
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
            -e "$root${extras:+[$extras]}" >&2
        echo "$want" >> "$stamp"
    fi
    VENV="$venv"
}
