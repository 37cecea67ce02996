"""Drives ClinicWatch: the CLI, crawl processes, the demo and (later) scheduled monitoring."""
