"""Alerts after a monitoring run: new high-scoring claims and newly flagged clinics.

`collect_alerts` reads what a finished run recorded (claim_events, clinic_events; run
`crawler.store.events.record_run_events` first) and `send_alerts` delivers them once per
channel (webhook, e-mail, Apprise), recording every (channel, alert) in `alerts_sent`, so
calling it again for the same run sends nothing new; alerts whose send failed are tried again.
A failing channel is recorded and logged, never raised. Alerts report *claims detected*, with
their evidence (sentence, URL, capture time, classifier version), never a verdict.

Secrets stay out of logs and the DB: webhook URLs are logged as scheme://host/…, Apprise URLs
as scheme://…, the SMTP password is read from the environment variable the config names and
never logged, stored or shown in a repr; error details are scrubbed of all of them.

Config (the `[alerts]` table of the scheduler's TOML file):

    [alerts]
    min_score = 0.8                      # CLINICWATCH_ALERT_MIN_SCORE
    timeout = 10                         # seconds, CLINICWATCH_ALERT_TIMEOUT
    webhook_url = "https://hooks.example.org/T000/SECRET"
    apprise_urls = ["mailto://...", "tgram://..."]   # needs `pip install apprise`

    [alerts.email]
    host = "smtp.example.org"
    port = 587                           # default 587 with starttls, else 25
    sender = "clinicwatch@example.org"
    recipients = ["team@example.org"]
    username = "clinicwatch"             # optional; login only when given
    password_env = "CLINICWATCH_SMTP_PASSWORD"   # the password itself never goes in the file
    starttls = true                      # default true
    timeout = 10                         # default: alerts.timeout
"""
from __future__ import annotations

import base64
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any, Callable

import sqlite_utils

from crawler import settings
from crawler.store.events import claim_key
from crawler.store.writer import utc_now
from scheduler.alert_config import (  # noqa: F401  (re-exported: the alerts API)
    AlertConfig, EmailConfig, redact_apprise_url, redact_url,
)

log = logging.getLogger("clinicwatch.alerts")

CHANNELS = ("webhook", "email", "apprise")
USER_AGENT = "ClinicWatch/0.1 alerts"
DISCLAIMER = ("Claims detected on clinic websites by an automated classifier; each needs reading in context"
              " and is not a verdict about a business.")


