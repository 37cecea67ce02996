"""Pages outside the 8 supported languages are "not scored: language xx", never a 0 read as clean.

The foreign-language pages below were written for these tests (clinic copy that would be flagged
in a supported language: cures, success rates, "no side effects"). A crawl of a loopback clinic in
Polish stores the reason and the report shows it apart from the scored pages.
"""
from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crawler.classify import score
from crawler.classify.labelled_corpus import load_corpus
from crawler.classify.language import SUPPORTED, detect_language
from crawler.demo_web.server import SiteServer
from crawler.store.migrations import MIGRATIONS
from crawler.store.schema import SCHEMA_VERSION, open_db
from reports.data import build_report
from reports.render import write_report
from tests.conftest import crawl, seed_db, write_seeds

FOREIGN_PAGES = {
    "pl": ("Klinika Regeneracji – terapia komórkami macierzystymi",
           "Nasze komórki macierzyste leczą cukrzycę, stwardnienie rozsiane i autyzm. "
           "Skuteczność terapii wynosi ponad dziewięćdziesiąt procent i nie ma żadnych skutków ubocznych. "
           "Zadzwoń dziś i umów się na bezpłatną konsultację w naszym gabinecie w Krakowie."),
    "ko": ("재생 클리닉 줄기세포 치료",
           "저희 줄기세포 치료는 당뇨병과 자폐증을 완치합니다. 치료 성공률은 95퍼센트이며 부작용이 전혀 없습니다. "
           "오늘 전화하셔서 무료 상담을 예약하세요."),
    "it": ("Clinica Rigenera – terapia con cellule staminali",
           "Le nostre cellule staminali guariscono il diabete, la sclerosi multipla e l'autismo. "
           "Il tasso di successo supera il novanta per cento e non ci sono effetti collaterali. "
           "Chiamateci oggi stesso per prenotare una visita gratuita nella nostra sede di Milano."),
    "tr": ("Yenilenme Kliniği kök hücre tedavisi",
           "Kök hücre tedavimiz diyabeti, multipl sklerozu ve otizmi tamamen iyileştirir. "
           "Başarı oranımız yüzde doksanın üzerindedir ve hiçbir yan etkisi yoktur. "
           "Ücretsiz muayene randevusu için bugün bizi arayın."),
    "id": ("Klinik Regenerasi terapi sel punca",
           "Terapi sel punca kami menyembuhkan diabetes, multiple sclerosis dan autisme. "
           "Tingkat keberhasilan kami lebih dari sembilan puluh persen dan tidak ada efek samping sama sekali. "
           "Hubungi kami hari ini untuk membuat janji konsultasi gratis di klinik kami di Jakarta."),
    "th": ("คลินิกฟื้นฟู การรักษาด้วยเซลล์ต้นกำเนิด",
           "การรักษาด้วยเซลล์ต้นกำเนิดของเรารักษาโรคเบาหวานและออทิสติกให้หายขาดได้ "
           "อัตราความสำเร็จของเราสูงกว่าเก้าสิบเปอร์เซ็นต์และไม่มีผลข้างเคียงใดๆ "
           "โทรหาเราวันนี้เพื่อนัดหมายปรึกษาแพทย์ฟรี"),
}


@pytest.mark.parametrize("language", sorted(FOREIGN_PAGES))
def test_page_in_an_unsupported_language_is_not_scored(language: str) -> None:
    title, text = FOREIGN_PAGES[language]
    result = score(text, title=title)
    assert result.language == language
    assert result.not_scored == f"language {language}"
    assert (result.score, result.flagged, result.claims) == (0.0, False, [])
    data = result.to_json("page.txt")
    assert data["not_scored"] == f"language {language}" and data["flagged"] is False


def test_a_caller_given_unsupported_language_is_not_scored() -> None:
    result = score("Our stem cells cure autism. Book today.", language="pl-PL")
    assert result.not_scored == "language pl" and not result.flagged


def test_the_eight_languages_are_still_scored() -> None:
    """Every corpus page keeps its language and is scored (not_scored empty), flagged as labelled."""
    pages = load_corpus()
    assert {p.language for p in pages} == set(SUPPORTED)
    for page in pages:
        text = "\n".join(s.text for s in page.sentences)
        result = score(text, title=page.title)
        assert result.not_scored == "", (page.id, result.language)
        assert detect_language(f"{page.title}\n{text}" if page.title else text) in (page.language, "und"), page.id


