"""`clinicwatch rescore` is idempotent; `clinicwatch train` reproduces the shipped artifact."""
from __future__ import annotations

import shutil

from click.testing import CliRunner

from crawler.classify import CLASSIFIER_VERSION
from crawler.classify.learned import MODEL_PATH
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


def test_train_reproduces_the_shipped_artifact(tmp_path):
    out = tmp_path / "model.json"
    result = CliRunner().invoke(cli, ["train", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == MODEL_PATH.read_bytes(), "retrain (clinicwatch train) and commit the artifact"
    assert MODEL_PATH.stat().st_size < 20 * 1024 * 1024