# --- collecting ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Alert:
    """One thing worth telling a researcher, with the evidence behind it."""

    alert_key: str  # unique per run and subject: "run<id>:claim:<clinic>:<claim key>" | "run<id>:newly_flagged:<clinic>"
    kind: str  # claim_added | newly_flagged
    run_id: int
    clinic_id: int
    clinic_name: str
    sentence: str  # evidence: the claim, verbatim ("" for a flagged clinic without a stored asserted claim)
    url: str  # evidence: where
    category: str | None
    condition: str | None
    score: float | None  # the claim's score
    page_score: float | None
    page_flagged: bool
    captured_at: str | None  # evidence: when
    classifier_version: str | None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "alert_key": self.alert_key, "kind": self.kind, "run_id": self.run_id, "clinic_id": self.clinic_id,
            "clinic": self.clinic_name, "sentence": self.sentence, "url": self.url, "category": self.category,
            "condition": self.condition, "score": self.score, "page_score": self.page_score,
            "page_flagged": self.page_flagged, "captured_at": self.captured_at,
            "classifier_version": self.classifier_version, "detail": self.detail, "text": self.text(),
        }

    def text(self) -> str:
        """A few plain-text lines: what was detected, the sentence, the URL, when, which classifier."""
        if self.kind == "newly_flagged":
            pages = len(self.detail.split()) if self.detail else 0
            head = f"Claims detected: {self.clinic_name} is newly flagged ({pages} flagged page(s))"
        else:
            head = f"Claims detected: new claim on {self.clinic_name}"
        facts = [x for x in (self.category, self.condition) if x]
        if self.score is not None:
            facts.append(f"claim score {self.score:.2f}")
        if self.page_score is not None:
            facts.append(f"page score {self.page_score:.2f}" + (", flagged" if self.page_flagged else ""))
        lines = [head]
        if self.sentence:
            lines.append(f'  "{_one_line(self.sentence)}"' + (f" ({'; '.join(facts)})" if facts else ""))
        lines.append(f"  {_one_line(self.url)}  captured {self.captured_at or 'unknown'}"
                     f"  classifier {self.classifier_version or 'unknown'}")
        return "\n".join(lines)


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def _clinic_claims(db: sqlite_utils.Database, clinic_id: int) -> dict[str, list[dict[str, Any]]]:
    """The clinic's asserted claims under each version's newest scoring, by claim key."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    rows = db.query(
        "SELECT c.sentence, c.category, c.condition, c.url, c.captured_at, c.classifier_version, c.score,"
        " s.score AS page_score, s.flagged,"
        " EXISTS (SELECT 1 FROM pages p WHERE p.clinic_id = c.clinic_id AND p.current_version_id = c.version_id)"
        "   AS current"
        " FROM claims c JOIN page_scores s ON s.version_id = c.version_id AND s.classifier_version = c.classifier_version"
        " WHERE c.clinic_id = ? AND c.stance = 'asserts' AND s.classifier_version = ("
        "   SELECT classifier_version FROM page_scores WHERE version_id = c.version_id"
        "   ORDER BY scored_at DESC, classifier_version DESC LIMIT 1)", [clinic_id])
    for row in rows:
        by_key.setdefault(claim_key(row["sentence"], row["category"], row["condition"]), []).append(row)
    return by_key


def _qualifies(row: dict[str, Any], min_score: float) -> bool:
    return (row["score"] or 0) >= min_score or bool(row["flagged"])


def _alert_from(row: dict[str, Any] | None, *, fallback_url: str = "", **fields: Any) -> Alert:
    row = row or {}
    return Alert(
        sentence=row.get("sentence") or "", url=row.get("url") or fallback_url,
        category=row.get("category"), condition=row.get("condition"), score=row.get("score"),
        page_score=row.get("page_score"), page_flagged=bool(row.get("flagged")),
        captured_at=row.get("captured_at"), classifier_version=row.get("classifier_version"), **fields)


def collect_alerts(db: sqlite_utils.Database, run_id: int, min_score: float | None = None) -> list[Alert]:
    """The run's alerts: newly flagged clinics first, then new claims (by clinic name, then event order).

    A claim added in the run (claim_events 'added') is alerted when its claim, found among the
    clinic's stored claims by claim key (current page versions first, the event's URL first),
    scores at least `min_score` or sits on a flagged page. A claim no longer stored is skipped.
    Raises LookupError for an unknown run.
    """
    if min_score is None:
        min_score = float(settings.CLINICWATCH_ALERT_MIN_SCORE)
    if db.execute("SELECT 1 FROM runs WHERE id = ?", [run_id]).fetchone() is None:
        raise LookupError(f"no run {run_id}")
    names = {row[0]: row[1] for row in db.execute("SELECT id, name FROM clinics")}
    claims_of: dict[int, dict[str, list[dict[str, Any]]]] = {}

    def claims(clinic_id: int) -> dict[str, list[dict[str, Any]]]:
        if clinic_id not in claims_of:
            claims_of[clinic_id] = _clinic_claims(db, clinic_id)
        return claims_of[clinic_id]

    flagged_alerts: list[Alert] = []
    for clinic_id, detail, _at in db.execute(
            "SELECT clinic_id, detail, at FROM clinic_events WHERE run_id = ? AND event = 'newly_flagged'"
            " ORDER BY id", [run_id]).fetchall():
        urls = set((detail or "").split())
        candidates = [r for rows in claims(clinic_id).values() for r in rows
                      if r["url"] in urls and r["current"] and r["flagged"]]
        best = max(candidates, key=lambda r: (r["score"] or 0, r["page_score"] or 0), default=None)
        flagged_alerts.append(_alert_from(
            best, alert_key=f"run{run_id}:newly_flagged:{clinic_id}", kind="newly_flagged", run_id=run_id,
            clinic_id=clinic_id, clinic_name=names.get(clinic_id, f"clinic {clinic_id}"), detail=detail or "",
            fallback_url=sorted(urls)[0] if urls else ""))

    claim_alerts: list[Alert] = []
    for clinic_id, key, url, at in db.execute(
            "SELECT clinic_id, claim_key, url, at FROM claim_events WHERE run_id = ? AND event = 'added'"
            " ORDER BY id", [run_id]).fetchall():
        rows = claims(clinic_id).get(key, [])
        current = [r for r in rows if r["current"]]
        rows = current or [r for r in rows if not at or (r["captured_at"] or "") <= at]
        rows = sorted(rows, key=lambda r: (r["url"] != url, -(r["score"] or 0), r["captured_at"] or ""))
        best = next((r for r in rows if _qualifies(r, min_score)), None)
        if best is None:
            continue
        claim_alerts.append(_alert_from(
            best, alert_key=f"run{run_id}:claim:{clinic_id}:{key}", kind="claim_added", run_id=run_id,
            clinic_id=clinic_id, clinic_name=names.get(clinic_id, f"clinic {clinic_id}")))

    def order(alert: Alert) -> str:
        return alert.clinic_name.casefold()

    return sorted(flagged_alerts, key=order) + sorted(claim_alerts, key=order)  # stable: event order kept


def format_alerts(run_id: int, alerts: list[Alert]) -> str:
    """The human summary used as webhook `text`, e-mail body and Apprise body."""
    clinics = len({a.clinic_id for a in alerts})
    flagged = sum(a.kind == "newly_flagged" for a in alerts)
    claims = sum(a.kind == "claim_added" for a in alerts)
    lines = [f"ClinicWatch run {run_id}: claims detected at {clinics} clinic(s):"
             f" {claims} new claim(s), {flagged} clinic(s) newly flagged.", DISCLAIMER, ""]
    for alert in alerts:
        lines += [alert.text(), ""]
    return "\n".join(lines).rstrip() + "\n"


# --- sending ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ChannelResult:
    channel: str  # webhook | email | apprise
    status: str  # sent | failed | nothing_new
    alerts: int  # alerts this call tried to send on the channel
    target: str  # redacted destination, safe to print
    detail: str = ""  # error on failure, scrubbed of secrets


@dataclass
class AlertResult:
    run_id: int
    alerts: list[Alert] = field(default_factory=list)
    channels: list[ChannelResult] = field(default_factory=list)

    @property
    def sent(self) -> int:
        """(alert, channel) pairs delivered by this call."""
        return sum(c.alerts for c in self.channels if c.status == "sent")

    @property
    def failed(self) -> list[str]:
        return [c.channel for c in self.channels if c.status == "failed"]

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        parts = [f"{c.channel} {c.status}" + (f" ({c.alerts})" if c.status != "nothing_new" else "")
                 + (f": {c.detail}" if c.detail else "") for c in self.channels]
        return (f"alerts: run {self.run_id}: {len(self.alerts)} alert(s)"
                + (f"; {', '.join(parts)}" if parts else "; no channel configured"))


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirected POST would silently lose its body (or go to another host): treat it as an error."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D401, ANN001
        return None


def _post_webhook(url: str, payload: dict[str, Any], timeout: float) -> None:
    parts = urllib.parse.urlsplit(url)
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    if parts.username is not None or parts.password is not None:  # basic auth given in the URL
        credentials = f"{urllib.parse.unquote(parts.username or '')}:{urllib.parse.unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(credentials.encode()).decode()
        host = parts.hostname or ""
        if ":" in host:
            host = f"[{host}]"
        url = urllib.parse.urlunsplit(parts._replace(netloc=host + (f":{parts.port}" if parts.port else "")))
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=body, method="POST", headers=headers)
    opener = urllib.request.build_opener(_NoRedirect)
    with opener.open(request, timeout=timeout) as response:
        response.read(65536)
        if not 200 <= response.status < 300:
            raise RuntimeError(f"HTTP {response.status}")


def _send_email(config: EmailConfig, run_id: int, alerts: list[Alert], body: str) -> None:
    message = EmailMessage()
    message["Subject"] = f"ClinicWatch run {run_id}: claims detected ({len(alerts)} alert(s))"
    message["From"] = config.sender
    message["To"] = ", ".join(config.recipients)
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain="clinicwatch.invalid")
    message.set_content(body)
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.username:
            smtp.login(config.username, config.password or "")
        refused = smtp.send_message(message)
    if refused:
        raise RuntimeError(f"recipients refused: {', '.join(sorted(refused))}")


class _ChannelUnavailable(Exception):
    pass


def _send_apprise(urls: list[str], run_id: int, alerts: list[Alert], body: str) -> None:
    try:
        import apprise  # optional: pip install apprise
    except ImportError:
        raise _ChannelUnavailable("apprise not installed (pip install apprise)") from None
    notifier = apprise.Apprise()
    for url in urls:
        if not notifier.add(url):
            raise RuntimeError("an Apprise URL was not accepted")
    if not notifier.notify(title=f"ClinicWatch run {run_id}: claims detected ({len(alerts)} alert(s))", body=body):
        raise RuntimeError("Apprise reported that a notification failed")


def _secrets(config: AlertConfig) -> list[str]:
    """Every string that must never appear in a stored or logged error."""
    found: list[str] = []
    urls = ([config.webhook_url] if config.webhook_url else []) + list(config.apprise_urls)
    for url in urls:
        found.append(url)
        try:
            parts = urllib.parse.urlsplit(url)
        except ValueError:
            continue
        rest = url.split("://", 1)[-1]
        found += [rest, parts.path, parts.query, parts.fragment, parts.password or "", parts.username or ""]
        found += [seg for seg in parts.path.split("/") if len(seg) >= 6]
        if url in config.apprise_urls:
            found.append(parts.netloc)
    if config.email and config.email.password:
        found.append(config.email.password)
    return sorted({s for s in found if s and len(s) >= 3}, key=len, reverse=True)


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return _one_line(text)[:300]


def _error_text(exc: BaseException, secrets: list[str]) -> str:
    if isinstance(exc, _ChannelUnavailable):
        return str(exc)
    if isinstance(exc, urllib.error.HTTPError):
        text = f"HTTP {exc.code} {exc.reason}"
    elif isinstance(exc, urllib.error.URLError):
        text = f"URLError: {exc.reason}"
    elif isinstance(exc, smtplib.SMTPResponseException):
        error = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else str(exc.smtp_error)
        text = f"{type(exc).__name__}: {exc.smtp_code} {error}"
    else:
        text = f"{type(exc).__name__}: {exc}"
    return _scrub(text, secrets)


def _record(db: sqlite_utils.Database, run_id: int, channel: str, alerts: list[Alert], status: str,
            detail: str) -> None:
    now = utc_now()
    with db.atomic():
        db.conn.executemany(
            "INSERT INTO alerts_sent (run_id, channel, alert_key, sent_at, status, detail) VALUES (?,?,?,?,?,?)"
            " ON CONFLICT (channel, alert_key) DO UPDATE SET run_id = excluded.run_id, sent_at = excluded.sent_at,"
            " status = excluded.status, detail = excluded.detail",
            [(run_id, channel, a.alert_key, now, status, detail) for a in alerts])


def send_alerts(db: sqlite_utils.Database, run_id: int, config: AlertConfig) -> AlertResult:
    """Send the run's alerts on every configured channel; never raises for a failing channel.

    Per channel, alerts already recorded as sent are skipped; the rest go in one message
    (webhook POST, e-mail, Apprise notification) and are recorded as sent or failed (failed
    ones are tried again by the next call). Raises LookupError for an unknown run.
    Do not run two calls for the same run concurrently (each could send before the other records).
    """
    alerts = collect_alerts(db, run_id, config.min_score)
    result = AlertResult(run_id, alerts)
    secrets = _secrets(config)
    senders: dict[str, tuple[str, Callable[[list[Alert], str], None]]] = {}
    if config.webhook_url:
        url = config.webhook_url
        senders["webhook"] = (redact_url(url), lambda batch, text: _post_webhook(
            url, {"run_id": run_id, "alerts": [a.as_dict() for a in batch], "text": text}, config.timeout))
    if config.email:
        email = config.email
        senders["email"] = (f"smtp://{email.host}:{email.port} to {len(email.recipients)} recipient(s)",
                            lambda batch, text: _send_email(email, run_id, batch, text))
    if config.apprise_urls:
        urls = list(config.apprise_urls)
        senders["apprise"] = (", ".join(redact_apprise_url(u) for u in urls),
                              lambda batch, text: _send_apprise(urls, run_id, batch, text))
    for channel, (target, send) in senders.items():
        done = {row[0] for row in db.execute(
            "SELECT alert_key FROM alerts_sent WHERE channel = ? AND status = 'sent' AND run_id = ?",
            [channel, run_id]).fetchall()}
        batch = [a for a in alerts if a.alert_key not in done]
        if not batch:
            result.channels.append(ChannelResult(channel, "nothing_new", 0, target))
            continue
        try:
            send(batch, format_alerts(run_id, batch))
        except Exception as exc:  # a channel failing must not stop the others or the scheduler
            detail = _error_text(exc, secrets)
            _record(db, run_id, channel, batch, "failed", detail)
            log.warning("alerts: run %s: %s to %s failed: %s", run_id, channel, target, detail)
            result.channels.append(ChannelResult(channel, "failed", len(batch), target, detail))
            continue
        _record(db, run_id, channel, batch, "sent", "")
        log.info("alerts: run %s: %d alert(s) sent by %s to %s", run_id, len(batch), channel, target)
        result.channels.append(ChannelResult(channel, "sent", len(batch), target))
    return result
