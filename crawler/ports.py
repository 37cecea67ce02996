"""Listening ports (`serve`, `demo`, `demo-web`): a port that cannot be had is one line, not an OSError.

`serve` checks the port before it hands it to datasette, which would otherwise fail to bind in
its own process while `clinicwatch` reported success.
"""
from __future__ import annotations

import errno
import socket


class PortError(ValueError):
    """A port we cannot listen on; the message is one line naming the port, the address and why."""

    def __init__(self, host: str, port: int, exc: OSError) -> None:
        self.in_use = exc.errno == errno.EADDRINUSE
        reason = exc.strerror or str(exc)
        if self.in_use:
            message = f"port {port} on {host} is in use ({reason}); stop what holds it or choose another --port"
        else:
            message = f"cannot listen on port {port} on {host} ({reason}); choose another --port"
        super().__init__(message)


def check_port_free(host: str, port: int) -> None:
    """Raise PortError unless a server could listen on host:port now (0: any port, always free).

    Binds with SO_REUSEADDR, as the servers do, so a port in TIME_WAIT counts as free.
    """
    if port == 0:
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortError(host, port, exc) from None
