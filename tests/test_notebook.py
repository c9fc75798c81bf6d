"""Jupyter: rich HTML of a run, a step, a comparison and a sweep; the scrubber; the example notebook."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import glassnet
from glassnet import notebook

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE = EXAMPLES / "seed_post.ipynb"


@pytest.fixture(scope="module")
def short_run() -> glassnet.Run:
    return glassnet.Experiment(iterations=1000).run(engine="numpy")


def test_run_html_has_summary_curve_and_worked_step(short_run: glassnet.Run) -> None:
    page = short_run._repr_html_()
    assert "layers [3, 1], sigmoid, bias [False]" in page
    assert "1,000 updates, learning rate 1" in page
    assert f"{short_run.final_error_sum:.8f}" in page
    assert "<svg" in page and "<?xml" not in page  # the error curve, inline
    assert "iteration #1 worked by hand" in page
    assert "0.90948611" in page  # W after the update of #1 (the seed post's)


def test_step_html_writes_the_arithmetic_out(short_run: glassnet.Run) -> None:
    page = short_run.step(1)._repr_html_()
    assert "z[0,0] = (0 * 0.6742) + (0 * -0.3347) + (1 * -0.4047) = -0.404695" in page
    assert "z[3,0] = (1 * 0.6742) + (1 * -0.3347) + (1 * -0.4047) = -0.0651878" in page
    for number in ("0.40018475", "0.32312967", "0.56698066", "0.48370881", "0.23524790"):
        assert number in page
    assert "derivative f&#x27;(z) = a*(1-a)" in page


def test_step_html_only_reads_the_step(
    short_run: glassnet.Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    step = short_run.step(7)

    def no_math(*args: object, **kwargs: object) -> None:
        raise AssertionError("a renderer recomputed the network")

    import glassnet.network as network

    for name in ("forward", "backward", "updates"):
        monkeypatch.setattr(network, name, no_math)
    page = notebook.step_html(step)
    assert f"{step.layers[0].W_after[0, 0]:.8f}" in page


def test_big_layers_are_cut_to_a_readable_size() -> None:
    run = glassnet.Experiment(dataset="xor", layers=[3, 12, 1], seed=1, iterations=5).run()
    page = notebook.step_html(run.step(1))
    # layer 0: 12 units, the first 8 written; layer 1 reads 12 inputs: 8 terms and "4 more"
    assert page.count("z[0,") == notebook.MAX_TERMS + 1
    assert "… 4 more" in page


def test_run_with_held_out_examples_shows_test_error() -> None:
    pytest.importorskip("sklearn")
    run = glassnet.Experiment(
        dataset="iris",
        layers=[4, 3],
        standardize=True,
        test_fraction=0.25,
        iterations=20,
        learning_rate=0.01,
    ).run()
    page = run._repr_html_()
    assert "held-out examples" in page and "36" in page
    assert f"{run.final_test_error_sum:.8f}" in page
    assert "…" in page  # 112 training examples: only the first rows are shown


def test_comparison_html(short_run: glassnet.Run) -> None:
    page = short_run.compare(
        glassnet.Experiment(iterations=1000, learning_rate=0.5).run()
    )._repr_html_()
    assert "first difference: iteration #1: the weights differ" in page
    assert "<svg" in page


def test_sweep_html_shows_each_learning_rate_and_weight() -> None:
    sweep_mod = pytest.importorskip("glassnet.sweep")
    sw = sweep_mod.sweep(
        None, seeds=range(6), learning_rates=[0.5, 1.0], iterations=300, engine="numpy"
    )
    page = sw._repr_html_()
    assert "sweep: 12 networks, layers [3, 1], 6 seeds (0 … 5) x 2 learning rate(s)" in page
    for summary in sw.summaries():
        d = summary.final_error_sum
        assert f"{d.median:.6f} [{d.p05:.6f}, {d.p95:.6f}]" in page
        w = summary.weights[0]
        assert f"<td>{w.name}</td><td>{w.mean:.4f}</td><td>{w.std:.4f}</td>" in page
    assert page.count("final weights over 6 seeds") == 2


def test_scrubber_moves_through_iterations(short_run: glassnet.Run) -> None:
    pytest.importorskip("ipywidgets")
    box = notebook.scrubber(short_run)
    slider, view = box.children
    assert slider.max == 1000 and "iteration #1:" in view.value
    slider.value = 500
    assert "iteration #500:" in view.value
    assert f"{short_run.step(500).loss:.8f}" in view.value


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


def test_example_notebook_reproduces_the_seed_post(kernel_name: str) -> None:
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
