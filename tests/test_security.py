"""Security: the SSRF guard (seed trust + allow-list), hostile-site limits, no shell, no secrets in logs.

Network rule for this file: every crawl targets 127.0.0.61/.62 only, and no test resolves a host
name through DNS (the host name used below is pinned with CLINICWATCH_RESOLVE, and a preflight
proves the pin is honoured without any lookup before a crawl may use it). Addresses such as
10.0.0.1 or 169.254.169.254 are only ever given to pure functions.
"""
from __future__ import annotations

import ast
import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import Settings

from crawler import netguard
from crawler.demo_web.server import SiteServer
from crawler.netresolver import GuardedResolver
from crawler.store.schema import open_db
from scheduler.cli import cli
from tests.conftest import crawl, seed_db, write_seeds

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("crawler", "scheduler", "reports", "benchmarks", "tests")
PINNED = "pages.cw-b.test"  # in the clinic's domains (cw-b.test) but not a seed host itself


# -- pure functions: which addresses are refused ---------------------------------------------------
@pytest.mark.parametrize("host, address", [
    ("10.0.0.1", "10.0.0.1"), ("172.16.0.1", "172.16.0.1"), ("172.31.255.254", "172.31.255.254"),
    ("192.168.1.1", "192.168.1.1"), ("169.254.169.254", "169.254.169.254"), ("127.0.0.1", "127.0.0.1"),
    ("0.0.0.0", "0.0.0.0"), ("100.64.0.1", "100.64.0.1"), ("224.0.0.1", "224.0.0.1"),
    ("::1", "::1"), ("[::1]", "::1"), ("fe80::1", "fe80::1"), ("[fe80::1%25eth0]", "fe80::1"), ("fc00::1", "fc00::1"),
    ("::ffff:10.0.0.1", "::ffff:a00:1"), ("::ffff:127.0.0.1", "::ffff:7f00:1"),  # IPv4-mapped IPv6
    ("::10.0.0.1", "::a00:1"), ("2002:a00:1::", "2002:a00:1::"), ("64:ff9b::a9fe:a9fe", "64:ff9b::a9fe:a9fe"),
    # spellings the system resolver (inet_aton) reads as 127.0.0.1: decimal, hex, octal, short forms
    ("2130706433", "127.0.0.1"), ("0x7f000001", "127.0.0.1"), ("0X7F000001", "127.0.0.1"),
    ("017700000001", "127.0.0.1"), ("0177.0.0.1", "127.0.0.1"), ("127.1", "127.0.0.1"), ("0x7f.1", "127.0.0.1"),
    ("167772161", "10.0.0.1"), ("0xa9fea9fe", "169.254.169.254"), ("127.0.0.1.", "127.0.0.1"),
])
def test_non_public_addresses_refused_in_every_spelling(host, address):
    assert netguard.resolve(host) == (address,)  # IP literals resolve to themselves: no lookup
    reason = netguard.check(host)
    assert reason is not None and "non-public address" in reason and f"--allow-host {address}" in reason
    assert not netguard.is_public_ip(address)


@pytest.mark.parametrize("host", ["93.184.215.14", "8.8.8.8", "2606:4700::1111", "::ffff:93.184.215.14"])
def test_public_addresses_pass(host):
    assert netguard.check(host) is None  # pure: nothing is sent anywhere


@pytest.mark.parametrize("host", ["256.1.1.1", "0x", "1.2.3.4.5", "4294967296"])
def test_malformed_numeric_hosts_are_refused_without_a_lookup(host, monkeypatch):
    monkeypatch.setattr(netguard.socket, "getaddrinfo", _no_dns)
    assert netguard.check(host) is not None


def _no_dns(*args, **kwargs):
    raise AssertionError("a DNS lookup was attempted")


