"""Alerts delivered to real receivers on 127.0.0.1: an HTTP webhook and an SMTP server (aiosmtpd)."""
from __future__ import annotations

import email
import email.policy
import json
import logging
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from crawler.classify import score
from crawler.extract import ExtractedPage
from crawler.store.events import claim_key, record_run_events
from crawler.store.schema import open_db
from crawler.store.writer import finish_run, known_hashes, record_fetch, start_run, store_page
from scheduler.alerts import AlertConfig, EmailConfig, collect_alerts, format_alerts, redact_url, send_alerts

CURE = "Our stem cell therapy cures type 2 diabetes."
JOINT = "Stem cell therapy may help with joint pain."  # asserted, but scores 0.45 on an unflagged page
CURA = "Nuestras células madre curan la diabetes tipo 2 sin cirugía."
HARMLESS = "Welcome to our clinic. Our opening hours are 9 to 5."
RENEW = "https://renew.example/"
VIDA = "https://vida.example/"
CAPTURED = "2024-05-01T10:00:00Z"
SECRET_TOKEN = "T0KEN-s3cr3t-9f8e7d6c5b4a"
SMTP_PASSWORD = "pa55-w0rd-Xq7!zz"


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """Requests to 127.0.0.1 must not go through a proxy configured in the environment."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


# --- a DB with one finished run: claims added, a clinic newly flagged ------------------------------

class Store:
    def __init__(self, path: Path) -> None:
        self.db = open_db(path)
        self.clinics = {name: int(self.db.execute(
            "INSERT INTO clinics (name, country, seed_urls, domains, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, '2024-04-01T00:00:00Z', '2024-04-01T00:00:00Z')",
            [name, country, url, url.split("/")[2]]).lastrowid)
            for name, country, url in (("RenewCell Test Institute", "US", RENEW), ("Clínica Vida", "MX", VIDA))}

    def run(self, pages: dict[str, tuple[str, str]], at: str = CAPTURED) -> int:
        """pages: url -> (clinic name, text); stored with the real classifier, then events recorded."""
        run_id = start_run(self.db)
        for url, (clinic, text) in pages.items():
            page = ExtractedPage(title="Clinic", text=text, language="", published="", description="",
                                 structured="", extractor="plain")
            result = None if page.content_hash in known_hashes(self.db, url) else score(page.text, title=page.title)
            store_page(self.db, run_id=run_id, clinic_id=self.clinics[clinic], url=url, http_status=200,
                       fetched_at=at, body_bytes=len(text), page=page, result=result)
        record_fetch(self.db, run_id, self.clinics["RenewCell Test Institute"], RENEW + "broken", 404, "error",
                     "HttpError", fetched_at=at)
        finish_run(self.db, run_id, "finished", "finished")
        record_run_events(self.db, run_id, now=at)
        return run_id

    def sent_rows(self) -> list[tuple]:
        return [tuple(r) for r in self.db.execute(
            "SELECT run_id, channel, alert_key, status, detail FROM alerts_sent ORDER BY channel, alert_key")]


@pytest.fixture
def store(tmp_path: Path) -> tuple[Store, int]:
    store = Store(tmp_path / "alerts.db")
    run_id = store.run({
        RENEW: ("RenewCell Test Institute", HARMLESS),
        RENEW + "diabetes": ("RenewCell Test Institute", f"{HARMLESS} {CURE}"),
        RENEW + "knee": ("RenewCell Test Institute", JOINT),
        VIDA + "diabetes": ("Clínica Vida", CURA),
    })
    return store, run_id


# --- receivers ----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Webhook:
    """An HTTP server on 127.0.0.1 recording every request it gets."""

    def __init__(self, status: int = 204, headers: dict[str, str] | None = None) -> None:
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                outer.requests.append({"method": "POST", "path": self.path, "headers": dict(self.headers),
                                       "body": body})
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):  # noqa: N802
                outer.requests.append({"method": "GET", "path": self.path})
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str = f"/hooks/{SECRET_TOKEN}") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    """aiosmtpd on 127.0.0.1; optionally requires AUTH with one username/password."""

    def __init__(self, password: str | None = None) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list = []
        self.logins: list[str] = []
        outer = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                outer.envelopes.append(envelope)
                outer.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
                return "250 OK"

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.password.decode() == password
            if ok:
                outer.logins.append(auth_data.login.decode())
            return AuthResult(success=ok, handled=ok)  # handled=False: the server answers 535

        options = {}
        if password is not None:
            options = {"authenticator": authenticator, "auth_require_tls": False, "auth_required": True}
        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port, **options)
        self.controller.start()

    def config(self, **overrides) -> EmailConfig:
        return EmailConfig(**{"host": "127.0.0.1", "port": self.port, "sender": "clinicwatch@example.org",
                              "recipients": ("team@example.org",), "starttls": False, "timeout": 5, **overrides})

    def close(self) -> None:
        self.controller.stop()


@pytest.fixture
def webhook():
    server = Webhook()
    yield server
    server.close()


@pytest.fixture
def mailbox():
    box = Mailbox()
    yield box
    box.close()


def closed_port_url() -> str:
    return f"http://127.0.0.1:{free_port()}/hooks/{SECRET_TOKEN}"


# --- collecting ---------------------------------------------------------------------------------

def test_collect_alerts_quotes_evidence(store):
    store, run_id = store
    alerts = collect_alerts(store.db, run_id, 0.8)
    kinds = [(a.kind, a.clinic_name, a.sentence, a.category) for a in alerts]
    assert kinds == [
        ("newly_flagged", "Clínica Vida", CURA, "cure"),
        ("newly_flagged", "RenewCell Test Institute", CURE, "cure"),
        ("claim_added", "Clínica Vida", CURA, "cure"),
        ("claim_added", "Clínica Vida", CURA, "unapproved_indication"),
        ("claim_added", "RenewCell Test Institute", CURE, "cure"),
        ("claim_added", "RenewCell Test Institute", CURE, "unapproved_indication"),
    ]  # the joint-pain claim (score 0.45, page not flagged) is below min_score
    version = score(CURE).classifier_version
    renew_cure = alerts[4]
    assert renew_cure.url == RENEW + "diabetes"
    assert (renew_cure.condition, renew_cure.captured_at, renew_cure.classifier_version) == (
        "diabetes", CAPTURED, version)
    assert renew_cure.page_flagged and renew_cure.score == pytest.approx(0.7)
    assert renew_cure.alert_key == f"run{run_id}:claim:{renew_cure.clinic_id}:{claim_key(CURE, 'cure', 'diabetes')}"
    assert alerts[1].detail == RENEW + "diabetes" and alerts[1].url == RENEW + "diabetes"
    for alert in alerts:
        text = alert.text()
        assert text.startswith("Claims detected: ")
        assert alert.sentence in text and alert.url in text and CAPTURED in text and version in text
    summary = format_alerts(run_id, alerts)
    assert "claims detected at 2 clinic(s): 4 new claim(s), 2 clinic(s) newly flagged" in summary
    assert "not a verdict" in summary
    for forbidden in ("fraud", "scam", "illegal"):
        assert forbidden not in summary.casefold()

    low = collect_alerts(store.db, run_id, 0.4)
    assert [a.sentence for a in low if a.kind == "claim_added"].count(JOINT) == 1
    with pytest.raises(LookupError):
        collect_alerts(store.db, run_id + 1, 0.8)


def test_only_the_runs_new_claims_are_alerted(store):
    store, first = store
    second = store.run({
        RENEW: ("RenewCell Test Institute", HARMLESS),
        RENEW + "diabetes": ("RenewCell Test Institute", f"{HARMLESS} {CURE}"),
        RENEW + "knee": ("RenewCell Test Institute", JOINT),
        RENEW + "autism": ("RenewCell Test Institute", "Our stem cell injections cure autism in children."),
        VIDA + "diabetes": ("Clínica Vida", CURA),
    }, at="2024-05-08T10:00:00Z")
    alerts = collect_alerts(store.db, second, 0.8)
    assert alerts and {a.kind for a in alerts} == {"claim_added"}  # both clinics were flagged already
    assert {(a.url, a.captured_at) for a in alerts} == {(RENEW + "autism", "2024-05-08T10:00:00Z")}
    assert len(collect_alerts(store.db, first, 0.8)) == 6  # the earlier run's alerts are unchanged


# --- sending ------------------------------------------------------------------------------------

def test_webhook_and_email_send_once(store, webhook, mailbox, caplog):
    store, run_id = store
    caplog.set_level(logging.INFO, logger="clinicwatch")
    config = AlertConfig(webhook_url=webhook.url(), email=mailbox.config())
    result = send_alerts(store.db, run_id, config)
    assert result.ok and [(c.channel, c.status, c.alerts) for c in result.channels] == [
        ("webhook", "sent", 6), ("email", "sent", 6)]
    assert result.sent == 12

    assert len(webhook.requests) == 1
    request = webhook.requests[0]
    assert request["headers"]["Content-Type"].startswith("application/json")
    payload = json.loads(request["body"].decode("utf-8"))
    assert payload["run_id"] == run_id and len(payload["alerts"]) == 6
    cure = next(a for a in payload["alerts"] if a["kind"] == "claim_added" and a["sentence"] == CURE)
    assert cure["url"] == RENEW + "diabetes" and cure["clinic"] == "RenewCell Test Institute"
    assert cure["captured_at"] == CAPTURED and cure["classifier_version"] == score(CURE).classifier_version
    assert (cure["category"], cure["condition"]) == ("cure", "diabetes")
    assert CURE in payload["text"] and RENEW + "diabetes" in payload["text"] and CURA in payload["text"]
    assert "Claims detected" in payload["text"]

    assert len(mailbox.messages) == 1
    message = mailbox.messages[0]
    assert message["To"] == "team@example.org" and message["From"] == "clinicwatch@example.org"
    assert "claims detected" in message["Subject"]
    body = message.get_content()
    assert CURE in body and RENEW + "diabetes" in body and CURA in body and VIDA + "diabetes" in body
    assert mailbox.envelopes[0].rcpt_tos == ["team@example.org"]

    rows = store.sent_rows()
    assert len(rows) == 12 and {(r[0], r[3], r[4]) for r in rows} == {(run_id, "sent", "")}
    assert {r[1] for r in rows} == {"webhook", "email"}

    again = send_alerts(store.db, run_id, config)  # nothing is sent twice
    assert [(c.channel, c.status) for c in again.channels] == [("webhook", "nothing_new"), ("email", "nothing_new")]
    assert again.sent == 0 and len(again.alerts) == 6
    assert len(webhook.requests) == 1 and len(mailbox.messages) == 1
    assert store.sent_rows() == rows
    assert f"127.0.0.1:{webhook.port}/…" in caplog.text


def test_unreachable_webhook_is_recorded_and_email_still_goes(store, mailbox, caplog):
    store, run_id = store
    caplog.set_level(logging.DEBUG)
    config = AlertConfig(webhook_url=closed_port_url(), email=mailbox.config(), timeout=5)
    result = send_alerts(store.db, run_id, config)  # does not raise
    assert [(c.channel, c.status) for c in result.channels] == [("webhook", "failed"), ("email", "sent")]
    assert result.failed == ["webhook"] and not result.ok
    assert "Connection refused" in result.channels[0].detail
    assert len(mailbox.messages) == 1
    rows = store.sent_rows()
    webhook_rows = [r for r in rows if r[1] == "webhook"]
    assert len(webhook_rows) == 6 and {r[3] for r in webhook_rows} == {"failed"}
    assert all("Connection refused" in r[4] for r in webhook_rows)
    assert {r[3] for r in rows if r[1] == "email"} == {"sent"}
    assert "webhook" in caplog.text and "failed" in caplog.text

    # a failed channel is tried again next time; a sent one is not
    receiver = Webhook()
    try:
        retry = send_alerts(store.db, run_id, AlertConfig(webhook_url=receiver.url(), email=mailbox.config()))
    finally:
        receiver.close()
    assert [(c.channel, c.status, c.alerts) for c in retry.channels] == [("webhook", "sent", 6),
                                                                          ("email", "nothing_new", 0)]
    assert len(receiver.requests) == 1 and len(mailbox.messages) == 1
    assert {r[3] for r in store.sent_rows()} == {"sent"} and len(store.sent_rows()) == 12


def test_http_error_and_redirect_are_failures(store):
    store, run_id = store
    for status, headers in ((500, {}), (302, {"Location": "/elsewhere"})):
        receiver = Webhook(status=status, headers=headers)
        try:
            result = send_alerts(store.db, run_id, AlertConfig(webhook_url=receiver.url()))
        finally:
            receiver.close()
        assert result.channels[0].status == "failed"
        assert result.channels[0].detail.startswith(f"HTTP {status}")
        assert [r["method"] for r in receiver.requests] == ["POST"]  # the redirect was not followed


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_secrets_never_logged_or_stored(store, monkeypatch, caplog):
    store, run_id = store
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("CLINICWATCH_TEST_SMTP_PASSWORD", SMTP_PASSWORD)
    box = Mailbox(password=SMTP_PASSWORD)
    try:
        table = {"webhook_url": closed_port_url(), "timeout": 5,
                 "email": {"host": "127.0.0.1", "port": box.port, "sender": "cw@example.org",
                           "recipients": ["team@example.org"], "username": "clinicwatch", "starttls": False,
                           "password_env": "CLINICWATCH_TEST_SMTP_PASSWORD"}}
        config = AlertConfig.from_toml(table)
        assert config.email.password == SMTP_PASSWORD
        result = send_alerts(store.db, run_id, config)
        assert [(c.channel, c.status) for c in result.channels] == [("webhook", "failed"), ("email", "sent")]
        assert box.logins == ["clinicwatch"] and len(box.messages) == 1  # logged in with the password

        # a wrong password fails the channel with the server's answer, not the password
        monkeypatch.setenv("CLINICWATCH_TEST_SMTP_PASSWORD", SMTP_PASSWORD + "-wrong")
        wrong = AlertConfig.from_toml({**table, "email": {**table["email"]}})
        run2 = store.run({RENEW + "autism": ("RenewCell Test Institute", "Our stem cells cure autism.")},
                         at="2024-05-09T00:00:00Z")
        failed = send_alerts(store.db, run2, wrong)
        assert [(c.channel, c.status) for c in failed.channels] == [("webhook", "failed"), ("email", "failed")]
        assert failed.channels[1].detail.startswith("SMTPAuthenticationError: 535")
    finally:
        box.close()
    stored = json.dumps(store.sent_rows())
    printed = " ".join([caplog.text, result.summary(), failed.summary(), repr(config), repr(wrong),
                        repr(result), repr(failed)])
    for secret in (SECRET_TOKEN, SMTP_PASSWORD):
        assert secret not in caplog.text
        assert secret not in stored
        assert secret not in printed
    assert "http://127.0.0.1:" in caplog.text and "/…" in caplog.text  # the webhook appears redacted


def test_apprise_missing_is_recorded_and_others_still_go(store, webhook, monkeypatch, caplog):
    store, run_id = store
    monkeypatch.setitem(sys.modules, "apprise", None)  # import apprise -> ImportError, installed or not
    apprise_url = f"tgram://{SECRET_TOKEN}/12345"
    result = send_alerts(store.db, run_id, AlertConfig(webhook_url=webhook.url(), apprise_urls=[apprise_url]))
    assert [(c.channel, c.status) for c in result.channels] == [("webhook", "sent"), ("apprise", "failed")]
    assert result.channels[1].detail == "apprise not installed (pip install apprise)"
    assert result.channels[1].target == "tgram://…"
    rows = [r for r in store.sent_rows() if r[1] == "apprise"]
    assert len(rows) == 6 and {(r[3], r[4]) for r in rows} == {("failed", "apprise not installed (pip install apprise)")}
    assert len(webhook.requests) == 1
    assert SECRET_TOKEN not in caplog.text and SECRET_TOKEN not in repr(result)


def test_no_channel_sends_nothing(store):
    store, run_id = store
    result = send_alerts(store.db, run_id, AlertConfig())
    assert result.channels == [] and result.sent == 0 and len(result.alerts) == 6
    assert result.summary() == f"alerts: run {run_id}: 6 alert(s); no channel configured"
    assert store.sent_rows() == []


# --- configuration ------------------------------------------------------------------------------

def test_from_toml_reads_a_full_table(monkeypatch):
    monkeypatch.setenv("SMTP_PW", SMTP_PASSWORD)
    config = AlertConfig.from_toml({
        "webhook_url": f"https://hooks.example.org/{SECRET_TOKEN}", "min_score": 0.9, "timeout": 3,
        "apprise_urls": ["mailto://user:pw@example.org"],
        "email": {"host": "smtp.example.org", "sender": "cw@example.org", "recipients": ["a@example.org"],
                  "username": "cw", "password_env": "SMTP_PW"},
    })
    assert config.channels == ["webhook", "email", "apprise"]
    assert (config.min_score, config.timeout) == (0.9, 3.0)
    assert config.email == EmailConfig(host="smtp.example.org", sender="cw@example.org", recipients=("a@example.org",),
                                       port=587, username="cw", password=SMTP_PASSWORD, password_env="SMTP_PW",
                                       starttls=True, timeout=3.0)
    assert SECRET_TOKEN not in repr(config) and SMTP_PASSWORD not in repr(config) and "pw@" not in repr(config)
    assert "https://hooks.example.org/…" in repr(config)
    defaults = AlertConfig.from_toml({})
    assert defaults.channels == [] and defaults.min_score == 0.8 and defaults.timeout == 10.0
    assert AlertConfig.from_toml({"email": {"host": "localhost", "sender": "a@b", "recipients": "c@d",
                                            "starttls": False}}).email.port == 25
    assert redact_url(f"https://u:p@hooks.example.org:8443/x/{SECRET_TOKEN}?k=v") == "https://hooks.example.org:8443/…"


EMAIL = {"host": "smtp.example.org", "sender": "cw@example.org", "recipients": ["a@example.org"]}


@pytest.mark.parametrize("table, message", [
    ([], "alerts: must be a table"),
    ({"webhook": "x"}, "alerts.webhook: unknown key (expected one of: apprise_urls, email, min_score, timeout,"
                       " webhook_url)"),
    ({"webhook_url": 5}, "alerts.webhook_url: must be a non-empty string"),
    ({"webhook_url": f"ftp://example.org/{SECRET_TOKEN}"}, "alerts.webhook_url: must be an http:// or https:// URL with a host"),
    ({"webhook_url": f"https:///{SECRET_TOKEN}"}, "alerts.webhook_url: must be an http:// or https:// URL with a host"),
    ({"min_score": "high"}, "alerts.min_score: must be a number"),
    ({"min_score": 1.5}, "alerts.min_score: must be between 0 and 1"),
    ({"timeout": 0}, "alerts.timeout: must be greater than 0"),
    ({"timeout": True}, "alerts.timeout: must be a number"),
    ({"apprise_urls": [1]}, "alerts.apprise_urls: must be a list of non-empty strings"),
    ({"apprise_urls": [SECRET_TOKEN]}, "alerts.apprise_urls: each entry must be an Apprise URL (scheme://...)"),
    ({"email": "smtp.example.org"}, "alerts.email: must be a table"),
    ({"email": {**EMAIL, "port": "25"}}, "alerts.email.port: must be an integer"),
    ({"email": {**EMAIL, "port": True}}, "alerts.email.port: must be an integer"),
    ({"email": {**EMAIL, "port": 70000}}, "alerts.email.port: must be between 1 and 65535"),
    ({"email": {k: v for k, v in EMAIL.items() if k != "host"}}, "alerts.email.host: required"),
    ({"email": {**EMAIL, "sender": "nobody"}}, "alerts.email.sender: must be an e-mail address"),
    ({"email": {**EMAIL, "recipients": []}}, "alerts.email.recipients: must be a non-empty list of e-mail addresses"),
    ({"email": {k: v for k, v in EMAIL.items() if k != "recipients"}}, "alerts.email.recipients: required"),
    ({"email": {**EMAIL, "starttls": "yes"}}, "alerts.email.starttls: must be true or false"),
    ({"email": {**EMAIL, "password": SMTP_PASSWORD}},
     "alerts.email.password: not allowed in the config file; put the password in an environment variable"
     " and name it in password_env"),
    ({"email": {**EMAIL, "username": "cw"}}, "alerts.email.password_env: required when username is set"),
    ({"email": {**EMAIL, "password_env": "CLINICWATCH_TEST_UNSET_VARIABLE"}},
     "alerts.email.password_env: environment variable CLINICWATCH_TEST_UNSET_VARIABLE is not set"),
    ({"email": {**EMAIL, "username": "cw", "password_env": "SMTP_PW", "starttls": False}},
     "alerts.email.starttls: must be true when logging in to a remote server (the password would travel"
     " unencrypted)"),
    ({"email": {**EMAIL, "timeout": -1}}, "alerts.email.timeout: must be greater than 0"),
    ({"email": {**EMAIL, "tls": True}}, "alerts.email.tls: unknown key (expected one of: host, password,"
                                        " password_env, port, recipients, sender, starttls, timeout, username)"),
])
def test_from_toml_errors_are_one_line(table, message, monkeypatch):
    monkeypatch.setenv("SMTP_PW", SMTP_PASSWORD)
    monkeypatch.delenv("CLINICWATCH_TEST_UNSET_VARIABLE", raising=False)
    with pytest.raises(ValueError) as caught:
        AlertConfig.from_toml(table)
    text = str(caught.value)
    assert text == message
    assert "\n" not in text and SECRET_TOKEN not in text and SMTP_PASSWORD not in text
