"""glassnet.files: one way to write every output and read every input.

The tests run as root in CI, so permissions are checked on mode bits, never
with os.access (root passes every access check).
"""

from __future__ import annotations

import errno
import os
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from glassnet import files
from glassnet.errors import ConfigError, DataError, FileError

ROOT = Path(__file__).resolve().parents[2]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# --------------------------------------------------------------------------- regular files


def test_a_new_file_gets_the_usual_mode_and_no_temporary_file(tmp_path):
    path = files.write_file(tmp_path / "out.json", "hello\n")
    assert path.read_text() == "hello\n"
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask
    assert leftovers(tmp_path) == []


def test_an_existing_file_is_replaced_and_keeps_its_mode_and_owner(tmp_path):
    path = tmp_path / "out.json"
    path.write_text("old")
    os.chmod(path, 0o640)
    if os.geteuid() == 0:
        os.chown(path, 1234, 4321)
    before = path.stat().st_ino
    files.write_file(path, b"new")
    st = path.stat()
    assert path.read_bytes() == b"new"
    assert st.st_ino != before  # replaced, not rewritten in place
    assert stat.S_IMODE(st.st_mode) == 0o640
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 4321)
    assert leftovers(tmp_path) == []


def test_a_read_only_file_is_refused_even_for_root(tmp_path):
    path = tmp_path / "out.json"
    path.write_text("keep me")
    os.chmod(path, 0o444)
    with pytest.raises(FileError, match=r"output '.*out.json' is read-only \(mode 0444\)"):
        files.write_file(path, "new")
    with pytest.raises(FileError, match="read-only"):
        files.check_output(path)
    assert path.read_text() == "keep me"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert leftovers(tmp_path) == []


def test_a_hard_linked_file_is_refused_and_both_names_keep_their_content(tmp_path):
    path, other = tmp_path / "out.json", tmp_path / "other.json"
    path.write_text("shared")
    os.link(path, other)
    with pytest.raises(FileError, match="has 2 hard links"):
        files.write_file(path, "new")
    assert path.read_text() == other.read_text() == "shared"
    assert path.stat().st_ino == other.stat().st_ino


def test_a_symlink_is_followed_and_stays_a_link(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    os.chmod(target, 0o600)
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    files.write_file(link, "new")
    assert link.is_symlink() and os.readlink(link) == "real.json"
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == []


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    files.write_file(link, "new")
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "new"


def test_a_symlink_to_a_read_only_file_is_refused(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    os.chmod(target, 0o444)
    (tmp_path / "link.json").symlink_to(target)
    with pytest.raises(FileError, match="read-only"):
        files.write_file(tmp_path / "link.json", "new")
    assert target.read_text() == "old"


def test_a_symlink_loop_is_refused(tmp_path):
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(FileError, match="loop of symbolic links"):
        files.write_file(tmp_path / "a", "x")


def test_folders_missing_folders_and_bad_paths_are_refused(tmp_path):
    with pytest.raises(FileError, match="is a folder; give a file name"):
        files.write_file(tmp_path, "x")
    with pytest.raises(FileError, match=r"folder '.*nofolder' does not exist; create it first"):
        files.write_file(tmp_path / "nofolder" / "x.json", "x")
    with pytest.raises(FileError, match=r"must be a file path \(a str or os.PathLike\); got 5"):
        files.write_file(5, "x")  # type: ignore[arg-type]
    with pytest.raises(FileError, match="must be a file path"):
        files.check_output("")
    (tmp_path / "plain").write_text("")
    with pytest.raises(FileError, match="a part of the path is not a folder"):
        files.write_file(tmp_path / "plain" / "x.json", "x")


def test_an_error_while_writing_leaves_the_old_file_and_no_temporary(tmp_path, monkeypatch):
    path = tmp_path / "out.json"
    path.write_text("old")

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files, "_write_chunk", full)
    with pytest.raises(FileError, match="no space left on the device"):
        files.write_file(path, "new" * 1000)
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == []


def test_an_exception_inside_open_output_writes_nothing(tmp_path):
    path = tmp_path / "plot.png"
    with pytest.raises(KeyError), files.open_output(path) as handle:
        handle.write(b"half")
        raise KeyError("renderer failed")
    assert not path.exists() and leftovers(tmp_path) == []


def test_open_output_streams_to_a_renderer(tmp_path):
    with files.open_output(tmp_path / "a.bin") as handle:
        for _ in range(3):
            handle.write(b"ab")
    assert (tmp_path / "a.bin").read_bytes() == b"ababab"


# --------------------------------------------------------------------------- special files


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null here")
def test_dev_null_is_written_in_place_and_stays_a_device():
    before = os.stat("/dev/null")
    files.write_file("/dev/null", "x" * 10_000)
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert after.st_ino == before.st_ino


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_dev_full_is_a_one_line_no_space_error():
    with pytest.raises(FileError) as info:
        files.write_file("/dev/full", "x")
    assert str(info.value) == (
        "output '/dev/full': no space left on the device; free some space or write elsewhere."
    )
    assert stat.S_ISCHR(os.stat("/dev/full").st_mode)


def test_a_device_node_is_written_in_place(tmp_path):
    node = tmp_path / "mynull"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a device node here ({exc.strerror})")
    files.write_file(node, "x" * 1000)
    assert stat.S_ISCHR(node.stat().st_mode)
    assert leftovers(tmp_path) == []


def test_a_block_device_is_refused(tmp_path):
    node = tmp_path / "disk"
    try:
        os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 0))
    except (PermissionError, OSError) as exc:
        pytest.skip(f"cannot create a device node here ({exc.strerror})")
    with pytest.raises(FileError, match="is a block device"):
        files.write_file(node, "x")
    assert stat.S_ISBLK(node.stat().st_mode)


