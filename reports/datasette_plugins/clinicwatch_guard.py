"""Loaded by `datasette --plugins-dir reports/datasette_plugins` (see reports/serve.py).

The only file here: datasette loads every .py file of a plugins dir. The hooks live in
reports/datasette_guard.py.
"""
from reports.datasette_guard import asgi_wrapper  # noqa: F401  (a hookimpl: datasette finds it by name)
