"""Report and canned-query cost on a 100,000-page DB (a benchmark: prints figures, asserts nothing).

Builds a synthetic ClinicWatch DB with the real schema (`crawler.store.schema.open_db`): by
default 2,000 clinics x 50 pages, two finished runs (run 2 re-fetches everything: most pages
unchanged, some changed or new, a few clinics unreachable), one page version per content,
page scores (some pages also carry an older classifier's score that must be ignored), about
three claims per flagged page (mostly asserted, some negated/reported), the claim and clinic
events and per-clinic claim state the two runs would have produced, and a fetch_log for both
runs. Then it times `reports.render.write_report` and every canned query of
`reports/datasette_meta.py`, run with sqlite3 the way datasette runs them (read-only connection,
first `max_returned_rows + 1` rows fetched; median of --repeat runs after a warm-up, wall and
CPU time: on a shared machine CPU time shows the query's own cost). The "since" queries are
timed with the day run 2 started and again with 2000-01-01 (every event).

    python benchmarks/report_100k.py [--pages 100000] [--clinics 2000] [--out DIR] [--profile]

Prints one `name=value` per line (--profile adds cProfile tables of write_report). The DB
lives in a temp dir removed at the end unless --out is given.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import pstats
import random
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from crawler.classify.lexicon import CATEGORIES, CONDITIONS
from crawler.store.events import claim_key
from crawler.store.schema import open_db
from reports.datasette_meta import QUERIES
from reports.render import write_report
from reports.serve import MAX_RETURNED_ROWS

OLD_CLASSIFIER, NEW_CLASSIFIER = "rules-0.9+bench", "rules-1.0+bench"
RUN1_START, RUN1_END = "2026-11-01T10:00:00Z", "2026-11-01T16:00:00Z"
RUN2_START, RUN2_END = "2026-11-08T10:00:00Z", "2026-11-08T16:00:00Z"
SCORED_OLD = "2026-10-01T00:00:00Z"  # the older classifier scored run-1 pages before run 1 ended
SELLER_SHARE = 0.7  # clinics making claims at all
LATE_SELLER_SHARE = 0.1  # of the others: clinics that start making claims in run 2
FLAGGED_SHARE = 0.4  # pages of a seller that are flagged
CHANGED_SHARE = 0.10  # pages whose content changed in run 2 (new version)
NEW_PAGE_SHARE = 0.04  # pages first seen in run 2
UNREACHABLE_SHARE = 0.01  # clinics nothing could be fetched from in run 2
OLD_SCORE_SHARE = 0.10  # run-1 versions also scored by the older classifier
ERROR_SHARE = 0.005  # extra failing URLs per run
TEXT_PARAGRAPHS = 5  # ~1.5 KB of extracted text per version
COUNTRIES = ["US", "MX", "PA", "DE", "UA", "TH", "CY", "ES", "IN", "CN", "JP", "RU", "GB", "CR", "CO"]
NAME_A = ["Regen", "Vita", "Nordic", "Helix", "Sunrise", "Cellara", "Apex", "Lumen", "Renew", "Zell"]
NAME_B = ["Clinic", "Institute", "Cell Center", "Health", "Biologics", "Stem Care", "Medical Spa"]
SECTIONS = ["treatments", "conditions", "stories", "about", "research", "pricing", "faq", "contact"]
CLAIM_TEMPLATES = [
    "Our stem cell therapy reverses {t}.",
    "Patients with {t} are cured after a single infusion of our mesenchymal cells.",
    "Stem cells regenerate damaged tissue and eliminate {t} permanently.",
    "Our exosome protocol stops the progression of {t} in nine out of ten patients.",
    "Umbilical cord cells repair the root cause of {t} without surgery.",
    "Clinically proven: our cell treatment restores full function in {t}.",
    "We guarantee lasting results for {t} or your next treatment is free.",
    "Thousands of patients have beaten {t} with our regenerative protocol.",
]
CONTEXT_TEMPLATES = [
    ("negates", "Stem cells are not a cure for {t}."),
    ("reports", "Regulators warn that clinics claim to cure {t}."),
]
NEUTRAL = [
    "Our clinic is open Monday to Friday from 8 am to 6 pm and on Saturdays by appointment.",
    "Free parking is available directly in front of the building.",
    "Please bring your previous imaging results and a list of current medications.",
    "Our reception team speaks English, Spanish and German.",
    "Consultations last about forty-five minutes and include a review of your medical history.",
    "We accept payment by bank transfer and all major credit cards.",
    "The clinic was founded in 2012 and moved to its current location in 2019.",
    "Accommodation partners near the clinic offer discounted rates for international patients.",
    "Follow-up visits can be arranged by video call for patients who live abroad.",
    "All procedures take place in our outpatient suite on the second floor.",
    "You can cancel or reschedule an appointment up to 48 hours in advance without charge.",
    "Our laboratory is certified under national tissue handling regulations.",
    "Airport transfers can be booked through our patient coordinator.",
    "Research in this field is ongoing and individual outcomes vary.",
]
CLAIM_CONDITIONS = CONDITIONS[:24]  # the common ones; the real spread is long-tailed too


def _stamp(base: str, rng: random.Random) -> str:
    """A time inside a run: base date with a random hour/minute between 10:00 and 15:59."""
    return f"{base[:11]}{rng.randrange(10, 16):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"


class Builder:
    """Rows of every table, generated in memory, then written with executemany."""

    def __init__(self, n_pages: int, n_clinics: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.n_pages, self.n_clinics = n_pages, n_clinics
        self.paragraphs = [" ".join(self.rng.sample(NEUTRAL, 4)) for _ in range(200)]
        self.rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in (
            "clinics", "runs", "pages", "page_versions", "page_scores", "claims", "fetch_log",
            "clinic_claims", "claim_events", "clinic_events")}
        self.version_id = 0
        # clinic -> run -> {claim_key: (sentence, category, condition, url)}
        self.state: dict[int, dict[int, dict[str, tuple[str, str, str, str]]]] = {}
        self.flagged_in: dict[int, dict[int, list[str]]] = {}

    def build(self) -> None:
        rng = self.rng
        per_clinic, extra = divmod(self.n_pages, self.n_clinics)
        page_id = 0
        for clinic_id in range(1, self.n_clinics + 1):
            name = f"{rng.choice(NAME_A)} {rng.choice(NAME_B)} {clinic_id:05d}"
            host = f"clinic{clinic_id:05d}.example"
            self.rows["clinics"].append((clinic_id, name, rng.choice(COUNTRIES), f"https://{host}/",
                                         host, "bench", 1, RUN1_START, RUN1_START))
            seller = rng.random() < SELLER_SHARE
            late_seller = not seller and rng.random() < LATE_SELLER_SHARE
            unreachable = rng.random() < UNREACHABLE_SHARE
            self.state[clinic_id] = {1: {}, 2: {}}
            self.flagged_in[clinic_id] = {1: [], 2: []}
            for j in range(per_clinic + (1 if clinic_id <= extra else 0)):
                page_id += 1
                url = f"https://{host}/" if j == 0 else f"https://{host}/{SECTIONS[j % 8]}/{j:04d}.html"
                self._page(page_id, clinic_id, url, seller, late_seller, unreachable)
            if unreachable:
                self.state[clinic_id][2] = self.state[clinic_id][1]
                self.rows["fetch_log"].append((None, 2, clinic_id, f"https://{host}/", None, "error",
                                               "TCPTimedOutError: connection timed out", _stamp(RUN2_START, rng)))
                self.rows["clinic_events"].append(
                    (None, 2, clinic_id, "unreachable", "TCPTimedOutError: connection timed out", RUN2_END))
            for run, start in ((1, RUN1_START), (2, RUN2_START)):  # broken links of reachable clinics
                if rng.random() < ERROR_SHARE * per_clinic and not (unreachable and run == 2):
                    self.rows["fetch_log"].append((None, run, clinic_id, f"https://{host}/old-page.html", 404,
                                                   "error", "HTTP 404", _stamp(start, rng)))
            self._events(clinic_id, unreachable)
        n_stored = {1: 0, 2: 0}
        for row in self.rows["page_versions"]:
            n_stored[row[3]] += 1
        for run, (start, end) in ((1, (RUN1_START, RUN1_END)), (2, (RUN2_START, RUN2_END))):
            fetched = sum(1 for r in self.rows["fetch_log"] if r[1] == run)
            errors = sum(1 for r in self.rows["fetch_log"] if r[1] == run and r[5] == "error")
            self.rows["runs"].append((run, start, end, "finished", "", fetched, fetched - errors, n_stored[run],
                                      errors, "finished", json.dumps({"benchmark": True})))

    def _page(self, page_id: int, clinic_id: int, url: str, seller: bool, late_seller: bool,
              unreachable: bool) -> None:
        rng = self.rng
        new_in_run2 = not unreachable and rng.random() < NEW_PAGE_SHARE
        changed = not new_in_run2 and not unreachable and rng.random() < CHANGED_SHARE
        runs = [2] if new_in_run2 else ([1, 2] if changed else [1])
        flagged_page = (seller or late_seller) and rng.random() < FLAGGED_SHARE
        version = None
        for n, run in enumerate(runs):
            version = self._version(page_id, clinic_id, url, run, flagged_page and not (late_seller and run == 1),
                                    n, replaced=changed and run == 1)
        last_run = 1 if unreachable else 2
        first_seen = _stamp(RUN2_START if new_in_run2 else RUN1_START, rng)
        last_seen = _stamp(RUN1_START if unreachable else RUN2_START, rng)
        self.rows["pages"].append((page_id, clinic_id, url, first_seen, last_seen, 200, last_run, version,
                                   f'"{page_id:x}"', None, "[]"))
        if not new_in_run2:
            self.rows["fetch_log"].append((None, 1, clinic_id, url, 200, "stored", None, first_seen))
        if not unreachable:
            outcome = "stored" if (changed or new_in_run2) else "unchanged"
            self.rows["fetch_log"].append((None, 2, clinic_id, url, 200 if outcome == "stored" else 304,
                                           outcome, None, last_seen))

    def _version(self, page_id: int, clinic_id: int, url: str, run: int, flagged_page: bool, n: int,
                 replaced: bool) -> int:
        """One version row with its scores and claims; `replaced` = a run-2 version supersedes it."""
        rng = self.rng
        self.version_id += 1
        vid = self.version_id
        fetched = _stamp(RUN1_START if run == 1 else RUN2_START, rng)
        flagged = flagged_page and (n == 0 or rng.random() < 0.8)  # a changed page may drop its claims
        score = round(rng.uniform(0.55, 0.98), 3) if flagged else round(rng.uniform(0.0, 0.45), 3)
        claims: list[tuple[str, str, str, str, float]] = []  # sentence, category, condition, stance, score
        if flagged:
            for _ in range(rng.choice((1, 2, 3, 3, 4, 5))):
                t = rng.choice(CLAIM_CONDITIONS)
                claims.append((rng.choice(CLAIM_TEMPLATES).format(t=t.replace("_", " ")),
                               rng.choice(CATEGORIES[:4]), t, "asserts", round(rng.uniform(0.5, 0.97), 3)))
            if rng.random() < 0.3:
                stance, template = rng.choice(CONTEXT_TEMPLATES)
                t = rng.choice(CLAIM_CONDITIONS)
                claims.append((template.format(t=t.replace("_", " ")), "cure", t, stance, 0.1))
        elif rng.random() < 0.1:  # a weak claim on an unflagged page
            claims.append(("Book a free consultation today.", "commercial_pressure", "", "asserts", 0.3))
        text = " ".join(rng.sample(self.paragraphs, TEXT_PARAGRAPHS) + [c[0] for c in claims])
        title = f"{SECTIONS[page_id % 8].title()} | clinic {clinic_id}"
        content_hash = hashlib.sha256(f"{title}\n{text}\n{vid}".encode()).hexdigest()
        self.rows["page_versions"].append((vid, page_id, clinic_id, run, url, fetched, fetched, 200, content_hash,
                                           title, "en", None, "Regenerative medicine", text, "{}",
                                           "trafilatura", len(text) * 3, None, None))
        asserted = [c for c in claims if c[3] == "asserts"]
        self.rows["page_scores"].append((vid, clinic_id, score, int(flagged), "en", len(claims), len(asserted),
                                         " ".join(sorted({c[2] for c in asserted if c[2]})), None,
                                         NEW_CLASSIFIER, fetched))
        offset = 0
        for sentence, category, condition, stance, claim_score in claims:
            self.rows["claims"].append((None, vid, clinic_id, url, fetched, sentence, category, condition, stance,
                                        claim_score, "rule:bench", offset, offset + len(sentence), NEW_CLASSIFIER))
            offset += len(sentence) + 1
        if run == 1 and rng.random() < OLD_SCORE_SHARE:  # superseded by the newer classifier's score
            self.rows["page_scores"].append((vid, clinic_id, 0.99, 1, "en", 1, 1, "lupus", None,
                                             OLD_CLASSIFIER, SCORED_OLD))
            self.rows["claims"].append((None, vid, clinic_id, url, fetched, "Old classifier sentence about lupus.",
                                        "cure", "lupus", "asserts", 0.99, "rule:old", 0, 36, OLD_CLASSIFIER))
        state = self.state[clinic_id]
        for r in (run,) if run == 2 or replaced else (1, 2):  # a run-1 version stays current unless replaced
            for sentence, category, condition, stance, _ in asserted:
                state[r].setdefault(claim_key(sentence, category, condition), (sentence, category, condition, url))
            if flagged:
                self.flagged_in[clinic_id][r].append(url)
        return vid

    def _events(self, clinic_id: int, unreachable: bool) -> None:
        before, after = self.state[clinic_id][1], self.state[clinic_id][2]
        for key, (sentence, category, condition, url) in before.items():
            self.rows["claim_events"].append((None, 1, clinic_id, "added", key, sentence, category, condition,
                                              url, RUN1_END))
        if self.flagged_in[clinic_id][1]:
            self.rows["clinic_events"].append((None, 1, clinic_id, "newly_flagged",
                                               " ".join(self.flagged_in[clinic_id][1]), RUN1_END))
        if not unreachable:
            for key in sorted(before.keys() - after.keys()):
                sentence, category, condition, url = before[key]
                self.rows["claim_events"].append((None, 2, clinic_id, "removed", key, sentence, category,
                                                  condition, url, RUN2_END))
            for key in after.keys() - before.keys():
                sentence, category, condition, url = after[key]
                self.rows["claim_events"].append((None, 2, clinic_id, "added", key, sentence, category,
                                                  condition, url, RUN2_END))
            if self.flagged_in[clinic_id][2] and not self.flagged_in[clinic_id][1]:
                self.rows["clinic_events"].append((None, 2, clinic_id, "newly_flagged",
                                                   " ".join(self.flagged_in[clinic_id][2]), RUN2_END))
            if before and not after:
                self.rows["clinic_events"].append((None, 2, clinic_id, "stopped_claiming",
                                                   f"{len(before)} asserted claims no longer made", RUN2_END))
        for key, (sentence, category, condition, url) in after.items():
            first = 1 if key in before else 2
            self.rows["clinic_claims"].append((clinic_id, key, sentence, category, condition, url, first,
                                               1 if unreachable else 2))


COLUMNS = {
    "clinics": "id, name, country, seed_urls, domains, tags, active, created_at, updated_at",
    "runs": "id, started_at, finished_at, status, clinic_filter, pages_fetched, pages_stored, new_versions, "
            "errors, finish_reason, stats",
    "pages": "id, clinic_id, url, first_seen, last_seen, last_status, last_run_id, current_version_id, etag, "
             "last_modified, links",
    "page_versions": "id, page_id, clinic_id, run_id, url, fetched_at, last_seen, http_status, content_hash, "
                     "title, language, published, description, text, structured, extractor, body_bytes, "
                     "warc_file, warc_offset",
    "page_scores": "version_id, clinic_id, score, flagged, language, n_claims, n_asserted, conditions, "
                   "mitigations, classifier_version, scored_at",
    "claims": "id, version_id, clinic_id, url, captured_at, sentence, category, condition, stance, score, cues, "
              "span_start, span_end, classifier_version",
    "fetch_log": "id, run_id, clinic_id, url, status, outcome, error, fetched_at",
    "clinic_claims": "clinic_id, claim_key, sentence, category, condition, url, first_run_id, last_run_id",
    "claim_events": "id, run_id, clinic_id, event, claim_key, sentence, category, condition, url, at",
    "clinic_events": "id, run_id, clinic_id, event, detail, at",
}


def build_db(db_path: Path, n_pages: int, n_clinics: int, seed: int) -> dict[str, int]:
    """Create the DB with the real schema and fill it; returns row counts per table."""
    builder = Builder(n_pages, n_clinics, seed)
    builder.build()
    db = open_db(db_path)
    conn = db.conn
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("PRAGMA foreign_keys=OFF")  # tables are filled one by one; the rows are consistent
    conn.execute("BEGIN")
    for table, columns in COLUMNS.items():
        marks = ", ".join("?" * len(columns.split(",")))
        conn.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", builder.rows[table])
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return {table: len(rows) for table, rows in builder.rows.items()}


EXAMPLE_PARAMS = {  # example_params adds a clinic with many claims and the day run 2 started
    "condition": "diabetes",
    "q": "cure autism",
}


def example_params(db_path: Path) -> dict[str, str]:
    """Parameters a researcher would pass: a common condition, a busy clinic, "since last run"."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        clinic = conn.execute(
            "SELECT k.name FROM clinic_claims c JOIN clinics k ON k.id = c.clinic_id"
            " GROUP BY c.clinic_id ORDER BY COUNT(*) DESC, k.name LIMIT 1").fetchone()[0]
        since = conn.execute("SELECT substr(started_at, 1, 10) FROM runs ORDER BY id DESC LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    return {**EXAMPLE_PARAMS, "clinic": clinic, "since": since}


def time_canned(db_path: Path, params: dict[str, str], repeat: int) -> dict[str, tuple[float, float, int, str]]:
    """(median wall ms, median CPU ms, rows, params) over `repeat` runs after one warm-up of each
    canned query, run as datasette runs it: read-only connection, max_returned_rows + 1 fetched."""
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, check_same_thread=False)
    results = {}
    try:
        for name, query in QUERIES.items():
            args = {p: params[p] for p in query.get("params", [])}
            wall, cpu, rows = [], [], []
            for i in range(repeat + 1):
                start, start_cpu = time.perf_counter(), time.process_time()
                rows = conn.execute(query["sql"], args).fetchmany(MAX_RETURNED_ROWS + 1)
                if i:
                    wall.append((time.perf_counter() - start) * 1000)
                    cpu.append((time.process_time() - start_cpu) * 1000)
            results[name] = (statistics.median(wall), statistics.median(cpu), len(rows),
                             json.dumps(args, ensure_ascii=False))
    finally:
        conn.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100_000, help="pages in the synthetic DB")
    parser.add_argument("--clinics", type=int, default=2_000, help="clinics the pages are spread over")
    parser.add_argument("--out", type=Path, default=None, help="keep the DB and report here (default: temp)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the generator")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per canned query (median)")
    parser.add_argument("--profile", action="store_true", help="also print a cProfile of write_report")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cw-report-bench-") as tmp:
        out = args.out or Path(tmp)
        out.mkdir(parents=True, exist_ok=True)
        db_path = out / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        start = time.perf_counter()
        counts = build_db(db_path, args.pages, args.clinics, args.seed)
        print(f"db_build_seconds={time.perf_counter() - start:.1f}")
        print(f"db_size_mb={db_path.stat().st_size / 1e6:.1f}")
        for table, n in counts.items():
            print(f"rows_{table}={n}")

        profiler = cProfile.Profile() if args.profile else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        try:
            paths = write_report(db_path, out / "report")
        except Exception as exc:  # a benchmark reports what happened and goes on to the queries
            paths = {}
            print(f"report_error={type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}")
        finally:
            if profiler:
                profiler.disable()
        print(f"report_seconds_100k={time.perf_counter() - start:.2f}"
              + (" (under cProfile)" if profiler else ""))
        for kind, path in sorted(paths.items()):
            size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) if path.is_dir() \
                else path.stat().st_size
            print(f"report_{kind}_mb={size / 1e6:.2f}")
        if profiler:
            buf = io.StringIO()
            stats = pstats.Stats(profiler, stream=buf)
            stats.sort_stats("cumulative").print_stats(30)
            stats.sort_stats("tottime").print_stats(15)
            print(buf.getvalue())

        params = example_params(db_path)
        timings = time_canned(db_path, params, args.repeat)
        print(f"canned_max_returned_rows={MAX_RETURNED_ROWS}")
        for name, (ms, cpu_ms, n_rows, used) in timings.items():
            print(f"canned_{name}_ms={ms:.1f}  cpu_ms={cpu_ms:.1f}  rows={n_rows}  params={used}")
        slowest = max(timings, key=lambda n: timings[n][0])
        print(f"canned_max_ms={timings[slowest][0]:.1f}  ({slowest})")
        all_time = time_canned(db_path, {**params, "since": "2000-01-01"}, args.repeat)
        for name in (n for n in QUERIES if "since" in QUERIES[n].get("params", [])):
            ms, cpu_ms, n_rows, used = all_time[name]
            print(f"canned_{name}_all_time_ms={ms:.1f}  cpu_ms={cpu_ms:.1f}  rows={n_rows}  params={used}")


if __name__ == "__main__":
    main()
