"""Claim and clinic events computed from real runs stored with the writer and the real classifier."""
from __future__ import annotations

from pathlib import Path

import pytest

from crawler.classify import score
from crawler.extract import ExtractedPage
from crawler.store.events import RunEvents, claim_key, record_run_events
from crawler.store.schema import open_db
from crawler.store.writer import finish_run, known_hashes, record_fetch, start_run, store_page

HOME = "https://clinic.example/"
TREAT = "https://clinic.example/treatments"
AUTISM = "We treat autism with stem cells."
KNEE = "Our stem cell therapy treats knee arthritis."
PARKINSON = "Stem cell therapy improves symptoms of Parkinson disease."
HARMLESS = "Welcome to our clinic. Our opening hours are 9 to 5."


class Site:
    """One clinic crawled run after run; each run's pages are given as url -> text or HTTP error status."""

    def __init__(self, path: Path) -> None:
        self.db = open_db(path)
        self.clinic_id = int(self.db.execute(
            "INSERT INTO clinics (name, seed_urls, domains, created_at, updated_at)"
            " VALUES ('Clinic', ?, 'clinic.example', '2024-01-01T00:00:00Z', '2024-01-01T00:00:00Z')",
            [HOME]).lastrowid)
        self.day = 0
        self.outcomes: dict[str, str] = {}

    def crawl(self, pages: dict[str, str | int], extra: list[tuple[str, str, str]] = ()) -> int:
        self.day += 1
        at = f"2024-01-{self.day:02d}T00:00:00Z"
        run_id = start_run(self.db)
        for url, content in pages.items():
            if isinstance(content, int):
                record_fetch(self.db, run_id, self.clinic_id, url, content, "error",
                             f"HttpError: Ignoring non-200 response ({content})", fetched_at=at)
                continue
            page = ExtractedPage(title="Clinic", text=content, language="en", published="", description="",
                                 structured="", extractor="plain")
            result = None if page.content_hash in known_hashes(self.db, url) else score(page.text, title=page.title)
            self.outcomes[url] = store_page(self.db, run_id=run_id, clinic_id=self.clinic_id, url=url,
                                            http_status=200, fetched_at=at, body_bytes=len(content), page=page,
                                            result=result)
        for url, outcome, error in extra:
            record_fetch(self.db, run_id, self.clinic_id, url, None, outcome, error, fetched_at=at)
        finish_run(self.db, run_id, "finished")
        return run_id

    def run(self, pages: dict[str, str | int], **kwargs) -> tuple[int, RunEvents]:
        run_id = self.crawl(pages, kwargs.pop("extra", []))
        return run_id, record_run_events(self.db, run_id, now=f"2024-01-{self.day:02d}T01:00:00Z", **kwargs)

    def claim_events(self, run_id: int) -> list[tuple[str, str, str, str | None, str]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT event, sentence, category, condition, url FROM claim_events WHERE run_id = ? ORDER BY id",
            [run_id]).fetchall()]

    def clinic_events(self, run_id: int) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.execute(
            "SELECT event, detail FROM clinic_events WHERE run_id = ? ORDER BY id", [run_id]).fetchall()]

    def state(self) -> dict[str, tuple]:
        return {r[0]: tuple(r[1:]) for r in self.db.execute(
            "SELECT claim_key, sentence, url, first_run_id, last_run_id FROM clinic_claims WHERE clinic_id = ?",
            [self.clinic_id]).fetchall()}

    def asserted(self, text: str) -> set[tuple[str, str, str | None]]:
        return {(c.sentence, c.category, c.condition) for c in score(text).claims if c.stance == "asserts"}


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "t.db")


