"""Which URLs belong to a clinic: its registered domains, their www and other subdomains."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def ascii_host(host: str) -> str:
    """A host as requests carry it and as every scope and guard check compares it: lower case, no
    trailing dot, non-ASCII names in IDNA form ("café.example" -> "xn--caf-dma.example", as Scrapy
    encodes request URLs). A name IDNA cannot encode comes back non-ASCII (seeds refuse it)."""
    host = host.strip().rstrip(".")
    if not host.isascii():
        try:
            host = unicodedata.normalize("NFKC", host).encode("idna").decode("ascii")
        except UnicodeError:
            pass
    return host.lower()


def host_of(url: str) -> str:
    """Host of a URL as ascii_host() gives it, without port ('' when there is none)."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return ascii_host(host)


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
        domain = ascii_host(domain)  # a DB from before seeds were stored in IDNA form may hold "café.example"
        if host == domain or host.endswith("." + domain):
            return True
    return False
