"""Which URLs belong to a clinic, and which addresses the crawler refuses."""
from __future__ import annotations

import pytest

from crawler.netguard import non_public_reason
from crawler.scope import default_domain, in_domains


@pytest.mark.parametrize(
    "url, inside",
    [
        ("https://cells.example/a", True),
        ("https://www.cells.example/a", True),
        ("https://es.shop.cells.example/", True),
        ("https://CELLS.EXAMPLE./", True),
        ("https://notcells.example/", False),
        ("https://cells.example.evil.test/", False),
        ("mailto:info@cells.example", False),
        ("https://other.example/?u=cells.example", False),
    ],
)
def test_in_domains(url, inside):
    assert in_domains(url, ["cells.example"]) is inside


def test_default_domain_strips_www():
    assert default_domain("https://www.Cells.example:8443/x") == "cells.example"


@pytest.mark.parametrize("host", ["127.0.0.1", "127.9.9.9", "10.1.2.3", "192.168.0.1", "169.254.169.254",
                                  "::1", "fe80::1", "::ffff:10.0.0.1", "0.0.0.0", "172.16.5.4"])
def test_non_public_addresses_refused(host):
    # Pure address checks: nothing is sent anywhere.
    assert non_public_reason(host) is not None


def test_public_address_allowed():
    assert non_public_reason("93.184.215.14") is None
