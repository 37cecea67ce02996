"""Refuse requests to private, loopback, link-local and other non-public addresses (SSRF guard).

A watched site must not be able to point the crawler at the machine it runs on or at its
network: a redirect or link to 10.x, 192.168.x, 127.x, 169.254.169.254 (cloud metadata), ::1 ...
is refused. The rule, decided per request by `check()`:

1. every address the host resolves to is public: allowed;
2. the host is one the user wrote in the clinic's seeds (a start-URL host or a `domains`
   entry, exactly; not their subdomains): allowed. Your own test or intranet sites work
   without switches. A seed written as an IP is trusted whatever it is; a seed *name* is not
   trusted to resolve to a link-local address (169.254.169.254 and other cloud metadata);
3. the host name, or every non-public address it resolves to, is in the allow-list
   (`CLINICWATCH_ALLOWED_PRIVATE_HOSTS`, `clinicwatch crawl --allow-host`): allowed;
4. anything else that resolves to a non-public address is refused, with a one-line reason.

`CLINICWATCH_ALLOW_PRIVATE` (`--allow-private`) switches the guard off entirely (test rigs).

Host spellings are normalised the way the system resolver reads them (inet_aton semantics):
`2130706433`, `0x7f000001`, `017700000001`, `127.1` are all 127.0.0.1; IPv4-mapped, IPv4-compatible,
6to4 and NAT64 IPv6 addresses are judged by the IPv4 address they carry.

Every resolution goes through `resolve()`, which caches its answer for the crawl: the crawl's
DNS resolver (crawler/netresolver.py) hands Scrapy the same cached addresses the guard checked, and
checks them again, so a DNS answer that changes between check and connect (rebinding) cannot
smuggle a private address in. This module is pure Python (no Scrapy, no Twisted).
"""
from __future__ import annotations

import ipaddress
import re
import socket
import threading
from dataclasses import dataclass
from typing import Iterable, Union

from crawler.scope import ascii_host

IPAddress = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
IPNetwork = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]

