"""Which URLs belong to a clinic: its registered domains, their www and other subdomains."""
from __future__ import annotations

from urllib.parse import urlsplit


def host_of(url: str) -> str:
    """Lower-case host of a URL without port or trailing dot ('' when there is none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host.rstrip(".").lower()


def default_domain(url: str) -> str:
    """The domain a start URL implies: its host without a leading 'www.'."""
    host = host_of(url)
    return host[4:] if host.startswith("www.") else host


def in_domains(url: str, domains: list[str] | tuple[str, ...]) -> bool:
    """True when the URL's host is one of `domains` or a subdomain of one."""
    host = host_of(url)
    if not host:
        return False
    for domain in domains:
        domain = domain.lower().rstrip(".")
        if host == domain or host.endswith("." + domain):
            return True
    return False