def test_seed_hosts_are_trusted_exactly_and_allow_list_matches_names_ips_and_networks():
    trusted = netguard.trusted_hosts(["http://127.0.0.61:8080/", "https://WWW.Clinic.test./x"], ["cw-b.test"])
    assert trusted == {"127.0.0.61", "www.clinic.test", "cw-b.test"}
    assert netguard.refusal("127.0.0.61", ["127.0.0.61"], trusted=trusted) is None
    assert netguard.refusal("2130706493", ["127.0.0.61"], trusted=trusted) is None  # same IP, other spelling
    assert netguard.refusal("127.0.0.62", ["127.0.0.62"], trusted=trusted) is not None
    assert netguard.refusal("sub.cw-b.test", ["10.0.0.5"], trusted=trusted) is not None  # subdomains not trusted
    assert netguard.refusal("cw-b.test", ["10.0.0.5", "127.0.0.1"], trusted=trusted) is None  # your intranet/test host
    # ... but whoever runs a seed name's DNS cannot point it at cloud metadata (link-local)
    assert "link-local" in netguard.refusal("cw-b.test", ["169.254.169.254"], trusted=trusted)
    assert "link-local" in netguard.refusal("cw-b.test", ["fe80::1"], trusted=trusted)
    assert netguard.refusal("169.254.10.10", ["169.254.10.10"], trusted={"169.254.10.10"}) is None  # written as an IP
    assert netguard.refusal("cw-b.test", ["169.254.169.254"], trusted=trusted,
                            allowed=netguard.AllowList.parse("169.254.169.254")) is None
    allowed = netguard.AllowList.parse("127.0.0.62 intranet.example 10.8.0.0/16")
    assert netguard.refusal("127.0.0.62", ["127.0.0.62"], allowed=allowed) is None
    assert netguard.refusal("0x7f00003e", ["127.0.0.62"], allowed=allowed) is None
    assert netguard.refusal("Intranet.Example.", ["192.168.9.9"], allowed=allowed) is None
    assert netguard.refusal("x.example", ["10.8.3.4"], allowed=allowed) is None
    assert netguard.refusal("x.example", ["10.8.3.4", "10.9.0.1"], allowed=allowed) is not None  # every address
    assert netguard.refusal("169.254.169.254", ["169.254.169.254"], allowed=allowed) is not None


@pytest.mark.parametrize("entry", ["http://10.0.0.1/", "-x", "a..b", "256.1.1.1", "10.0.0.0/33"])
def test_bad_allow_list_entries_are_one_line_errors(entry):
    with pytest.raises(ValueError, match="not a host name, IP address or network") as info:
        netguard.AllowList.parse(entry)
    assert "\n" not in str(info.value)


def test_bad_allow_host_on_the_cli_is_one_line_and_touches_nothing(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "t.db"), "crawl", "--allow-host", "http://x/"])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert result.output.startswith("Error: allowed private host 'http://x/'")
    assert not (tmp_path / "t.db").exists()


# -- DNS rebinding: the address checked is the address connected to --------------------------------
class Receiver:
    def __init__(self):
        self.addresses, self.done = [], False

    def resolutionBegan(self, resolution):  # noqa: N802 - Twisted interface
        pass

    def addressResolved(self, address):  # noqa: N802
        self.addresses.append(address.host)

    def resolutionComplete(self):  # noqa: N802
        self.done = True


@pytest.fixture
def fresh_guard():
    netguard.reset()
    yield
    netguard.reset()


def test_rebinding_answer_is_never_used(monkeypatch, fresh_guard):
    answers = iter([("93.184.215.14",), ("10.0.0.1",), ("10.0.0.1",)])
    monkeypatch.setattr(netguard, "_lookup", lambda name: next(answers))
    assert netguard.check("rebind.invalid") is None  # the guard sees a public answer
    receiver = Receiver()
    GuardedResolver(None, False, netguard.AllowList()).resolveHostName(receiver, "rebind.invalid", 80)
    assert receiver.done and receiver.addresses == ["93.184.215.14"]  # not the rebound 10.0.0.1


def test_resolver_refuses_private_answers_the_guard_did_not_clear(fresh_guard):
    netguard.set_pins({"evil.invalid": ("10.0.0.1",), "mine.invalid": ("127.0.0.61",)})
    resolver = GuardedResolver(None, False, netguard.AllowList())
    unchecked, cleared = Receiver(), Receiver()
    resolver.resolveHostName(unchecked, "evil.invalid", 80)
    netguard.clear("mine.invalid")  # what the guard middleware does for a seed host
    resolver.resolveHostName(cleared, "mine.invalid", 80)
    assert unchecked.done and unchecked.addresses == []  # the connection fails: DNS lookup error
    assert cleared.addresses == ["127.0.0.61"]


