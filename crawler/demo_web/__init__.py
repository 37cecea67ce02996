"""Bundled demo web: fictional clinic, hospital, regulator and news sites served on loopback.

Lets the whole pipeline (crawl -> classify -> store -> report) run offline and reproducibly.
Start it with `python -m crawler.demo_web` or `DemoWeb(port=0).start()` in tests.
"""

from __future__ import annotations

from crawler.demo_web.server import (
    DEFAULT_PORT,
    SEEDS_HEADER,
    SITES_DIR,
    DemoSite,
    DemoWeb,
    Route,
    RouteIn,
    SiteServer,
    check_loopback,
    load_site_routes,
    main,
    make_route,
)

__all__ = [
    "DEFAULT_PORT",
    "SEEDS_HEADER",
    "SITES_DIR",
    "DemoSite",
    "DemoWeb",
    "Route",
    "RouteIn",
    "SiteServer",
    "check_loopback",
    "load_site_routes",
    "main",
    "make_route",
]
