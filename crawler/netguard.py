"""Refuse requests to private, loopback, link-local and other non-public addresses.

A watched site must not be able to point the crawler at the machine it runs on or at its
network (SSRF). Public sites only, unless private targets are allowed explicitly.
"""
from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache


def is_public_ip(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


@lru_cache(maxsize=4096)
def resolve(host: str) -> tuple[str, ...]:
    """All addresses a host resolves to (an IP literal resolves to itself)."""
    try:
        return (str(ipaddress.ip_address(host.strip("[]"))),)
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError:
        return ()
    return tuple(sorted({info[4][0] for info in infos}))


def non_public_reason(host: str) -> str | None:
    """Why a host must not be fetched, or None when every address it resolves to is public."""
    addresses = resolve(host)
    if not addresses:
        return None  # unresolvable: let the downloader report the DNS error itself
    for address in addresses:
        if not is_public_ip(address):
            return f"{host} resolves to non-public address {address}"
    return None
