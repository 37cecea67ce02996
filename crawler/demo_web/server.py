"""The bundled demo web: every fictional site under `sites/`, each on its own loopback address.

Why this exists: the crawler, classifier and reports must be exercised end to end without
touching the real internet. Each fictional site gets its own 127.0.0.x address so that
per-domain logic (robots.txt, allowed domains, off-site links) behaves as it would in the wild.
Standard library only, so it runs anywhere the package is installed.
"""

from __future__ import annotations

import argparse
import csv
import threading
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crawler.ports import PortError

# Re-exported: tests and other modules import the low-level server from here.
from crawler.demo_web.site_server import (
    CONTENT_TYPES,
    Route,
    RouteIn,
    SiteServer,
    check_loopback,
    content_type_for,
    make_route,
)

__all__ = [
    "CONTENT_TYPES", "DEFAULT_PORT", "SEEDS_HEADER", "SITES_DIR", "DemoSite", "DemoWeb", "Route", "RouteIn", "SiteServer",
    "check_loopback", "content_type_for", "load_site_routes", "main", "make_route",
]

DEFAULT_PORT = 8765
SITES_DIR = Path(__file__).resolve().parent / "sites"
SEEDS_HEADER = ["name", "country", "urls", "domains", "tags"]
_PLACEHOLDER_SUFFIXES = {".xml", ".txt"}


def load_site_routes(site_dir: Path, base_url: str, redirects: Mapping[str, str] | None = None) -> dict[str, Route]:
    """Read a site directory into routes; `{base}` in .xml/.txt files becomes `base_url`."""
    routes: dict[str, Route] = {}
    for file in sorted(site_dir.rglob("*")):
        rel = file.relative_to(site_dir)
        if not file.is_file() or rel.as_posix() == "site.toml" or any(p.startswith(".") for p in rel.parts):
            continue
        body = file.read_bytes()
        if file.suffix in _PLACEHOLDER_SUFFIXES:
            body = body.decode("utf-8").replace("{base}", base_url).encode("utf-8")
        routes["/" + rel.as_posix()] = make_route(body)
    for src, target in (redirects or {}).items():
        location = base_url + target if target.startswith("/") else target
        routes[src] = make_route(b"", 301, {"Location": location})
    return routes


@dataclass
class DemoSite:
    """One fictional website as a crawler would see it."""

    slug: str
    name: str
    country: str
    tags: list[str]
    base_url: str
    host: str
    language: str = ""
    index: int = 0
    directory: Path | None = field(default=None, repr=False)

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)


@dataclass
class _SiteConfig:
    slug: str
    directory: Path
    name: str
    country: str
    tags: list[str]
    language: str
    index: int
    redirects: dict[str, str]


def load_site_configs(sites_dir: Path) -> list[_SiteConfig]:
    """Parse every `<slug>/site.toml`, ordered by index; duplicate indexes are an error."""
    configs: list[_SiteConfig] = []
    for toml_path in sorted(sites_dir.glob("*/site.toml")):
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
        configs.append(
            _SiteConfig(
                slug=toml_path.parent.name,
                directory=toml_path.parent,
                name=str(data["name"]),
                country=str(data.get("country", "")),
                tags=[str(t) for t in data.get("tags", [])],
                language=str(data.get("language", "")),
                index=int(data["index"]),
                redirects={str(k): str(v) for k, v in data.get("redirects", {}).items()},
            )
        )
    configs.sort(key=lambda c: c.index)
    seen = [c.index for c in configs]
    if len(seen) != len(set(seen)):
        raise ValueError(f"duplicate site index in {sites_dir}: {seen}")
    return configs