def test_claim_key_ignores_cosmetic_differences():
    key = claim_key("Our stem cells cure diabetes.", "cure", "diabetes")
    assert key == claim_key("  OUR stem   cells\ncure diabetes!", "cure", "diabetes")
    assert key == claim_key("«Our stem-cells cure diabetes»", "cure", "diabetes")
    assert key != claim_key("Our stem cells cure diabetes.", "unapproved_indication", "diabetes")
    assert key != claim_key("Our stem cells cure diabetes.", "cure", None)
    assert key != claim_key("Our stem cells cure autism.", "cure", "diabetes")
    assert len(key) == 40 and claim_key("Is it safe?", "risk_minimisation", None) == claim_key(
        "is it safe", "risk_minimisation", "")


def test_first_run_adds_every_claim_and_flags(site):
    run, events = site.run({HOME: AUTISM, TREAT: f"{KNEE} Our stem cells cure diabetes."})
    expected = {(s, c, k) for s, c, k in site.asserted(AUTISM) | site.asserted(f"{KNEE} Our stem cells cure diabetes.")}
    added = site.claim_events(run)
    assert {e[1:4] for e in added} == expected and {e[0] for e in added} == {"added"}
    assert len(added) == len(expected) == events.added and events.removed == 0
    assert {(e[1], e[4]) for e in added} >= {(AUTISM, HOME), (KNEE, TREAT)}
    assert [e for e, _ in site.clinic_events(run)] == ["newly_flagged"]
    assert events.clinic_events == {"newly_flagged": 1} and events.clinics == events.reached == 1
    assert {v[2:] for v in site.state().values()} == {(run, run)}


def test_identical_rerun_changes_nothing(site):
    site.run({HOME: AUTISM, TREAT: KNEE})
    before = site.state()
    run, events = site.run({HOME: AUTISM, TREAT: KNEE})
    assert set(site.outcomes.values()) == {"unchanged"}
    assert site.claim_events(run) == [] and site.clinic_events(run) == []
    assert (events.added, events.removed, events.clinic_events) == (0, 0, {})
    assert {k: v[:3] for k, v in site.state().items()} == {k: v[:3] for k, v in before.items()}
    assert {v[3] for v in site.state().values()} == {run}


def test_cosmetic_edit_is_not_a_change(site):
    first, _ = site.run({HOME: AUTISM, TREAT: f"{KNEE} {PARKINSON}"})
    run, events = site.run({HOME: "  WE TREAT autism   with stem-cells!", TREAT: f"{PARKINSON.upper()}\n{KNEE}"})
    assert site.outcomes[HOME] == site.outcomes[TREAT] == "stored"
    assert site.claim_events(run) == [] and (events.added, events.removed) == (0, 0)
    assert site.clinic_events(run) == []  # still flagged: not newly
    assert {v[2:] for v in site.state().values()} == {(first, run)}


def test_dropping_one_claim_and_adding_another(site):
    site.run({HOME: AUTISM, TREAT: KNEE})
    run, events = site.run({HOME: AUTISM, TREAT: PARKINSON})
    assert site.claim_events(run) == [
        ("removed", KNEE, "unapproved_indication", "osteoarthritis", TREAT),
        ("added", PARKINSON, "unapproved_indication", "parkinsons", TREAT),
    ]
    assert (events.added, events.removed) == (1, 1)
    assert {v[0] for v in site.state().values()} == {AUTISM, PARKINSON}


def test_page_gone_or_missing_removes_its_claims_when_clinic_reached(site):
    site.run({HOME: AUTISM, TREAT: KNEE})
    run, _ = site.run({HOME: AUTISM, TREAT: 404})
    assert site.claim_events(run) == [("removed", KNEE, "unapproved_indication", "osteoarthritis", TREAT)]
    run, _ = site.run({HOME: AUTISM, TREAT: KNEE})
    assert [e[0] for e in site.claim_events(run)] == ["added"]
    run, _ = site.run({HOME: AUTISM})  # treatments page not fetched this time
    assert [e[:2] for e in site.claim_events(run)] == [("removed", KNEE)]


