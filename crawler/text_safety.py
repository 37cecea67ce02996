"""What crawled text and URLs may look like when they leave ClinicWatch: no secrets, no control codes.

Two rules, used at every output boundary (logs, fetch_log errors, reports, CLI output; the
reports and datasette layers build on these primitives, crawler/ cannot import them):

* **Secrets in URLs.** `redact_url` replaces the userinfo of a URL (`user:pass@`) by `***@` and
  the value of every query parameter named like a secret (`SECRET_PARAMS`, or ending in
  `_token`, `_secret`, `_password`, `_signature`, `_key`) by `***`. `redact_urls_in` does that to
  every URL inside free text (an error message, a log line, a whole report). The crawler never
  requests a URL with userinfo (`strip_userinfo`): a link or redirect that carries credentials
  is fetched without them, so they are neither sent nor stored.
* **Control characters.** Crawled pages can carry terminal escape sequences (OSC `ESC]0;...BEL`
  retitles a terminal, CSI `ESC[...m` recolours or hides text, C1 controls such as U+009B act
  as CSI in some terminals) and BiDi overrides that make text read differently from its bytes
  ("Trojan Source"). `neutralise_controls` replaces each by a visible stand-in: C0 controls and
  DEL by their Unicode Control Picture (ESC becomes "␛", BEL "␇"), C1 controls and the BiDi
  embedding/override/isolate characters by U+FFFD. Newline and tab are kept; so are the
  ordinary marks real text needs (no-break space, ZWJ/ZWNJ, LRM/RLM). The DB keeps the text
  verbatim: it is the evidence; only what is shown or exported is neutralised.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Callable
from urllib.parse import urlsplit

REDACTED = "***"
# Query parameters whose value is a credential (compared lower-case, "-" read as "_").
SECRET_PARAMS = frozenset({
    "token", "access_token", "auth", "auth_token", "key", "apikey", "api_key", "password",
    "passwd", "pwd", "secret", "client_secret", "sig", "signature", "session", "sessionid",
    "session_id", "jsessionid", "phpsessid",
})
SECRET_SUFFIXES = ("_token", "_secret", "_password", "_signature", "_key")
REPLACEMENT = "\ufffd"
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

# C0 controls except TAB and LF, and DEL -> Control Pictures; C1 and BiDi controls -> U+FFFD.
_STAND_INS = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_STAND_INS[0x7F] = 0x2421
_STAND_INS.update({c: 0xFFFD for c in range(0x80, 0xA0)})
_STAND_INS.update({ord(c): 0xFFFD for c in BIDI_CONTROLS})
_JSON_RAW = re.compile("[\x7f-\x9f" + BIDI_CONTROLS + "]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + BIDI_CONTROLS + "]")

# scheme://userinfo@ (userinfo: anything up to "@" that cannot end the authority)
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^\s/?#@\"'<>\\]*@")
# ?name=value or &name=value (also &amp; in HTML, ; as a separator); the value runs to the next
# separator, quote, space or tag.
_PARAM = re.compile(r"(?i)([?&;](?:amp;)?)([a-z0-9_.\-\[\]]+)=([^&;#\s\"'<>\\]*)")


def neutralise_controls(text: str) -> str:
    """`text` with every terminal/BiDi control character replaced by a visible stand-in."""
    if _CONTROL.search(text) is None:  # the common case: nothing to do, no copy
        return text
    return text.translate(_STAND_INS)


def has_controls(text: str) -> bool:
    """Whether `text` holds a character `neutralise_controls` would replace."""
    return _CONTROL.search(text) is not None


def is_secret_param(name: str) -> bool:
    name = name.lower().replace("-", "_")
    return name in SECRET_PARAMS or name.endswith(SECRET_SUFFIXES)


def _redact_param(match: re.Match[str]) -> str:
    if not match.group(3) or not is_secret_param(match.group(2)):
        return match.group(0)
    return f"{match.group(1)}{match.group(2)}={REDACTED}"


def redact_urls_in(text: str) -> str:
    """Every URL in `text` with its userinfo and secret query values replaced by `***`."""
    if "@" in text:
        text = _USERINFO.sub(rf"\1{REDACTED}@", text)
    if "=" in text:
        text = _PARAM.sub(_redact_param, text)
    return text


def redact_url(url: str) -> str:
    """`url` as it may be shown or logged: userinfo and secret query values are `***`."""
    return redact_urls_in(url)


def safe_text(text: str) -> str:
    """Crawled text for a terminal or a text export: URL secrets redacted, controls neutralised."""
    return neutralise_controls(redact_urls_in(text))


def safe_json(text: str) -> str:
    """A JSON document (json.dumps, ensure_ascii=False) for a terminal or a file: URL secrets
    redacted, and the control characters JSON leaves raw (DEL, C1, BiDi) written as \\uXXXX
    escapes, so the data read back is unchanged (JSON escapes C0 itself)."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", redact_urls_in(text))


def strip_userinfo(url: str) -> str:
    """`url` without `user:pass@`: what the crawler requests (credentials are never sent or kept)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


def origin_only(url: str) -> str:
    """scheme://host[:port]/… : all that may be shown of a URL whose path may hold a token (webhooks)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "(invalid URL)"
    if ":" in host:
        host = f"[{host}]"
    return f"{parts.scheme}://{host}{port}/…"


def _safe_record_factory(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a malformed call: leave it to logging's own error handling
            return record
        record.msg, record.args = safe_text(message), None
        return record
    make.clinicwatch_safe = True  # type: ignore[attr-defined]
    return make


def install_log_redaction() -> None:
    """Make every log record of this process redacted and neutralised before any handler sees it.

    A record factory, not a handler filter: Scrapy replaces its root handler as settings change,
    and a factory also covers handlers added later. Idempotent.
    """
    factory = logging.getLogRecordFactory()
    if not getattr(factory, "clinicwatch_safe", False):
        logging.setLogRecordFactory(_safe_record_factory(factory))


class SafeLogs:
    """Scrapy extension (EXTENSIONS): the crawl log never shows URL secrets or raw control codes."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> "SafeLogs":
        install_log_redaction()
        return cls()
