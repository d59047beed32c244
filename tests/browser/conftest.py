"""Fixtures of the browser tests: the built site as hosted three ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from browsing import SUBPATH, Hosting


def make_hosting(kind: str, built_site: Path, http_server) -> Hosting:
    if kind == "root":
        return Hosting(kind, http_server(built_site, "/"), built_site)
    if kind == "subpath":
        return Hosting(kind, http_server(built_site, SUBPATH), built_site)
    if kind == "file":
        return Hosting(kind, built_site.resolve().as_uri() + "/", built_site)
    raise ValueError(kind)


@pytest.fixture(params=["root", "subpath", "file"])
def hosting(request: pytest.FixtureRequest, built_site: Path, http_server) -> Hosting:
    """The built site served at the root, under /ysgk/jxmb/, and opened from file://."""
    return make_hosting(request.param, built_site, http_server)


@pytest.fixture
def site(built_site: Path, http_server) -> Hosting:
    """The built site served at the root of 127.0.0.1."""
    return make_hosting("root", built_site, http_server)