class DemoWeb:
    """All bundled demo sites, each on its own 127.0.0.<10+index> address, sharing one port."""

    def __init__(self, port: int = DEFAULT_PORT, sites_dir: Path | None = None, *, host_prefix: str = "127.0.0") -> None:
        self.requested_port = port
        self.sites_dir = Path(sites_dir) if sites_dir is not None else SITES_DIR
        self._configs = load_site_configs(self.sites_dir)
        if not self._configs:
            raise ValueError(f"no demo sites (*/site.toml) under {self.sites_dir}")
        # Validate every address up front so nothing is bound when one is unacceptable.
        self._hosts = {c.slug: check_loopback(f"{host_prefix}.{10 + c.index}") for c in self._configs}
        self._servers: dict[str, SiteServer] = {}
        self._bound_port: int | None = None  # kept after stop() so recorded URLs stay meaningful

    @property
    def port(self) -> int:
        if self._bound_port is not None:
            return self._bound_port
        if self.requested_port == 0:
            raise RuntimeError("port=0: the real port is known only after start()")
        return self.requested_port

    @property
    def sites(self) -> list[DemoSite]:
        port = self.port
        return [
            DemoSite(
                slug=c.slug,
                name=c.name,
                country=c.country,
                tags=list(c.tags),
                base_url=f"http://{self._hosts[c.slug]}:{port}",
                host=self._hosts[c.slug],
                language=c.language,
                index=c.index,
                directory=c.directory,
            )
            for c in self._configs
        ]

    def site(self, slug: str) -> DemoSite:
        for site in self.sites:
            if site.slug == slug:
                return site
        raise KeyError(slug)

    def server(self, slug: str) -> SiteServer:
        """The live SiteServer for a site, e.g. to edit a page between crawls."""
        return self._servers[slug]

    def start(self) -> DemoWeb:
        if self._servers:
            return self
        attempts = 8 if self.requested_port == 0 else 1
        for attempt in range(attempts):
            try:
                self._bind_all(self.requested_port)
                break
            except PortError as exc:
                self._close_all()
                if not exc.in_use or attempt == attempts - 1:
                    raise
        self._bound_port = next(iter(self._servers.values())).port
        for cfg in self._configs:
            server = self._servers[cfg.slug]
            server.set_routes(load_site_routes(cfg.directory, server.base_url, cfg.redirects))
            server.start()
        return self

    def _bind_all(self, port: int) -> None:
        """Bind the first site (possibly on port 0), then the rest on that same port."""
        for cfg in self._configs:
            try:
                server = SiteServer({}, host=self._hosts[cfg.slug], port=port)
            except OSError as exc:  # one line for the user (port in use...), not a traceback
                raise PortError(self._hosts[cfg.slug], port, exc) from None
            self._servers[cfg.slug] = server
            port = server.port

    def _close_all(self) -> None:
        for server in self._servers.values():
            server.stop()
        self._servers = {}

    def stop(self) -> None:
        self._close_all()

    def __enter__(self) -> DemoWeb:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def write_seeds(self, path: Path) -> Path:
        """Write the seeds CSV the crawler consumes: one row per site, header `SEEDS_HEADER`."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(SEEDS_HEADER)
            for site in self.sites:
                writer.writerow([site.name, site.country, site.base_url + "/", site.host, " ".join(site.tags)])
        return path


def main(argv: list[str] | None = None) -> int:
    """Serve the demo web until Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m crawler.demo_web", description=main.__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="shared port (0 = pick a free one)")
    parser.add_argument("--seeds", type=Path, default=Path("demo-seeds.csv"), help="where to write the seeds CSV")
    parser.add_argument("--sites-dir", type=Path, default=None, help="alternative sites directory")
    args = parser.parse_args(argv)
    try:
        web = DemoWeb(port=args.port, sites_dir=args.sites_dir).start()
    except PortError as exc:
        parser.exit(1, f"Error: {exc}\n")
    try:
        for site in web.sites:
            print(f"{site.base_url}/  {site.name} [{site.country}] ({site.slug})", flush=True)
        seeds = web.write_seeds(args.seeds)
        print(f"seeds CSV: {seeds.resolve()}", flush=True)
        print("Serving; press Ctrl-C to stop.", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        web.stop()
    return 0