def test_pinned_names_resolve_without_any_lookup_in_a_crawl_process():
    """Preflight for the crawls below: in a fresh process configured exactly like a crawl child,
    the pinned name resolves to 127.0.0.62 with getaddrinfo disabled. Nothing else may be looked up."""
    code = (
        "import socket, types\n"
        "def no_dns(*a, **k): raise SystemExit('DNS lookup attempted')\n"
        "socket.getaddrinfo = no_dns; socket.gethostbyname = no_dns\n"
        "from scrapy.utils.project import get_project_settings\n"
        "from crawler import netguard\n"
        "from scrapy.utils.misc import load_object\n"
        "s = get_project_settings()\n"
        "assert s['TWISTED_DNS_RESOLVER'] == 'crawler.netresolver.GuardedResolver', s['TWISTED_DNS_RESOLVER']\n"
        "cls = load_object(s['TWISTED_DNS_RESOLVER'])\n"
        "r = cls.from_crawler(types.SimpleNamespace(settings=s), None)\n"
        f"assert not netguard.needs_lookup('{PINNED}')\n"
        "got = []\n"
        "class R:\n"
        "    def resolutionBegan(self, x): pass\n"
        "    def addressResolved(self, a): got.append(a.host)\n"
        "    def resolutionComplete(self): print(' '.join(got))\n"
        f"netguard.clear('{PINNED}')\n"
        f"r.resolveHostName(R(), '{PINNED}', 80)\n"
    )
    env = {**os.environ, "SCRAPY_SETTINGS_MODULE": "crawler.settings", "CLINICWATCH_RESOLVE": f"{PINNED}=127.0.0.62"}
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "127.0.0.62"


# -- the guard in real crawls (127.0.0.61 and .62 only, no --allow-private) ----------------------
def page(title: str, body: str) -> str:
    return (f"<!doctype html><html lang='en'><head><title>{title}</title></head><body><main>"
            f"<h1>{title}</h1><p>{body}</p></main></body></html>")


REDIRECTS = {  # path on A -> target URL template on B (127.0.0.62) in hostile spellings
    "/go-b.html": "http://127.0.0.62:{port}/secret.html",
    "/go-hex.html": "http://0x7f00003e:{port}/secret.html",
    "/go-dec.html": "http://2130706494:{port}/secret.html",
    "/go-mapped.html": "http://[::ffff:127.0.0.62]:{port}/secret.html",
}


@pytest.fixture
def two_sites(tmp_path):
    """Clinic A on 127.0.0.61 (domains: 127.0.0.61 and cw-b.test); B, a private host A points at, on .62."""
    a = SiteServer(host="127.0.0.61")
    b = SiteServer(host="127.0.0.62", port=a.port)
    links = " ".join(f"<a href='{path}'>r</a>" for path in REDIRECTS)
    a.set_routes({
        "/": (200, {}, page("Home", f"Welcome. <a href='/about.html'>About</a> {links} "
                                    f"<a href='http://{PINNED}:{a.port}/inside.html'>our other site</a>")),
        "/about.html": (200, {}, page("About", "ABOUT-MARKER We are a clinic.")),
        **{path: (302, {"Location": target.format(port=a.port)}, b"") for path, target in REDIRECTS.items()},
    })
    b.set_routes({
        "/secret.html": (200, {}, page("Secret", "SECRET-MARKER internal service")),
        "/inside.html": (200, {}, page("Inside", "INSIDE-MARKER reached through the allow-list")),
    })
    with a, b:
        seeds = write_seeds(tmp_path / "seeds.csv", [{"name": "Clinic A", "urls": a.url("/"),
                                                      "domains": "127.0.0.61 cw-b.test"}])
        seed_db(tmp_path / "t.db", seeds)
        yield a, b


GUARD_SETTINGS = {"CLINICWATCH_ALLOW_PRIVATE": "0", "CLINICWATCH_RESOLVE": f"{PINNED}=127.0.0.62",
                  "CLINICWATCH_FOLLOW_SITEMAPS": "0"}


def fetch_log(db_path: Path, run_id: int) -> dict[str, tuple[str, str]]:
    db = open_db(db_path)
    return {r["url"]: (r["outcome"], r["error"] or "") for r in db.query(
        "SELECT url, outcome, error FROM fetch_log WHERE run_id = ?", [run_id])}


