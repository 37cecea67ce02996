"""A ClinicWatch DB whose every crawled string is hostile HTML, for browser-level report tests.

Crawled content (clinic names, page titles, sentences, URLs, error texts, ...) is attacker
controlled. `build_hostile_db(path, beacon_port)` writes a small but complete DB (clinics, two
runs, pages, versions, scores, claims, claim/clinic events, fetch log) with plain SQL, filling
those columns with markup that would run script, leave the page, or make the browser fetch
something from `http://127.0.0.1:<beacon_port>/...` if a renderer ever emitted it unescaped.
A safe report shows all of it as inert text.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from crawler.store.schema import open_db

MARK = "PWNED"  # what hostile script would set document.title to
T1 = "2024-05-01T10:00:00+00:00"
T2 = "2024-06-01T10:00:00+00:00"
CLASSIFIER = "rules-1.0"


def payloads(beacon_port: int) -> dict[str, str]:
    """Hostile HTML fragments by name; `beacon_port` is where any live request would land."""
    b = f"http://127.0.0.1:{beacon_port}"
    js = f"document.title='{MARK}'"
    return {
        "script": f"<script>{js}</script>",
        "img_onerror": f'<img src=x onerror="{js}">',
        "svg_onload": f'<svg onload="{js}"><circle r="9"/></svg>',
        "style_break": f"</style><script>{js}</script>",
        "title_break": f"</title><script>{js}</script>",
        "textarea_break": f"</textarea></noscript><script>{js}</script>",
        "comment_break": f"--><script>{js}</script><!--",
        "svg_text_break": f"</text></svg><img src=x onerror=\"{js}\">",
        "attr_break_dq": f'" onmouseover="{js}" autofocus onfocus="{js}" x="',
        "attr_break_sq": f"' onmouseover='{js}' autofocus onfocus='{js}' x='",
        "details_toggle": f'<details open ontoggle="{js}"><summary>x</summary></details>',
        "a_beacon": f'<a href="{b}/beacon">see our results</a>',
        "a_javascript": f'<a href="javascript:{js}">click</a>',
        "img_beacon": f'<img src="{b}/beacon.png">',
        "img_srcset": f'<img srcset="{b}/srcset.png 1x">',
        "link_css": f'<link rel=stylesheet href="{b}/beacon.css">',
        "link_prefetch": f'<link rel=prefetch href="{b}/prefetch">',
        "style_import": f"<style>@import url({b}/import.css); "
                        f"body{{background:url({b}/style-bg)}}</style>",
        "iframe": f'<iframe src="{b}/iframe"></iframe>',
        "iframe_srcdoc": f'<iframe srcdoc="<script>parent.{js}</script>"></iframe>',
        "object": f'<object data="{b}/object"></object><embed src="{b}/embed">',
        "css_bg": f'<div style="background:url({b}/bg)">styled</div>',
        "meta_refresh": f'<meta http-equiv="refresh" content="0;url={b}/r">',
        "base": f'<base href="{b}/base/">',
        "form": f'<form action="{b}/form"><button formaction="{b}/formaction">go</button></form>',
        "video": f'<video poster="{b}/poster.png" src="{b}/video.mp4" autoplay></video>',
        "svg_use": f'<svg><use href="{b}/use.svg#x"/><image href="{b}/svg-image.png"/></svg>',
    }


def hostile_urls(beacon_port: int) -> list[str]:
    """URL column values: schemes that must never become links, and quote/tag breakouts."""
    b = f"http://127.0.0.1:{beacon_port}"
    js = f"document.title='{MARK}'"
    return [
        "javascript:alert(1)",
        f"JaVaScRiPt:{js}",
        f" javascript:{js}",
        f"java\tscript:{js}",
        f"data:text/html,<script>{js}</script>",
        f"vbscript:msgbox({MARK})",
        f'{b}/q" onmouseover="{js}" x="',
        f"{b}/q'><script>{js}</script>",
        f"{b}/q><img src=x onerror={js}>",
        f"//127.0.0.1:{beacon_port}/protocol-relative",
        f"{b}/plain-link",  # a well-formed http URL: may become a link, must not be fetched
    ]


@dataclass
class HostileDb:
    path: Path
    beacon_port: int
    clinic_names: list[str]
    payloads: dict[str, str]
    urls: list[str]
    # crawled strings a safe report.html must show verbatim as text
    expected_text: list[str] = field(default_factory=list)


def build_hostile_db(path: str | Path, beacon_port: int) -> HostileDb:
    """Create a ClinicWatch DB at `path` whose crawled strings are all hostile."""
    path = Path(path)
    p = payloads(beacon_port)
    urls = hostile_urls(beacon_port)
    b = f"http://127.0.0.1:{beacon_port}"
    names = [
        f"Evil {p['script']} Clinic",
        f"{p['img_onerror']} Stem Cells",
        f"{p['style_break']}{p['base']} Regen",
        f"{p['attr_break_dq']}{p['svg_onload']}",
        f"{p['iframe']}{p['a_beacon']} Institute",
        f"{p['css_bg']}{p['img_beacon']}{p['link_css']}",
        f"{p['svg_text_break']}{p['attr_break_sq']}",  # inactive, never reached
    ]
    db = open_db(path)
    conn = db.conn
    conn.execute("BEGIN")
    try:
        # clinics -----------------------------------------------------------------------------
        for i, name in enumerate(names, 1):
            conn.execute(
                "INSERT INTO clinics (id, name, country, seed_urls, domains, tags, active, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (i, name, p["title_break"] if i % 2 else p["img_onerror"],
                 f"{urls[i % len(urls)]} {b}/seed{i} javascript:alert({i})",
                 f"127.0.0.1 {p['textarea_break']}", f"{p['svg_onload']} {p['details_toggle']}",
                 0 if i == len(names) else 1, T1, p["comment_break"]))

        # runs: the latest names every clinic (so the unreached ones are listed) plus junk ----
        filter_names = ";".join(names[:-1] + [p["script"]])
        conn.executemany(
            "INSERT INTO runs (id, started_at, finished_at, status, clinic_filter, "
            "pages_fetched, pages_stored, new_versions, errors, finish_reason, stats) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(1, T1, T1, "finished", "", 6, 6, 6, 1, "finished", "{}"),
             (2, T2, f"{T2} {p['meta_refresh']}", f"finished {p['img_onerror']}", filter_names,
              8, 7, 3, 2, p["script"], json.dumps({"note": p["iframe"]}))])

        # pages and their versions -----------------------------------------------------------
        # (page id, clinic id, url, title); clinics 6 and 7 have no pages
        pages = [
            (1, 1, urls[0], p["title_break"] + " Miracle cures"),
            (2, 1, f"{b}/plain-link", p["script"]),
            (3, 2, urls[1], p["img_onerror"]),
            (4, 2, urls[4], p["meta_refresh"] + p["base"]),
            (5, 3, urls[6], p["style_import"] + p["link_prefetch"]),
            (6, 3, urls[7], p["object"] + p["form"]),
            (7, 4, urls[8], p["svg_use"] + p["video"]),
            (8, 5, urls[9], p["iframe_srcdoc"] + p["a_javascript"]),
        ]
        texts = list(p.values())
        for pid, cid, url, title in pages:
            conn.execute(
                "INSERT INTO pages (id, clinic_id, url, first_seen, last_seen, last_status, "
                "last_run_id, etag, last_modified, links) VALUES (?, ?, ?, ?, ?, 200, ?, ?, ?, ?)",
                (pid, cid, url, T1, T2, 1 if cid == 5 else 2, p["attr_break_dq"], p["script"],
                 json.dumps([urls[pid % len(urls)], f"{b}/linked"])))
        version_id = 0
        current: dict[int, int] = {}
        for pid, cid, url, title in pages:
            for run_id, fetched in ((1, T1), (2, T2)):
                if run_id == 2 and cid == 5:
                    continue  # clinic 5 was not reached in the latest run
                version_id += 1
                conn.execute(
                    "INSERT INTO page_versions (id, page_id, clinic_id, run_id, url, fetched_at, "
                    "last_seen, http_status, content_hash, title, language, published, "
                    "description, text, structured, extractor, body_bytes, warc_file, "
                    "warc_offset) VALUES (?, ?, ?, ?, ?, ?, ?, 200, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                    "?, 0)",
                    (version_id, pid, cid, run_id, url, fetched, fetched, f"h{version_id}",
                     title if run_id == 2 else f"old {title}", "en",
                     p["comment_break"], p["meta_refresh"],
                     " ".join(texts[version_id % len(texts):] + texts[:version_id % len(texts)]),
                     json.dumps({"@context": p["script"], "url": urls[0]}), "trafilatura",
                     1234, f"../../{p['script']}.warc.gz"))
                current[pid] = version_id
        for pid, vid in current.items():
            conn.execute("UPDATE pages SET current_version_id = ? WHERE id = ?", (vid, pid))

        # scores and claims for the current versions ------------------------------------------
        categories = ["cure", "unapproved_indication", p["img_onerror"], "efficacy_statistics"]
        conditions = ["autism", p["script"], p["svg_onload"], p["style_break"], None]
        hostile_classifier = f"{CLASSIFIER}{p['title_break']}"
        claim_id = 0
        for n, (pid, cid, url, title) in enumerate(pages):
            vid = current[pid]
            cv = hostile_classifier if pid == 8 else CLASSIFIER
            conn.execute(
                "INSERT INTO page_scores (version_id, clinic_id, score, flagged, language, "
                "n_claims, n_asserted, conditions, mitigations, classifier_version, scored_at) "
                "VALUES (?, ?, ?, 1, ?, 3, 2, ?, ?, ?, ?)",
                (vid, cid, 0.99 - n * 0.07, p["attr_break_sq"] if n % 2 else "en",
                 f"autism {p['script']}", p["iframe"] + "\n" + p["meta_refresh"], cv, T2))
            # every payload appears as a sentence somewhere, plus a few per page
            sentences = [
                (texts[(n * 4 + k) % len(texts)] + f" Stem cells cure everything {n}.{k}",
                 "asserts") for k in range(4)
            ] + [(f"This is not a cure {p['script']}", "negates"),
                 (f"Critics say {p['img_onerror']}", p["svg_onload"])]  # hostile stance
            for k, (sentence, stance) in enumerate(sentences):
                claim_id += 1
                conn.execute(
                    "INSERT INTO claims (id, version_id, clinic_id, url, captured_at, sentence, "
                    "category, condition, stance, score, cues, span_start, span_end, "
                    "classifier_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (claim_id, vid, cid, urls[(n + k) % len(urls)],
                     T2 if k else f"{T2}{p['img_beacon']}", sentence,
                     categories[(n + k) % len(categories)],
                     conditions[(n + k) % len(conditions)], stance, 0.95 - k * 0.1,
                     p["css_bg"], k * 10, k * 10 + 9, cv))
        for n in range(len(texts)):  # the remaining payloads, so every one is a sentence
            if n < 4 * len(pages):
                continue
            claim_id += 1
            conn.execute(
                "INSERT INTO claims (id, version_id, clinic_id, url, captured_at, sentence, "
                "category, condition, stance, score, cues, span_start, span_end, "
                "classifier_version) VALUES (?, ?, 1, ?, ?, ?, 'cure', 'autism', 'asserts', "
                "0.5, '', 0, 9, ?)", (claim_id, current[1], urls[n % len(urls)], T2,
                                      texts[n], CLASSIFIER))

        # history: clinic claims, claim events, clinic events ---------------------------------
        for cid in range(1, len(names)):
            for k, event in enumerate(("added", "removed")):
                key = f"{p['script']}|{cid}|{k}"
                sentence = texts[(cid * 2 + k) % len(texts)]
                url = urls[(cid + k) % len(urls)]
                conn.execute(
                    "INSERT INTO clinic_claims (clinic_id, claim_key, sentence, category, "
                    "condition, url, first_run_id, last_run_id) VALUES (?, ?, ?, ?, ?, ?, 1, 2)",
                    (cid, key, sentence, categories[k], conditions[k + 1], url))
                conn.execute(
                    "INSERT INTO claim_events (run_id, clinic_id, event, claim_key, sentence, "
                    "category, condition, url, at) VALUES (2, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (cid, event if cid % 3 else p["img_onerror"], key, sentence,
                     categories[k + 1], conditions[k + 2], url, T2))
            for event, detail in (("newly_flagged", p["script"] + p["a_beacon"]),
                                  ("moved", f"moved to {urls[2]} {p['meta_refresh']}"),
                                  (p["svg_onload"], p["img_beacon"] + p["css_bg"])):
                conn.execute(
                    "INSERT INTO clinic_events (run_id, clinic_id, event, detail, at) "
                    "VALUES (2, ?, ?, ?, ?)", (cid, event, detail, T2))

        # fetch log: clinics 1-4 reached in run 2 (5 and 6 are not); hostile errors -----------
        for run_id in (1, 2):
            for pid, cid, url, _ in pages:
                if run_id == 2 and cid == 5:
                    continue  # clinic 5 not reached in the latest run: named in crawl health
                conn.execute(
                    "INSERT INTO fetch_log (run_id, clinic_id, url, status, outcome, error, "
                    "fetched_at) VALUES (?, ?, ?, 200, 'stored', NULL, ?)",
                    (run_id, cid, url, T2))
            for k, url in enumerate(urls[:6]):
                conn.execute(
                    "INSERT INTO fetch_log (run_id, clinic_id, url, status, outcome, error, "
                    "fetched_at) VALUES (?, ?, ?, 503, 'error', ?, ?)",
                    (run_id, 1 + k % 5, url, texts[(k * 5) % len(texts)], T2))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    finally:
        db.close()

    expected = [names[0], names[1], p["script"], p["img_onerror"], p["meta_refresh"], urls[0]]
    return HostileDb(path=path, beacon_port=beacon_port, clinic_names=names, payloads=p,
                     urls=urls, expected_text=expected)
