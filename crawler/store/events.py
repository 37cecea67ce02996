"""Claim and clinic events: what changed for each clinic between its crawls.

Researchers follow clinics over time and read changes ("this clinic started claiming to cure
autism", "this clinic went offline"), not raw per-run claim dumps. The diff is computed once per
run from what the run stored, against the per-clinic state in `clinic_claims`, so every report
reads the same events. A claim is identified by `claim_key`, which ignores cosmetic edits
(whitespace, casing, punctuation, position on the page) so those never show up as changes.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Sequence

import sqlite_utils

from crawler.store.writer import utc_now

CLINIC_EVENTS = ("newly_flagged", "stopped_claiming", "unreachable", "gone", "moved")
OK_OUTCOMES = ("stored", "unchanged")
# A page answering these is gone: its claims are no longer made (whatever the fetch_log outcome).
GONE_STATUSES = (404, 410)
_OK_SQL = "outcome IN ('stored','unchanged') AND COALESCE(status, 0) NOT IN (404, 410)"
_NON_WORD = re.compile(r"[\W_]+")


def normalise_sentence(sentence: str) -> str:
    """Casefolded words separated by single spaces: cosmetic edits must not change a claim's identity."""
    text = unicodedata.normalize("NFKC", sentence).casefold()
    return _NON_WORD.sub(" ", text).strip()


def claim_key(sentence: str, category: str, condition: str | None) -> str:
    """Stable identity of a claim across runs (sha1 hex of normalised sentence, category, condition)."""
    material = "\x1f".join([normalise_sentence(sentence), category or "", condition or ""])
    return hashlib.sha1(material.encode("utf-8")).hexdigest()


@dataclass
class RunEvents:
    """Counts of the events a run produced, for the CLI to print."""

    run_id: int
    clinics: int = 0  # clinics the run covered (any fetch_log row)
    reached: int = 0  # ... of which at least one page was fetched OK
    added: int = 0
    removed: int = 0
    clinic_events: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        kinds = ", ".join(f"{k} {self.clinic_events[k]}" for k in CLINIC_EVENTS if self.clinic_events.get(k))
        return (f"run {self.run_id}: {self.clinics} clinics ({self.reached} reached), claims +{self.added}"
                f" -{self.removed}" + (f"; {kinds}" if kinds else ""))


def _ok(row: Sequence[Any]) -> bool:
    """fetch_log row (id, clinic_id, url, status, outcome, error) that fetched live content."""
    return row[4] in OK_OUTCOMES and (row[3] or 0) not in GONE_STATUSES


def _best_score(db: sqlite_utils.Database, version_id: int) -> tuple[str, int] | None:
    """(classifier_version, flagged) of the newest scoring of a version: rescoring supersedes."""
    row = db.execute(
        "SELECT classifier_version, flagged FROM page_scores WHERE version_id = ?"
        " ORDER BY scored_at DESC, classifier_version DESC LIMIT 1", [version_id]).fetchone()
    return (row[0], int(row[1] or 0)) if row else None


def _current_pages(db: sqlite_utils.Database, clinic_id: int, run_id: int,
                   ok_urls: set[str]) -> list[tuple[str, int, str, int]]:
    """(url, version_id, classifier_version, flagged) of the clinic's pages fetched OK in this run."""
    found = []
    for url, version_id in db.execute(
            "SELECT url, current_version_id FROM pages WHERE clinic_id = ? AND last_run_id = ?"
            " AND current_version_id IS NOT NULL ORDER BY url", [clinic_id, run_id]).fetchall():
        if url in ok_urls:
            best = _best_score(db, version_id)
            if best is not None:
                found.append((url, version_id, best[0], best[1]))
    return found


def _current_claims(db: sqlite_utils.Database, pages: list[tuple[str, int, str, int]]) -> dict[str, dict[str, Any]]:
    """Asserted claims by key; a claim repeated on several pages is one claim (first URL wins)."""
    claims: dict[str, dict[str, Any]] = {}
    for url, version_id, classifier_version, _flagged in pages:
        for sentence, category, condition in db.execute(
                "SELECT sentence, category, condition FROM claims WHERE version_id = ? AND classifier_version = ?"
                " AND stance = 'asserts' ORDER BY span_start, id", [version_id, classifier_version]).fetchall():
            claims.setdefault(claim_key(sentence, category, condition),
                              {"sentence": sentence, "category": category, "condition": condition, "url": url})
    return claims