def stored_text(db_path: Path) -> str:
    db = open_db(db_path)
    return "\n".join(r[0] for r in db.execute(
        "SELECT v.text FROM pages p JOIN page_versions v ON v.id = p.current_version_id"))


def test_seed_host_crawls_and_other_private_targets_are_refused(tmp_path, two_sites):
    a, b = two_sites
    outcome = crawl(tmp_path / "t.db", **GUARD_SETTINGS)
    assert outcome.status == "finished"
    text = stored_text(tmp_path / "t.db")
    assert "ABOUT-MARKER" in text  # the seed host (127.0.0.61) is the user's: crawled without --allow-private
    assert "SECRET-MARKER" not in text and "INSIDE-MARKER" not in text
    log = fetch_log(tmp_path / "t.db", outcome.run_id)
    refused = {url: error for url, (result, error) in log.items() if "refused:" in error}
    expected = {t.format(port=a.port) for t in REDIRECTS.values()} | {f"http://{PINNED}:{a.port}/inside.html"}
    assert set(refused) == expected
    for url, error in refused.items():
        assert log[url][0] == "skipped"
        assert "non-public address" in error and "127.0.0.62" in error and "--allow-host" in error
    assert b.requests == []  # refused before any connection


@pytest.mark.parametrize("how", ["cli --allow-host IP", "env allow-list by name"])
def test_allowed_private_host_is_fetched(tmp_path, two_sites, how):
    a, b = two_sites
    if how.startswith("cli"):
        env = {**GUARD_SETTINGS, "CLINICWATCH_AUTOTHROTTLE": "0"}
        result = CliRunner(env=env).invoke(cli, ["--db", str(tmp_path / "t.db"), "crawl", "--delay", "0",
                                                 "--allow-host", "127.0.0.62"])
        assert result.exit_code == 0, result.output
        run_id = int(re.search(r"run (\d+) finished", result.output).group(1))
    else:
        outcome = crawl(tmp_path / "t.db", **GUARD_SETTINGS, CLINICWATCH_ALLOWED_PRIVATE_HOSTS=PINNED)
        assert outcome.status == "finished"
        run_id = outcome.run_id
    text = stored_text(tmp_path / "t.db")
    assert "ABOUT-MARKER" in text and "INSIDE-MARKER" in text  # in the clinic's domains and allowed
    assert "SECRET-MARKER" not in text
    log = fetch_log(tmp_path / "t.db", run_id)
    assert log[f"http://{PINNED}:{a.port}/inside.html"][0] == "stored"
    for template in REDIRECTS.values():  # allowed (by IP) or refused (by name), never fetched: off the clinic's domains
        result_, error = log[template.format(port=a.port)]
        assert result_ == "skipped" and (("offsite:" in error) if how.startswith("cli") else ("refused:" in error))
    assert {r.path for r in b.requests} <= {"/inside.html", "/robots.txt"}


# -- hostile-site limits and off switches ------------------------------------------------------------
def crawl_settings() -> Settings:
    settings = Settings()
    settings.setmodule("crawler.settings", priority="project")
    return settings


def test_limits_and_dangerous_features_are_set():
    s = crawl_settings()
    assert s.getint("DOWNLOAD_MAXSIZE") == 5 * 1024 * 1024  # responses (and decompressed bodies) capped
    assert 0 < s.getint("DOWNLOAD_WARNSIZE") < s.getint("DOWNLOAD_MAXSIZE")
    assert s.getint("DOWNLOAD_TIMEOUT") == 30 and s.getint("REDIRECT_MAX_TIMES") == 5
    assert s.getint("URLLENGTH_LIMIT") <= 2083 and s.getint("RETRY_TIMES") <= 2
    assert s.getbool("TELNETCONSOLE_ENABLED") is False
    assert s.getbool("REMOTE_CONTROL_ENABLED") is False
    assert s.getbool("COOKIES_ENABLED") is False and s.getbool("ROBOTSTXT_OBEY") is True
    assert s.getbool("CLINICWATCH_ALLOW_PRIVATE") is False and s.get("CLINICWATCH_ALLOWED_PRIVATE_HOSTS") == ""
    assert s["TWISTED_DNS_RESOLVER"] == "crawler.netresolver.GuardedResolver"
    mws = s.getdict("DOWNLOADER_MIDDLEWARES")
    assert mws["crawler.middlewares.PrivateAddressGuardMiddleware"] < mws["crawler.middlewares.ClinicScopeMiddleware"]
    assert mws["crawler.middlewares.PrivateAddressGuardMiddleware"] < 100  # before robots.txt, redirects, retries


