"""Alert configuration: the `[alerts]` table of the scheduler's TOML file, validated, and URL redaction.

Secrets never appear in a repr or an error: the SMTP password comes from the environment
variable the config names; URLs are shown redacted (scheme://host/...).
"""
from __future__ import annotations

import ipaddress
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any


from crawler import settings
from crawler.text_safety import origin_only


# --- configuration ------------------------------------------------------------------------------

def _fail(path: str, message: str) -> ValueError:
    return ValueError(f"{path}: {message}")


def _string(table: dict[str, Any], key: str, path: str, *, required: bool = False) -> str | None:
    value = table.get(key)
    if value is None:
        if required:
            raise _fail(f"{path}.{key}", "required")
        return None
    if not isinstance(value, str) or not value.strip():
        raise _fail(f"{path}.{key}", "must be a non-empty string")
    return value.strip()


def _number(table: dict[str, Any], key: str, path: str, default: float, *, low: float, high: float | None,
            low_open: bool = False) -> float:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(f"{path}.{key}", "must be a number")
    if value < low or (low_open and value == low) or (high is not None and value > high):
        bounds = f"greater than {low:g}" if high is None else f"between {low:g} and {high:g}"
        raise _fail(f"{path}.{key}", f"must be {bounds}")
    return float(value)


def _string_list(table: dict[str, Any], key: str, path: str) -> list[str]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise _fail(f"{path}.{key}", "must be a list of non-empty strings")
    return [v.strip() for v in value]


def _check_keys(table: dict[str, Any], allowed: set[str], path: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise _fail(f"{path}.{unknown[0]}", f"unknown key (expected one of: {', '.join(sorted(allowed))})")


def _is_loopback(host: str) -> bool:
    if host.casefold() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class EmailConfig:
    host: str
    sender: str
    recipients: tuple[str, ...]
    port: int = 587
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # read from the env var `password_env`
    password_env: str | None = None
    starttls: bool = True
    timeout: float = 10.0

    @classmethod
    def from_toml(cls, table: Any, path: str = "alerts.email", default_timeout: float = 10.0) -> "EmailConfig":
        if not isinstance(table, dict):
            raise _fail(path, "must be a table")
        _check_keys(table, {"host", "port", "sender", "recipients", "username", "password_env", "starttls",
                            "timeout", "password"}, path)
        if "password" in table:
            raise _fail(f"{path}.password", "not allowed in the config file; put the password in an environment"
                                            " variable and name it in password_env")
        host = _string(table, "host", path, required=True)
        starttls = table.get("starttls", True)
        if not isinstance(starttls, bool):
            raise _fail(f"{path}.starttls", "must be true or false")
        port = table.get("port", 587 if starttls else 25)
        if isinstance(port, bool) or not isinstance(port, int):
            raise _fail(f"{path}.port", "must be an integer")
        if not 1 <= port <= 65535:
            raise _fail(f"{path}.port", "must be between 1 and 65535")
        sender = _string(table, "sender", path, required=True)
        if "@" not in sender:
            raise _fail(f"{path}.sender", "must be an e-mail address")
        if "recipients" not in table:
            raise _fail(f"{path}.recipients", "required")
        recipients = _string_list(table, "recipients", path)
        if not recipients or not all("@" in r for r in recipients):
            raise _fail(f"{path}.recipients", "must be a non-empty list of e-mail addresses")
        username = _string(table, "username", path)
        password_env = _string(table, "password_env", path)
        password = None
        if password_env is not None:
            password = os.environ.get(password_env)
            if not password:
                raise _fail(f"{path}.password_env", f"environment variable {password_env} is not set")
        if username is not None:
            if password is None:
                raise _fail(f"{path}.password_env", "required when username is set")
            if not starttls and not _is_loopback(host):
                raise _fail(f"{path}.starttls", "must be true when logging in to a remote server"
                                                " (the password would travel unencrypted)")
        timeout = _number(table, "timeout", path, default_timeout, low=0, high=None, low_open=True)
        return cls(host=host, sender=sender, recipients=tuple(recipients), port=port, username=username,
                   password=password, password_env=password_env, starttls=starttls, timeout=timeout)


@dataclass
class AlertConfig:
    webhook_url: str | None = None
    email: EmailConfig | None = None
    apprise_urls: list[str] = field(default_factory=list)
    min_score: float = field(default_factory=lambda: float(settings.CLINICWATCH_ALERT_MIN_SCORE))
    timeout: float = field(default_factory=lambda: float(settings.CLINICWATCH_ALERT_TIMEOUT))

    def __repr__(self) -> str:  # URLs may carry tokens: never print them whole
        webhook = redact_url(self.webhook_url) if self.webhook_url else None
        apprise = [redact_apprise_url(u) for u in self.apprise_urls]
        return (f"AlertConfig(webhook_url={webhook!r}, email={self.email!r}, apprise_urls={apprise!r},"
                f" min_score={self.min_score!r}, timeout={self.timeout!r})")

    @property
    def channels(self) -> list[str]:
        """Configured channels, in the order they are sent."""
        return [name for name, on in (("webhook", self.webhook_url), ("email", self.email),
                                      ("apprise", self.apprise_urls)) if on]

    @classmethod
    def from_toml(cls, table: Any, path: str = "alerts") -> "AlertConfig":
        """Build from the parsed `[alerts]` table; raise ValueError with one line naming the bad key.

        Error messages never repeat a URL or password from the config.
        """
        if table is None:
            table = {}
        if not isinstance(table, dict):
            raise _fail(path, "must be a table")
        _check_keys(table, {"webhook_url", "email", "apprise_urls", "min_score", "timeout"}, path)
        webhook_url = _string(table, "webhook_url", path)
        if webhook_url is not None:
            parts = urllib.parse.urlsplit(webhook_url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise _fail(f"{path}.webhook_url", "must be an http:// or https:// URL with a host")
            try:
                parts.port
            except ValueError:
                raise _fail(f"{path}.webhook_url", "has an invalid port") from None
        apprise_urls = _string_list(table, "apprise_urls", path)
        for url in apprise_urls:
            if "://" not in url:
                raise _fail(f"{path}.apprise_urls", "each entry must be an Apprise URL (scheme://...)")
        min_score = _number(table, "min_score", path, float(settings.CLINICWATCH_ALERT_MIN_SCORE), low=0, high=1)
        timeout = _number(table, "timeout", path, float(settings.CLINICWATCH_ALERT_TIMEOUT), low=0, high=None,
                          low_open=True)
        email = None
        if "email" in table:
            email = EmailConfig.from_toml(table["email"], f"{path}.email", default_timeout=timeout)
        return cls(webhook_url=webhook_url, email=email, apprise_urls=apprise_urls, min_score=min_score,
                   timeout=timeout)


def redact_url(url: str) -> str:
    """scheme://host[:port]/… — what may be logged of a URL whose path or query may hold a token.

    Webhook URLs carry their token anywhere in the path, so only the origin is shown
    (crawler.text_safety.origin_only; crawled URLs get the lighter `text_safety.redact_url`).
    """
    return origin_only(url)


def redact_apprise_url(url: str) -> str:
    """scheme://… only: Apprise puts tokens in the host part too (tgram://BOTTOKEN/...)."""
    scheme = url.split("://", 1)[0] if "://" in url else "?"
    return f"{scheme}://…"