def _flagged_at(db: sqlite_utils.Database, clinic_id: int, run_id: int) -> bool:
    """Whether the clinic had a flagged page in an earlier run, reconstructed from fetch times.

    The schema does not record which version a fetch saw; a fetch at time t saw the version
    created then, else the newest one whose [fetched_at, last_seen] interval contains t.
    """
    for url, outcome, fetched_at in db.execute(
            f"SELECT url, outcome, fetched_at FROM fetch_log WHERE run_id = ? AND clinic_id = ? AND {_OK_SQL}",
            [run_id, clinic_id]).fetchall():
        row = db.execute(
            "SELECT v.id FROM page_versions v JOIN pages p ON p.id = v.page_id WHERE p.url = ? AND v.fetched_at <= ?"
            " ORDER BY (v.run_id = ? AND ? = 'stored') DESC, (v.last_seen >= ?) DESC, v.fetched_at DESC, v.id DESC"
            " LIMIT 1", [url, fetched_at, run_id, outcome, fetched_at]).fetchone()
        best = _best_score(db, row[0]) if row else None
        if best is not None and best[1]:
            return True
    return False


def _previous_reached_run(db: sqlite_utils.Database, clinic_id: int, run_id: int) -> int | None:
    return db.execute(f"SELECT MAX(run_id) FROM fetch_log WHERE clinic_id = ? AND run_id < ? AND {_OK_SQL}",
                      [clinic_id, run_id]).fetchone()[0]


def _unreachable_streak(db: sqlite_utils.Database, clinic_id: int, run_id: int, limit: int) -> int:
    """How many of the clinic's covered runs up to this one, newest first, reached nothing."""
    streak = 0
    for _run, reached in db.execute(
            f"SELECT run_id, MAX({_OK_SQL}) FROM fetch_log WHERE clinic_id = ? AND run_id <= ?"
            " GROUP BY run_id ORDER BY run_id DESC LIMIT ?", [clinic_id, run_id, limit + 1]).fetchall():
        if reached:
            break
        streak += 1
    return streak


def _already_recorded(db: sqlite_utils.Database, clinic_id: int, run_id: int) -> bool:
    """True when this run (or a later one) already wrote the clinic's events or state.

    Makes a second call a no-op, and refuses to diff an old run against newer state.
    """
    return db.execute(
        "SELECT EXISTS (SELECT 1 FROM claim_events WHERE clinic_id = :c AND run_id >= :r)"
        " OR EXISTS (SELECT 1 FROM clinic_events WHERE clinic_id = :c AND run_id >= :r)"
        " OR EXISTS (SELECT 1 FROM clinic_claims WHERE clinic_id = :c AND last_run_id >= :r)"
        " OR EXISTS (SELECT 1 FROM pages WHERE clinic_id = :c AND last_run_id > :r)",
        {"c": clinic_id, "r": run_id}).fetchone()[0] == 1


def _clinic_event(db: sqlite_utils.Database, run_id: int, clinic_id: int, event: str, detail: str, at: str) -> None:
    db.execute("INSERT INTO clinic_events (run_id, clinic_id, event, detail, at) VALUES (?,?,?,?,?)",
               [run_id, clinic_id, event, detail, at])


def _claim_event(db: sqlite_utils.Database, run_id: int, clinic_id: int, event: str, key: str,
                 claim: dict[str, Any], at: str) -> None:
    db.execute(
        "INSERT INTO claim_events (run_id, clinic_id, event, claim_key, sentence, category, condition, url, at)"
        " VALUES (?,?,?,?,?,?,?,?,?)",
        [run_id, clinic_id, event, key, claim["sentence"], claim["category"], claim["condition"], claim["url"], at])


def _unreachable(db: sqlite_utils.Database, run_id: int, clinic_id: int, rows: list[Any], gone_after: int,
                 at: str) -> None:
    """A clinic nothing could be fetched from: report it, but leave its claims as they were."""
    failed = sorted(rows, key=lambda r: (r[4] != "error", r[0]))[0]
    detail = failed[5] or (f"HTTP {failed[3]}" if failed[3] else failed[4])
    _clinic_event(db, run_id, clinic_id, "unreachable", detail, at)
    if _unreachable_streak(db, clinic_id, run_id, gone_after) == gone_after:
        _clinic_event(db, run_id, clinic_id, "gone", f"unreachable in its last {gone_after} runs", at)
    offsite = next((r for r in rows if r[4] == "skipped" and "offsite:" in (r[5] or "")), None)
    if offsite is not None:
        _clinic_event(db, run_id, clinic_id, "moved", offsite[2], at)