# What inet_aton() accepts: 1 to 4 dot-separated parts, each decimal, octal (leading 0) or hex (0x).
_NUMERIC_V4 = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$", re.IGNORECASE)
_HOST_NAME = re.compile(r"^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated ::a.b.c.d
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _strip(host: str) -> str:
    host = ascii_host(host)  # "café.example" in a pin, allow-list or seed is the "xn--" name requests carry
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host.split("%", 1)[0]  # an IPv6 zone id (fe80::1%eth0) does not change the address


_NUMERIC_LABEL = re.compile(r"^(0x[0-9a-f]*|[0-9]+)$", re.IGNORECASE)


def looks_numeric(host: str) -> bool:
    """True when a host ends in a number (WHATWG URL rule): an IPv4 address, valid or not, never a name."""
    host = _strip(host)
    return ":" not in host and bool(_NUMERIC_LABEL.match(host.rsplit(".", 1)[-1]))


def ip_literal(host: str) -> IPAddress | None:
    """The address an IP-literal host stands for (any inet_aton spelling), or None for a name."""
    host = _strip(host)
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _NUMERIC_V4.match(host):  # checked first: inet_aton() accepts trailing garbage
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def canonical_host(host: str) -> str:
    """A host as compared against seeds and the allow-list: an IP in its standard form, else the name."""
    ip = ip_literal(host)
    return str(ip) if ip is not None else _strip(host)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip.sixtofour:
        return ip.sixtofour
    if ip in _NAT64 or (ip in _IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _unmapped(ip: IPAddress) -> IPAddress:
    """::ffff:a.b.c.d is a.b.c.d."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        return ip.ipv4_mapped
    return ip


def is_public_ip(address: str | IPAddress) -> bool:
    """Whether an address is globally routable unicast (not private, loopback, link-local, ...)."""
    ip = ipaddress.ip_address(_strip(address)) if isinstance(address, str) else address
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public_ip(embedded)
        if ip in _IPV4_COMPATIBLE:  # :: and ::1
            return False
    return ip.is_global and not ip.is_multicast


# -- resolution (cached for the life of the process: one crawl) ------------------------------------
_CACHE_LIMIT = 10000
_cache: dict[str, tuple[str, ...]] = {}
_pins: dict[str, tuple[str, ...]] = {}
_cleared: set[str] = set()
_lock = threading.Lock()


def parse_pins(text: str) -> dict[str, tuple[str, ...]]:
    """`HOST=IP [HOST=IP ...]` (like curl --resolve): fixed answers for host names. ValueError if bad."""
    pins: dict[str, list[str]] = {}
    for entry in text.split():
        host, sep, address = entry.partition("=")
        ip = ip_literal(address) if sep else None
        if ip is None or not _HOST_NAME.match(_strip(host)) or looks_numeric(host):
            raise ValueError(f"CLINICWATCH_RESOLVE: {entry!r} is not HOST=IP")
        pins.setdefault(_strip(host), []).append(str(ip))
    return {host: tuple(addresses) for host, addresses in pins.items()}


def set_pins(pins: dict[str, tuple[str, ...]]) -> None:
    """Install fixed answers (see parse_pins); forgets cached answers and cleared hosts."""
    with _lock:
        if pins == _pins:
            return  # the resolver and the guard both install the same pins at start
        _pins.clear()
        _pins.update(pins)
        _cache.clear()
        _cleared.clear()


def _lookup(name: str) -> tuple[str, ...]:
    ip = ip_literal(name)
    if ip is not None:
        return (str(ip),)
    if name in _pins:
        return _pins[name]
    if not name or looks_numeric(name):
        return ()  # e.g. 256.1.1.1: not an address, and not a name worth a DNS query either
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return ()
    return tuple(sorted({str(info[4][0]).split("%", 1)[0] for info in infos}))


def resolve(host: str) -> tuple[str, ...]:
    """Every address a host resolves to (an IP literal, in any spelling, resolves to itself).

    Cached: within one crawl a host keeps its first answer, so the address the guard checked is
    the address the crawler connects to. () when it does not resolve (not cached: may be retried).
    """
    name = _strip(host)
    with _lock:
        hit = _cache.get(name)
    if hit is not None:
        return hit
    answer = _lookup(name)
    if not answer:
        return answer
    with _lock:
        if len(_cache) >= _CACHE_LIMIT:
            return _cache.get(name, answer)
        return _cache.setdefault(name, answer)  # a concurrent first answer wins


def reset() -> None:
    """Forget pins, cached answers and cleared hosts (tests)."""
    with _lock:
        _pins.clear()
        _cache.clear()
        _cleared.clear()


def needs_lookup(host: str) -> bool:
    """Whether resolve(host) would ask the system resolver (not an IP literal, pinned or cached)."""
    name = _strip(host)
    with _lock:
        known = name in _cache or name in _pins
    return not known and ip_literal(name) is None and not looks_numeric(name)


def clear(host: str) -> None:
    """Record that the guard let `host` through although it resolves to a non-public address."""
    with _lock:
        _cleared.add(canonical_host(host))


def is_cleared(host: str) -> bool:
    with _lock:
        return canonical_host(host) in _cleared


# -- the allow-list -------------------------------------------------------------------------------
@dataclass(frozen=True)
class AllowList:
    """Host names and addresses (or networks) that may be private: CLINICWATCH_ALLOWED_PRIVATE_HOSTS."""

    names: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, entries: str | Iterable[str]) -> "AllowList":
        """Space-separated (or listed) host names, IPs or CIDR networks. ValueError names a bad entry."""
        if isinstance(entries, str):
            entries = entries.split()
        names: set[str] = set()
        networks: list[IPNetwork] = []
        for entry in entries:
            for item in entry.split():
                ip = ip_literal(item)
                if ip is not None:
                    networks.append(ipaddress.ip_network(ip))
                    continue
                if "/" in item:
                    try:
                        networks.append(ipaddress.ip_network(item, strict=False))
                        continue
                    except ValueError:
                        pass
                name = _strip(item)
                if looks_numeric(name) or not _HOST_NAME.match(name):
                    raise ValueError(f"allowed private host {item!r} is not a host name, IP address or network "
                                 "(--allow-host, CLINICWATCH_ALLOWED_PRIVATE_HOSTS)")
                names.add(name)
        return cls(frozenset(names), tuple(networks))

    def allows(self, host: str, addresses: Iterable[str]) -> bool:
        """True when the host name is listed, or every one of `addresses` is in a listed network."""
        if canonical_host(host) in self.names:
            return True
        addresses = [_unmapped(ipaddress.ip_address(a)) for a in addresses]
        return bool(addresses) and all(any(a in net for net in self.networks if a.version == net.version)
                                       for a in addresses)

    def __bool__(self) -> bool:
        return bool(self.names or self.networks)

    def __str__(self) -> str:
        return " ".join(sorted(self.names) + [str(n) for n in self.networks])


def trusted_hosts(seed_urls: Iterable[str], domains: Iterable[str]) -> frozenset[str]:
    """The hosts a user wrote for a clinic: its start-URL hosts and domain entries (canonical form)."""
    from urllib.parse import urlsplit

    hosts = set()
    for url in seed_urls:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            continue
        if host:
            hosts.add(canonical_host(host))
    hosts.update(canonical_host(d) for d in domains if d.strip())
    return frozenset(hosts)


def _link_local(address: str) -> bool:
    ip = _unmapped(ipaddress.ip_address(address))
    return ip.is_link_local


def refusal(host: str, addresses: Iterable[str], *, trusted: Iterable[str] = (),
            allowed: AllowList = AllowList()) -> str | None:
    """Why `host` (resolving to `addresses`) must not be fetched, or None. Pure: no lookup.

    A seed host written as an IP address is trusted whatever it is. A seed host *name* is
    trusted to resolve to private or loopback addresses (your intranet or test sites), but not
    to link-local ones (169.254.0.0/16, fe80::/10: cloud metadata services live there), since
    whoever runs the site's DNS could point the name there; only the allow-list opens those.
    """
    private = [a for a in addresses if not is_public_ip(a)]
    if not private:
        return None
    name = canonical_host(host)
    ip = ip_literal(host)
    if allowed.allows(name, private):
        return None
    if name in set(trusted):
        link_local = [a for a in private if _link_local(a)]
        if ip is not None or not link_local:
            return None
        return (f"seed host {host} resolves to link-local address {link_local[0]} (cloud metadata range), which a "
                f"seed name never allows; allow it with --allow-host {link_local[0]} or CLINICWATCH_ALLOWED_PRIVATE_HOSTS")
    if ip is None:
        where = f"{host} resolves to non-public address {private[0]}"
    else:
        where = f"{host} is a non-public address" + ("" if _strip(host) == private[0] else f" ({private[0]})")
    return (f"{where} and is not a seed host of this clinic; allow it with --allow-host {private[0]} "
            "or CLINICWATCH_ALLOWED_PRIVATE_HOSTS")


def check(host: str, *, trusted: Iterable[str] = (), allowed: AllowList = AllowList()) -> str | None:
    """Resolve `host` (cached) and return why it must not be fetched, or None when it may be."""
    if not host:
        return None  # no host: the downloader rejects the URL itself
    if looks_numeric(host) and ip_literal(host) is None:
        return f"{host} is a malformed numeric address"
    addresses = resolve(host)
    if not addresses:
        return None  # unresolvable: let the downloader report the DNS error itself
    return refusal(host, addresses, trusted=trusted, allowed=allowed)


def non_public_reason(host: str) -> str | None:
    """Why a host must not be fetched when nothing is trusted or allowed (None: all addresses public)."""
    return check(host)
