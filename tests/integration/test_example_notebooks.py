"""The example notebooks (examples/*.ipynb) run top to bottom in a fresh kernel: the post's
numbers, and real data beside MLPClassifier.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EXAMPLE = EXAMPLES / "post.ipynb"


def _outputs(nb: object) -> list[str]:
    texts = []
    for cell in nb.cells:  # type: ignore[attr-defined]
        if cell.cell_type != "code":
            continue
        for out in cell.outputs:
            assert out.output_type != "error", "".join(out.get("traceback", []))
            if out.output_type == "stream":
                texts.append(out.text)
    return texts


@pytest.fixture(scope="module")
def kernel_name(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A kernelspec for this very interpreter (the .venv's, with the checkout's glassnet).

    "python3" could resolve to a user-installed kernelspec of another Python,
    so the tests register their own in a temporary JUPYTER_PATH folder.
    """
    pytest.importorskip("ipykernel")
    import json
    import os
    import sys

    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "glassnet-test"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(
        json.dumps(
            {
                "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "glassnet tests",
                "language": "python",
            }
        )
    )
    before = os.environ.get("JUPYTER_PATH")
    os.environ["JUPYTER_PATH"] = str(root) + ("" if before is None else os.pathsep + before)
    yield "glassnet-test"
    if before is None:
        del os.environ["JUPYTER_PATH"]
    else:
        os.environ["JUPYTER_PATH"] = before


def execute(path: Path, kernel_name: str) -> object:
    """Run a notebook top to bottom in a fresh kernel; return it with its outputs."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=300, kernel_name=kernel_name, resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    return nb


def test_example_notebook_reproduces_the_post(kernel_name: str) -> None:
    nb = execute(EXAMPLE, kernel_name)
    printed = "".join(_outputs(nb))
    for line in (
        "weights: [ 0.67423821 -0.33473064 -0.40469539]",
        "l1 probability predictions (sigmoid): [0.40018475 0.32312967 0.56698066 0.48370881]",
        "OLD l1 probability predictions (sigmoid): [0.36672394 0.27408027 0.46173529 0.35868411]",
        "(0 * 0.674) + (1 * -0.335) + (1 * -0.405) = -0.7394",
        "NEW l1_error: [-0.40018475 -0.32312967  0.43301934  0.51629119]",
        "sum of absolute errors: 1.82038481 -> 1.67262494",
        "post-update weights: [ 0.90948611 -0.27646878 -0.33618051]",
        "error after 10,000 iterations (#9999): 0.03182",
        "error after 100,000 iterations (#99999): 0.00995",
        "weights (after 100,000 iterations): [12.0087 -0.2045 -5.8002]",
        "(1 * 12.01) + (0 * -0.20) + (1 * -5.80) = 6.2   sigmoid -> 0.998",
        "explain(1) identical after loading: True",
    ):
        assert line in printed, line
    kinds = {
        key
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        for key in out.get("data", {})
    }
    assert "image/png" in kinds  # the error figure
    assert "text/html" in kinds  # the run, the step and the comparison


def test_real_data_notebook_compares_with_mlpclassifier(kernel_name: str) -> None:
    pytest.importorskip("sklearn")
    nb = execute(EXAMPLES / "real_data.ipynb", kernel_name)
    printed = "".join(_outputs(nb))
    assert "427 training and 142 held-out examples" in printed
    assert "test accuracy: 0.9789" in printed
    assert "GlassNetClassifier test accuracy: 0.9789" in printed
    assert "MLPClassifier test accuracy:      0.9859" in printed
    assert "---------ITERATION #1-------------" in printed
    assert "0 the initial weights differ" in printed