def _reached(db: sqlite_utils.Database, run_id: int, clinic_id: int, ok_urls: set[str], at: str) -> None:
    """Diff the clinic's asserted claims against its state, then make the state current."""
    pages = _current_pages(db, clinic_id, run_id, ok_urls)
    current = _current_claims(db, pages)
    state = {row["claim_key"]: row for row in db.query(
        "SELECT claim_key, sentence, category, condition, url FROM clinic_claims WHERE clinic_id = ?", [clinic_id])}
    for key in sorted(state.keys() - current.keys(), key=lambda k: (state[k]["url"] or "", state[k]["sentence"])):
        _claim_event(db, run_id, clinic_id, "removed", key, state[key], at)
        db.execute("DELETE FROM clinic_claims WHERE clinic_id = ? AND claim_key = ?", [clinic_id, key])
    for key, claim in current.items():  # pages by URL, claims in page order
        if key in state:
            db.execute("UPDATE clinic_claims SET sentence = ?, url = ?, last_run_id = ? WHERE clinic_id = ?"
                       " AND claim_key = ?", [claim["sentence"], claim["url"], run_id, clinic_id, key])
            continue
        _claim_event(db, run_id, clinic_id, "added", key, claim, at)
        db.execute(
            "INSERT INTO clinic_claims (clinic_id, claim_key, sentence, category, condition, url, first_run_id,"
            " last_run_id) VALUES (?,?,?,?,?,?,?,?)",
            [clinic_id, key, claim["sentence"], claim["category"], claim["condition"], claim["url"], run_id, run_id])
    flagged = [url for url, _v, _c, is_flagged in pages if is_flagged]
    if flagged:
        previous = _previous_reached_run(db, clinic_id, run_id)
        if previous is None or not _flagged_at(db, clinic_id, previous):
            _clinic_event(db, run_id, clinic_id, "newly_flagged", " ".join(flagged), at)
    if state and not current:
        _clinic_event(db, run_id, clinic_id, "stopped_claiming", f"{len(state)} asserted claims no longer made", at)


def record_run_events(db: sqlite_utils.Database, run_id: int, *, gone_after: int = 3,
                      now: str | None = None) -> RunEvents:
    """Write the claim and clinic events of one finished run, in one transaction; safe to call again.

    Covered clinics are those with any fetch_log row in the run. A clinic that was reached
    (some page fetched OK) has its claims diffed; one that was not keeps its claims untouched,
    since a failed fetch says nothing about what the clinic claims.
    """
    if gone_after < 1:
        raise ValueError("gone_after must be at least 1")
    if db.execute("SELECT 1 FROM runs WHERE id = ?", [run_id]).fetchone() is None:
        raise LookupError(f"no run {run_id}")
    at = now or utc_now()
    result = RunEvents(run_id)
    with db.atomic():
        rows = db.execute("SELECT id, clinic_id, url, status, outcome, error FROM fetch_log"
                          " WHERE run_id = ? AND clinic_id IS NOT NULL ORDER BY id", [run_id]).fetchall()
        by_clinic: dict[int, list[Any]] = {}
        for row in rows:
            by_clinic.setdefault(row[1], []).append(row)
        for clinic_id, clinic_rows in sorted(by_clinic.items()):
            ok_urls = {r[2] for r in clinic_rows if _ok(r)}
            result.clinics += 1
            result.reached += bool(ok_urls)
            if _already_recorded(db, clinic_id, run_id):
                continue
            if ok_urls:
                _reached(db, run_id, clinic_id, ok_urls, at)
            else:
                _unreachable(db, run_id, clinic_id, clinic_rows, gone_after, at)
        # Counted from the tables, so a repeated call reports the same numbers.
        claims = dict(db.execute("SELECT event, COUNT(*) FROM claim_events WHERE run_id = ? GROUP BY event",
                                 [run_id]).fetchall())
        result.added, result.removed = claims.get("added", 0), claims.get("removed", 0)
        result.clinic_events = {event: count for event, count in db.execute(
            "SELECT event, COUNT(*) FROM clinic_events WHERE run_id = ? GROUP BY event", [run_id]).fetchall()}
    return result


def run_event_counts(db: sqlite_utils.Database, run_id: int) -> dict[str, int]:
    """Events recorded for a run, by kind ("claims added", "newly_flagged" ...), for summaries."""
    counts = {f"claims {event}": n for event, n in db.execute(
        "SELECT event, COUNT(*) FROM claim_events WHERE run_id = ? GROUP BY event ORDER BY event", [run_id])}
    counts.update(db.execute(
        "SELECT event, COUNT(*) FROM clinic_events WHERE run_id = ? GROUP BY event ORDER BY event", [run_id]).fetchall())
    return counts
