"""`clinicwatch rescore` is idempotent; `clinicwatch train` reproduces the shipped model's behaviour.

Why behaviour and not bytes (issue 13): a weight's last stored digit depends on the CPU and the
numeric libraries, so a retrain on another machine may write different bytes and still be the same
model. The digest in the classifier version is taken from the rounded content for the same reason.
"""
from __future__ import annotations

import json
import random
import re
import shutil

from click.testing import CliRunner

from crawler.classify import CLASSIFIER_VERSION
from crawler.classify.learned import MODEL_PATH, WEIGHT_DIGITS, LearnedModel, content_digest
from crawler.classify.model_check import compare_models
from crawler.store.schema import open_db
from scheduler.cli import cli


def test_rescore_is_idempotent_and_keeps_history(demo_crawl, tmp_path):
    source, _, _ = demo_crawl
    db_path = tmp_path / "copy.db"
    shutil.copy(source, db_path)
    db = open_db(db_path)
    versions = db.execute("SELECT COUNT(*) FROM page_versions").fetchone()[0]
    # Pretend an older classifier scored everything: rescoring must add the current version's rows.
    db.execute("UPDATE page_scores SET classifier_version = 'old-0'")
    db.execute("UPDATE claims SET classifier_version = 'old-0'")
    db.close()
    first = CliRunner().invoke(cli, ["--db", str(db_path), "rescore"])
    assert first.exit_code == 0, first.output
    assert f"{versions} page versions scored, 0 already scored" in first.output
    second = CliRunner().invoke(cli, ["--db", str(db_path), "rescore"])
    assert f"0 page versions scored, {versions} already scored" in second.output
    db = open_db(db_path)
    counts = dict(db.execute("SELECT classifier_version, COUNT(*) FROM page_scores GROUP BY 1").fetchall())
    assert counts == {"old-0": versions, CLASSIFIER_VERSION: versions}  # old scores kept as history
    claims = db.execute("SELECT COUNT(*) FROM claims WHERE classifier_version = ?", [CLASSIFIER_VERSION]).fetchone()[0]
    forced = CliRunner().invoke(cli, ["--db", str(db_path), "rescore", "--force"])
    assert f"{versions} page versions scored" in forced.output
    assert db.execute("SELECT COUNT(*) FROM claims WHERE classifier_version = ?",
                      [CLASSIFIER_VERSION]).fetchone()[0] == claims  # replaced, not duplicated


def _jiggle(value, rng: random.Random, unit: float):
    """Every float moved one `unit` up or down at random: what another CPU's retrain may do at most."""
    if isinstance(value, float):
        return round(value + rng.choice((-unit, unit)), WEIGHT_DIGITS)
    if isinstance(value, list):
        return [_jiggle(v, rng, unit) for v in value]
    return value


def test_retrain_behaves_like_the_shipped_artifact(tmp_path):
    out = tmp_path / "model.json"
    result = CliRunner().invoke(cli, ["train", "--out", str(out)])
    assert result.exit_code == 0, result.output
    comparison = compare_models(LearnedModel.load(MODEL_PATH), LearnedModel.load(out))
    assert comparison.pages >= 100 and comparison.sentences >= 1000  # the whole corpus, both splits
    assert comparison.same_behaviour, "retrain (clinicwatch train) and commit the artifact\n" + comparison.describe()
    assert MODEL_PATH.stat().st_size < 20 * 1024 * 1024


def test_artifact_numbers_are_stored_at_the_documented_precision():
    text = MODEL_PATH.read_text(encoding="utf-8")
    decimals = {len(m) for m in re.findall(r"\d\.(\d+)", text)}
    assert decimals and max(decimals) <= WEIGHT_DIGITS


def test_last_digit_noise_keeps_the_behaviour_and_a_real_change_does_not():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    shipped = LearnedModel.from_json(data)
    noisy = dict(data)
    rng = random.Random(13)
    for key in ("gram_weights", "rule_weights", "bias"):
        noisy[key] = _jiggle(data[key], rng, 10 ** -WEIGHT_DIGITS)
    assert compare_models(shipped, LearnedModel.from_json(noisy)).same_behaviour
    # A model that leans towards "negates" is a different model, and the check says so.
    leaning = dict(data, bias=[b + (3.0 if i == 2 else 0.0) for i, b in enumerate(data["bias"])])
    comparison = compare_models(shipped, LearnedModel.from_json(leaning))
    assert not comparison.same_behaviour and comparison.stance_differences


def test_digest_names_the_rounded_weights_not_their_spelling():
    data = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    digest = content_digest(data)
    assert LearnedModel.load(MODEL_PATH).digest == digest
    assert CLASSIFIER_VERSION.endswith(f"+model-{digest}")
    # Another spelling of the same content: key order, spacing, noise below the stored precision.
    respelled = {k: data[k] for k in sorted(data, reverse=True)}
    respelled["bias"] = [b + 1e-9 for b in data["bias"]]
    assert content_digest(json.loads(json.dumps(respelled, indent=2))) == digest
    # A weight changed at the stored precision is a new classifier.
    changed = dict(data, bias=[data["bias"][0] + 10 ** -WEIGHT_DIGITS] + data["bias"][1:])
    assert content_digest(changed) != digest


def test_train_check_compares_a_fresh_training_with_the_shipped_model():
    result = CliRunner().invoke(cli, ["train", "--check"])
    assert result.exit_code == 0, result.output
    assert "same behaviour" in result.output and "0 stance and 0 flag differences" in result.output
