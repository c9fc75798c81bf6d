"""glassnet.schema: the one documented list of experiment keys; the template and the docs come
from it and cannot drift."""

from __future__ import annotations

from pathlib import Path

import glassnet
from glassnet import config, schema
from glassnet.cli import main

DOCS = Path(__file__).resolve().parents[2] / "docs" / "experiment.md"


def test_the_parser_accepts_exactly_the_documented_keys():
    documented = {(k.section, k.name) for k in schema.KEYS}
    parsed = {(s, k) for s, ks in config.SCHEMA.items() for k in ks}
    parsed |= {("edits", k) for k in config.EDIT_KEYS}
    assert documented == parsed


def test_the_docs_reference_is_current():
    assert DOCS.read_text() == schema.reference(), (
        "docs/experiment.md is behind glassnet.schema: run glassnet init --reference > "
        "docs/experiment.md"
    )


def test_init_writes_a_template_that_runs_as_written(tmp_path, capsys):
    path = tmp_path / "experiment.toml"
    assert main(["init", str(path)]) == 0
    text = path.read_text()
    assert max(len(line) for line in text.splitlines()) <= 100
    for key in schema.KEYS:
        assert f"{key.name} = " in text, key.name
    run = glassnet.Experiment(path).run(iterations=2)
    assert run.step(1).prediction.ravel().round(8).tolist() == [
        0.40018475,
        0.32312967,
        0.56698066,
        0.48370881,
    ]
    post, written = glassnet.Experiment(), glassnet.Experiment(path)
    assert written.network == post.network and written.method == post.method
    assert written.config.train == post.config.train
    assert (written.initial.flat() == post.initial.flat()).all()
    # an existing file is never replaced by accident
    assert main(["init", str(path)]) == 2
    assert "exists; give another name, or --force" in capsys.readouterr().err
    assert main(["init", str(path), "--force"]) == 0
