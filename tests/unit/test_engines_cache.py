"""glassnet.engines.cache: the kernel cache is private and verified before anything in it loads.

The attack these tests replay: another local user creates the fallback cache
folder ``$TMPDIR/glassnet-<uid>`` first, world-writable, with a crafted numba
index file (a pickle that runs code when loaded) where glassnet's kernel will
look for it. Before, the victim's ``glassnet run`` loaded it: the code ran as
the victim, with exit 0 and empty stderr.
"""

from __future__ import annotations

import os
import pickle
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("numba")

from glassnet.engines import cache

NOBODY = 65534
needs_root = pytest.mark.skipif(
    not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to make files of another user"
)


class RunsCode:
    """A pickle that, when loaded, creates a file (what an attacker's pickle would do)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


def victim_env(tmp_path: Path, tmpdir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", cache.OWN_ENV)}
    unwritable = tmp_path / "readonly-home"
    unwritable.mkdir(exist_ok=True)
    (unwritable / ".cache").write_text("not a folder")  # ~/.cache cannot be used
    env.update(HOME=str(unwritable), XDG_CACHE_HOME=str(unwritable / ".cache"), TMPDIR=str(tmpdir))
    env["GLASSNET_AOT"] = "1"
    return env


def run_glassnet(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    code = f"from glassnet.cli import main; raise SystemExit(main({args!r}))"
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )


def numba_index_path(root: Path) -> Path:
    """Where numba looks for the post's kernel's index when the cache folder is ``root``."""
    from numba.core.caching import _CacheLocator

    import glassnet
    from glassnet.engines.codegen import Spec, module_name, stem_of
    from glassnet.engines.compiled import unrolled_source

    spec = Spec.of(glassnet.Experiment().network, 4)
    name = module_name(unrolled_source(spec), "single_" + stem_of(spec))
    generated = root / "generated" / f"{name}.py"
    sub = _CacheLocator.get_suitable_cache_subpath(str(generated))
    tag = f"py{sys.version_info.major}{sys.version_info.minor}"
    return root / "numba" / sub / f"{name}.train_kernel-{_kernel_line()}.{tag}.nbi"


def _kernel_line() -> int:
    import glassnet
    from glassnet.engines.codegen import Spec
    from glassnet.engines.compiled import unrolled_source

    source = unrolled_source(Spec.of(glassnet.Experiment().network, 4))
    # numba names a function by the line of its first decorator
    return next(i for i, line in enumerate(source.splitlines(), 1) if line.startswith("@njit"))


@needs_root
def test_a_planted_cache_folder_of_another_user_is_refused(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    hostile = tmpdir / f"glassnet-{os.getuid()}"
    marker = tmp_path / "PWNED"
    index = numba_index_path(hostile)
    index.parent.mkdir(parents=True)
    with open(index, "wb") as handle:
        pickle.dump(RunsCode(str(marker)), handle)
    for path in [hostile, *hostile.rglob("*")]:
        os.chown(path, NOBODY, NOBODY)
        os.chmod(path, 0o777 if path.is_dir() else 0o666)

    done = run_glassnet(
        ["run", "--iterations", "60000", "--engine", "compiled"], victim_env(tmp_path, tmpdir)
    )

    assert done.returncode == 0, done.stderr
    assert not marker.exists(), "code planted in another user's cache folder ran"
    warnings = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(warnings) == 2, done.stderr  # ~/.cache, then the planted folder
    assert warnings[-1].startswith(
        f"glassnet: warning: not using the kernel cache folder {hostile}"
    )
    assert f"it belongs to user id {NOBODY}, not to this user (0)" in warnings[-1]
    assert "compiled engine" in done.stdout
    # the process's private stand-in is gone at exit
    assert [p.name for p in tmpdir.iterdir()] == [hostile.name]


@needs_root
def test_a_folder_that_exists_but_cannot_be_written_is_refused_once_without_leftovers(tmp_path):
    tmpdir = tmp_path / "tmp"
    tmpdir.mkdir()
    taken = tmpdir / f"glassnet-{os.getuid()}"
    taken.mkdir(mode=0o755)
    os.chown(taken, NOBODY, NOBODY)
    for _ in range(2):
        done = run_glassnet(["run", "--iterations", "20"], victim_env(tmp_path, tmpdir))
        assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmpdir.iterdir()) == [taken.name]


def test_the_cache_folder_is_created_private(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(cache, "_folder", None)
    folder = cache.folder()
    monkeypatch.setattr(cache, "_folder", None)
    assert folder == tmp_path / "glassnet" / "numba"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_a_folder_others_can_write_is_made_private_if_it_is_ours(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    old = tmp_path / "glassnet" / "numba"
    old.mkdir(parents=True)
    os.chmod(old, 0o777)
    monkeypatch.setattr(cache, "_folder", None)
    assert cache.folder() == old
    monkeypatch.setattr(cache, "_folder", None)
    assert stat.S_IMODE(old.stat().st_mode) == 0o700


def test_a_symbolic_link_is_not_a_cache_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("TMPDIR", str(tmp_path / "t"))
    (tmp_path / "t").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "glassnet").mkdir()
    (tmp_path / "glassnet" / "numba").symlink_to(tmp_path / "elsewhere")
    monkeypatch.setattr(cache, "_folder", None)
    monkeypatch.setattr("tempfile.tempdir", None)
    with pytest.warns(cache.CacheWarning, match="it is a symbolic link"):
        chosen = cache.folder()
    monkeypatch.setattr(cache, "_folder", None)
    assert chosen == tmp_path / "t" / f"glassnet-{os.getuid()}"


def test_a_damaged_numba_cache_file_is_moved_aside_and_rebuilt(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("NUMBA_CACHE_DIR", cache.OWN_ENV)}
    env["XDG_CACHE_HOME"] = str(tmp_path)
    args = ["run", "--iterations", "60000", "--engine", "compiled"]
    first = run_glassnet(args, env)
    assert first.returncode == 0, first.stderr
    indexes = list((tmp_path / "glassnet" / "numba" / "numba").rglob("*.nbi"))
    data = list((tmp_path / "glassnet" / "numba" / "numba").rglob("*.nbc"))
    assert indexes and data
    indexes[0].write_bytes(b"garbage, not a pickle")
    data[0].write_bytes(data[0].read_bytes()[:100])
    second = run_glassnet(args, env)
    assert second.returncode == 0, second.stderr
    assert "Traceback" not in second.stderr and "UnpicklingError" not in second.stderr
    assert "moved aside a damaged or unrecorded kernel cache file" in second.stderr
    assert second.stdout == first.stdout
    # rebuilt and recorded: the third run is quiet
    third = run_glassnet(args, env)
    assert third.returncode == 0 and third.stderr == "", third.stderr