def test_stopped_claiming_then_flagged_again(site):
    site.run({HOME: AUTISM, TREAT: KNEE})
    run, events = site.run({HOME: HARMLESS, TREAT: HARMLESS})
    assert sorted(e[1] for e in site.claim_events(run)) == sorted([AUTISM, KNEE])
    assert site.clinic_events(run) == [("stopped_claiming", "2 asserted claims no longer made")]
    assert events.removed == 2 and site.state() == {}
    run, _ = site.run({HOME: HARMLESS, TREAT: HARMLESS})
    assert site.clinic_events(run) == []  # nothing to stop any more
    run, _ = site.run({HOME: HARMLESS, TREAT: KNEE})
    assert site.clinic_events(run) == [("newly_flagged", TREAT)]


def test_unreachable_three_times_is_gone_once_and_keeps_claims(site):
    first, _ = site.run({HOME: AUTISM, TREAT: KNEE})
    state = site.state()
    kinds = []
    for _ in range(4):
        run, events = site.run({HOME: 503, TREAT: 503})
        kinds.append([e for e, _ in site.clinic_events(run)])
        assert site.claim_events(run) == [] and site.state() == state
        assert events.reached == 0 and events.clinics == 1
    assert kinds == [["unreachable"], ["unreachable"], ["unreachable", "gone"], ["unreachable"]]
    assert site.clinic_events(run)[0][1] == "HttpError: Ignoring non-200 response (503)"
    # Back online with the same claims: nothing changed, and it was flagged when last reached.
    run, _ = site.run({HOME: AUTISM, TREAT: KNEE})
    assert site.claim_events(run) == [] and site.clinic_events(run) == []
    assert {v[2:] for v in site.state().values()} == {(first, run)}


def test_gone_after_is_configurable(site):
    site.run({HOME: AUTISM})
    run, events = site.run({HOME: 500}, gone_after=1)
    assert events.clinic_events == {"unreachable": 1, "gone": 1}


def test_moved_when_unreachable_with_offsite_redirect(site):
    site.run({HOME: AUTISM})
    offsite = "https://new-clinic.example/"
    error = f"IgnoreRequest: offsite: {offsite} is outside clinic.example"
    run, events = site.run({}, extra=[(offsite, "skipped", error)])
    assert site.clinic_events(run) == [("unreachable", error), ("moved", offsite)]
    run, _ = site.run({HOME: AUTISM}, extra=[(offsite, "skipped", error)])
    assert site.clinic_events(run) == []  # reached: an offsite link is not a move


def test_flag_history_follows_content_reverts(site):
    """Unchanged fetches (no new version) still count as flagged or not, by what they re-saw."""
    site.run({HOME: AUTISM})
    site.run({HOME: HARMLESS})
    run, _ = site.run({HOME: AUTISM})
    assert site.outcomes[HOME] == "unchanged"  # the first version again
    assert site.clinic_events(run) == [("newly_flagged", HOME)]
    for _ in range(2):
        run, _ = site.run({HOME: AUTISM})
        assert site.clinic_events(run) == [] and site.claim_events(run) == []


def test_recording_twice_is_idempotent(site):
    site.run({HOME: AUTISM, TREAT: KNEE})
    run, events = site.run({HOME: AUTISM, TREAT: PARKINSON})
    claims, clinics, state = site.claim_events(run), site.clinic_events(run), site.state()
    assert record_run_events(site.db, run, now="2099-01-01T00:00:00Z") == events
    assert (site.claim_events(run), site.clinic_events(run), site.state()) == (claims, clinics, state)
    down, events = site.run({HOME: 503})
    assert record_run_events(site.db, down) == events and len(site.clinic_events(down)) == 1
    # An older run is never re-diffed against newer state.
    assert record_run_events(site.db, run) == record_run_events(site.db, run)
    assert site.claim_events(run) == claims


def test_unknown_run_and_empty_run(site):
    with pytest.raises(LookupError):
        record_run_events(site.db, 999)
    run, events = site.run({})
    assert events == RunEvents(run)
    assert "0 clinics" in events.summary()


def test_negated_claims_are_not_tracked(site):
    run, events = site.run({HOME: "There is no evidence that stem cells cure diabetes."})
    assert site.claim_events(run) == [] and site.clinic_events(run) == []
