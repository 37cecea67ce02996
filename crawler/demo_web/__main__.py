"""`python -m crawler.demo_web`: serve the demo sites until Ctrl-C."""

from __future__ import annotations

from crawler.demo_web.server import main

raise SystemExit(main())
