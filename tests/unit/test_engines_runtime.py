"""glassnet.engines.runtime: numba loaded only when a compiled engine trains, and the one
place that reaches into numba's internals (``lean_target_setup``), checked against the
installed numba in fresh processes (numba's start-up happens once per process)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from glassnet.engines import runtime

pytest.importorskip("numba")
pytest.importorskip("scipy")


def fresh(code: str) -> dict[str, object]:
    """Run ``code`` in a new interpreter; it prints one JSON line, returned."""
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_lean_start_up_skips_scipy_and_numba_still_compiles():
    found = fresh(
        """
        import json, sys
        from glassnet.engines import runtime
        assert "numba" not in sys.modules  # importing glassnet's engines does not load numba
        runtime.prefer_lean_startup()
        runtime.start_numba()
        skipped = "scipy.linalg" not in sys.modules
        import numba
        import numpy as np

        @numba.njit(cache=False)
        def total(a):
            s = 0.0
            for v in a:
                s += v
            return s

        value = total(np.arange(5.0))
        import scipy.linalg  # hidden only during numba's set-up: importable afterwards
        print(json.dumps({"skipped": skipped, "value": value,
                          "linalg": scipy.linalg.__name__}))
        """
    )
    assert found == {"skipped": True, "value": 10.0, "linalg": "scipy.linalg"}


def test_the_internal_call_exists_in_the_installed_numba():
    # lean_target_setup returns False when numba's internal API is gone: this fails first then
    found = fresh(
        """
        import json, sys
        from glassnet.engines import runtime
        from glassnet.engines import cache
        cache.configure_numba()
        import numba
        first = runtime.lean_target_setup()
        print(json.dumps({"did": first, "left": "scipy.linalg" in sys.modules}))
        """
    )
    assert found == {"did": True, "left": False}


def test_nothing_is_hidden_when_scipy_linalg_is_already_loaded():
    found = fresh(
        """
        import json
        import scipy.linalg
        from glassnet.engines import runtime
        print(json.dumps({"did": runtime.lean_target_setup()}))
        """
    )
    assert found == {"did": False}


def test_a_blocked_numba_is_unavailable_with_a_one_line_reason(monkeypatch):
    monkeypatch.setitem(sys.modules, "numba", None)  # an import blocked in this process
    assert runtime.numba_available() is False
    assert runtime.unavailable_reason() == "numba is not installed"
    with pytest.raises(runtime.KernelUnavailable, match=r"^numba is not installed$"):
        runtime.start_numba()