def test_short_supported_texts_are_not_called_foreign() -> None:
    """Menus and headings too short to tell stay scored (as "und" or their language)."""
    for text in ("Home", "Contact us", "Privacy policy | Terms", "Regenix Stem Cell Institute Cancun",
                 "Stem cell therapy Mexico", "FAQ"):
        assert score(text).not_scored == "", text


def test_score_cli_says_not_scored(tmp_path: Path) -> None:
    title, text = FOREIGN_PAGES["pl"]
    path = tmp_path / "strona.txt"
    path.write_text(f"{title}\n{text}\n", encoding="utf-8")

    def clinicwatch(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "scheduler.cli", *args], capture_output=True, text=True,
                              timeout=120, cwd=Path(__file__).resolve().parent.parent)

    plain = clinicwatch("score", str(path))
    assert plain.returncode == 0, plain.stderr
    assert "not scored: language pl" in plain.stdout and "score 0.00" not in plain.stdout
    data = json.loads(clinicwatch("score", "--json", str(path)).stdout)
    assert data["not_scored"] == "language pl" and data["voice"] and data["score"] == 0.0


def _html(title: str, text: str) -> str:
    return (f"<!doctype html><html lang=\"pl\"><head><meta charset=\"utf-8\"><title>{title}</title></head>"
            f"<body><main><h1>{title}</h1><p>{text}</p></main></body></html>")


@pytest.fixture(scope="module")
def polish_crawl(tmp_path_factory) -> Path:
    """A loopback clinic in Polish (127.0.0.151) crawled into a fresh DB."""
    tmp = tmp_path_factory.mktemp("pl")
    title, text = FOREIGN_PAGES["pl"]
    site = SiteServer(host="127.0.0.151")
    site.set_routes({"/": (200, {}, _html(title, text).encode("utf-8")),
                     "/robots.txt": (200, {}, b"User-agent: *\nAllow: /\n")})
    with site:
        seeds = write_seeds(tmp / "seeds.csv", [{"name": "Klinika Regeneracji", "urls": site.url("/")}])
        seed_db(tmp / "t.db", seeds)
        outcome = crawl(tmp / "t.db", CLINICWATCH_FOLLOW_SITEMAPS="0")
    assert outcome.status == "finished", outcome
    return tmp / "t.db"


def test_crawled_polish_page_is_stored_and_reported_as_not_scored(polish_crawl: Path, tmp_path: Path) -> None:
    conn = sqlite3.connect(polish_crawl)
    rows = conn.execute("SELECT score, flagged, language, not_scored, voice FROM page_scores").fetchall()
    conn.close()
    assert rows and all(r[:4] == (0.0, 0, "pl", "language pl") and r[4] for r in rows), rows

    report = build_report(polish_crawl)
    h = report.headline
    assert (h.not_scored_pages, h.not_scored_languages, h.scored_pages) == (len(rows), {"pl": len(rows)}, 0)
    assert report.clinics[0].max_score is None  # not 0.00: nothing was read
    assert report.not_scored_pages[0].reason == "language pl"

    files = write_report(polish_crawl, tmp_path / "out")
    line = f"{len(rows)} page{'s' if len(rows) > 1 else ''} not scored: language outside the 8 supported (pl {len(rows)})"
    for kind in ("html", "md"):
        body = next(p for p in files.values() if p.suffix == f".{kind}" and p.parent == tmp_path / "out").read_text()
        assert line in body and "not scored: language pl" in body, kind
    data = json.loads((tmp_path / "out" / "report.json").read_text())
    assert data["headline"]["not_scored_pages"] == len(rows)
    assert data["not_scored_pages"][0]["reason"] == "language pl"


def test_migration_adds_voice_and_not_scored_to_an_old_db(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.close()
    import sqlite_utils

    db = sqlite_utils.Database(path)
    for number in range(1, 6):
        MIGRATIONS[number](db)
        db.execute(f"PRAGMA user_version={number}")
    db.execute("INSERT INTO clinics (id, name) VALUES (1, 'Old')")
    db.execute("INSERT INTO page_scores (version_id, clinic_id, score, flagged, language, classifier_version)"
               " VALUES (1, 1, 0.7, 1, 'en', 'rules-0.1')")
    db.conn.commit()
    db.close()

    upgraded = open_db(path)
    assert upgraded.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for table in ("page_scores", "warc_pages"):
        assert {"voice", "not_scored"} <= set(upgraded[table].columns_dict), table
    assert upgraded.execute("SELECT voice, not_scored FROM page_scores").fetchall() == [("unknown", "")]
    upgraded.close()