def test_decompression_bomb_is_cut_off_at_the_size_limit():
    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
    from scrapy.utils.test import get_crawler

    ours = crawl_settings()
    crawler = get_crawler(Spider, {name: ours.getint(name) for name in ("DOWNLOAD_MAXSIZE", "DOWNLOAD_WARNSIZE")})
    middleware = HttpCompressionMiddleware.from_crawler(crawler)
    bomb = gzip.compress(b"\0" * (64 * 1024 * 1024))  # 64 MiB of zeros in about 64 KB
    assert len(bomb) < 100_000
    request = Request("http://127.0.0.61/bomb.html")
    response = Response(request.url, body=bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/html"},
                        request=request)
    with pytest.raises(IgnoreRequest, match="DOWNLOAD_MAXSIZE"):
        middleware.process_response(request, response)


# -- no shell strings, no secrets in logs -----------------------------------------------------------
def source_files() -> list[Path]:
    return sorted(p for d in SOURCE_DIRS for p in (ROOT / d).rglob("*.py") if "__pycache__" not in p.parts)


SUBPROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput"}


def test_no_shell_strings_anywhere():
    """Commands are argv lists; nothing builds a shell command line from data."""
    problems = []
    for path in source_files():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = ast.unparse(node.func)
            if name in ("os.system", "os.popen", "os.spawnl", "os.execl") or name.startswith("commands."):
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
            for keyword in node.keywords:
                if keyword.arg == "shell" and not (isinstance(keyword.value, ast.Constant) and keyword.value.value is False):
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: shell=...")
            if name.split(".")[-1] in SUBPROCESS_CALLS and name.startswith(("subprocess.", "sp.")) and node.args:
                if isinstance(node.args[0], (ast.Constant, ast.JoinedStr, ast.BinOp)):
                    problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name} with a string command")
    assert problems == []


SECRET_NAMES = {"webhook_url", "password", "apprise_urls", "smtp_password", "secret", "token"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical", "log", "echo", "secho"}


def _secret_uses(node: ast.AST) -> list[str]:
    """Names/attributes called like a secret inside `node`, except under a redact*() call."""
    if isinstance(node, ast.Call) and "redact" in ast.unparse(node.func):
        return []
    found = []
    if isinstance(node, ast.Name) and node.id.lower() in SECRET_NAMES:
        found.append(node.id)
    if isinstance(node, ast.Attribute) and node.attr.lower() in SECRET_NAMES:
        found.append(ast.unparse(node))
    for child in ast.iter_child_nodes(node):
        found.extend(_secret_uses(child))
    return found


def test_no_secret_reaches_a_log_call():
    """Grep-level companion of tests/test_alerts.py::test_secrets_never_logged_or_stored: no logging
    or echo call in the product code is handed a webhook URL, password or Apprise URL unredacted."""
    problems = []
    for path in source_files():
        if path.relative_to(ROOT).parts[0] == "tests":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in LOG_METHODS:
                for argument in [*node.args, *(k.value for k in node.keywords)]:
                    for use in _secret_uses(argument):
                        problems.append(f"{path.relative_to(ROOT)}:{node.lineno}: {use}")
    assert problems == []


def test_datasette_and_report_defences_are_tested_elsewhere():
    """Index of the other security tests (SECURITY.md points here): they must keep existing."""
    tests = ROOT / "tests"
    expected = {
        "test_datasette.py": ["def test_datasette_command_is_argv_on_loopback", "def test_write_attempts_do_not_change_db"],
        "test_report_browser.py": ["def test_"],
        "test_alerts.py": ["def test_secrets_never_logged_or_stored"],
        "test_archive.py": ["def test_read_refuses_names_outside_directory"],
    }
    for name, markers in expected.items():
        text = (tests / name).read_text(encoding="utf-8")
        for marker in markers:
            assert marker in text, f"{name} lost {marker}"