def test_a_fifo_is_written_in_place_for_its_reader(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []

    def reader():
        with open(fifo, "rb") as handle:
            received.append(handle.read())

    thread = threading.Thread(target=reader, daemon=True)
    thread.start()
    payload = b"0123456789" * 50_000  # more than a pipe buffer
    files.write_file(fifo, payload)
    thread.join(10)
    assert received == [payload]
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert leftovers(tmp_path) == []


def test_a_file_descriptor_path_writes_to_that_descriptor(tmp_path):
    read_end, write_end = os.pipe()
    try:
        files.write_file(f"/dev/fd/{write_end}", "through the pipe")
        assert os.read(read_end, 100) == b"through the pipe"
        assert files.check_output(f"/proc/self/fd/{write_end}").kind == "stream"
    finally:
        os.close(read_end)
        os.close(write_end)
    with pytest.raises(FileError, match="which is not open"):
        files.check_output(f"/dev/fd/{write_end}")


def glassnet_cli(*args: str, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("stdout", subprocess.PIPE)
    return subprocess.run(
        [sys.executable, "-m", "glassnet", *args],
        stderr=subprocess.PIPE,
        text=True,
        timeout=120,
        env={**os.environ, "GLASSNET_AOT": "0"},
        **kwargs,
    )


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null here")
def test_cli_json_to_dev_null_leaves_it_a_device():
    result = glassnet_cli("run", "--iterations", "5", "--json", "/dev/null")
    assert result.returncode == 0, result.stderr
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
def test_cli_json_to_dev_full_is_one_line_and_exit_2():
    result = glassnet_cli("run", "--iterations", "5", "--json", "/dev/full")
    assert result.returncode == 2
    assert result.stderr == (
        "glassnet: error: output '/dev/full': no space left on the device; free some space or "
        "write elsewhere.\n"
    )


@pytest.mark.skipif(not os.path.islink("/dev/stdout"), reason="no /dev/stdout link here")
def test_cli_json_to_dev_stdout_follows_the_summary(tmp_path):
    out = tmp_path / "out.txt"
    with open(out, "w") as handle:  # stdout is a regular file: nothing printed is lost
        result = glassnet_cli("run", "--iterations", "5", "--json", "/dev/stdout", stdout=handle)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert text.index("iterations") < text.index('{"glassnet":') < text.index("wrote /dev/stdout")
    assert os.path.islink("/dev/stdout")
    piped = glassnet_cli("run", "--iterations", "5", "--json", "/dev/stdout")
    assert piped.returncode == 0 and '{"glassnet":' in piped.stdout


# --------------------------------------------------------------------------- SIGTERM

SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    import glassnet
    from glassnet import files

    run = glassnet.Experiment(dataset="xor", layers=[3, 40, 1], iterations=20_000).run()
    files.WRITE_CHUNK = 4096
    real = files._write_chunk
    def slow(fd, data):
        print("writing", flush=True)
        time.sleep(0.01)
        return real(fd, data)
    files._write_chunk = slow
    run.to_json(sys.argv[1])
    """
)


def test_sigterm_while_writing_removes_the_temporary_file_and_exits_143(tmp_path):
    target = tmp_path / "run.json"
    target.write_text("the previous run")
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "GLASSNET_AOT": "0"},
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline() == b"writing\n"
        deadline = time.monotonic() + 30
        while not leftovers(tmp_path) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert leftovers(tmp_path), "the temporary file should exist mid-write"
        process.send_signal(signal.SIGTERM)
        process.wait(60)
    finally:
        process.kill()
        process.wait()
    assert process.returncode == 143, process.stderr.read() if process.stderr else ""
    assert leftovers(tmp_path) == []
    assert target.read_text() == "the previous run"


def test_the_sigterm_handler_is_restored_after_a_write(tmp_path):
    before = signal.getsignal(signal.SIGTERM)
    files.write_file(tmp_path / "x", "x")
    assert signal.getsignal(signal.SIGTERM) is before


# --------------------------------------------------------------------------- reading


def read(path, limit=1000, error=DataError):
    return files.read_file(
        Path(path), where=f"input {str(path)!r}", limit=limit, error=error, accepted="a .csv file"
    )


def test_read_refuses_a_fifo_at_once(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome: list[BaseException] = []

    def attempt():
        try:
            read(fifo)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "reading a FIFO must not wait for a writer"
    assert isinstance(outcome[0], DataError)
    assert "is a named pipe (FIFO), not a regular file" in str(outcome[0])


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_read_refuses_dev_zero():
    with pytest.raises(DataError, match="is a character device"):
        read("/dev/zero", limit=10**9)


def test_read_caps_the_size(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"1" * 1001)
    with pytest.raises(DataError, match=r"is 1,001 bytes, more than the 1,000 bytes accepted\.$"):
        read(path)
    path.write_bytes(b"1" * 1000)
    assert read(path) == b"1" * 1000


def test_read_errors_name_the_file(tmp_path):
    with pytest.raises(ConfigError, match=r"input '.*nope': file not found; give the path of"):
        read(tmp_path / "nope", error=ConfigError)
    with pytest.raises(DataError, match=r"is a folder; give the path of a \.csv file"):
        read(tmp_path)


# --------------------------------------------------------------------------- nesting


def test_toml_depth_ignores_brackets_in_strings_and_comments():
    assert files.toml_depth('a = "[[[[["\n# [[[[[[\nb = [[1]]\n', 3) is None
    assert files.toml_depth("a = " + "[" * 5 + "]" * 5, 4) == (5, 1)
    assert files.toml_depth("x = 1\ny = {a = {b = {c = 1}}}\n", 2) == (3, 2)


def test_json_depth_ignores_brackets_in_strings():
    assert files.json_depth(b'{"a": "[[[[[[\\"[[[", "b": [[1]]}', 3) is None
    assert files.json_depth(b"[" * 40 + b"]" * 40, 32) == 40
    assert files.json_depth(b'["\\\\", [[[1]]]]', 3) == 4
    deep = b'{"k": ' * 100 + b"1" + b"}" * 100
    assert files.json_depth(deep, 32) == 100


def test_structure_depth_does_not_recurse():
    value: list = []
    for _ in range(100_000):
        value = [value]
    assert files.structure_depth(value, 50)
    assert not files.structure_depth({"a": [[1, 2]], "b": 3}, 3)


def test_permission_denied_while_writing_is_one_line(tmp_path, monkeypatch):
    def denied(fd, data):
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(files, "_write_chunk", denied)
    with pytest.raises(FileError) as info:
        files.write_file(tmp_path / "out.json", "x")
    assert str(info.value) == (
        f"output {str(tmp_path / 'out.json')!r}: permission denied; choose a file and folder "
        f"you may write to."
    )
    assert leftovers(tmp_path) == []
