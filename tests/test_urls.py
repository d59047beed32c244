"""Links between output files: `relative` gives what posixpath.relpath gives, for every shape of path."""

from __future__ import annotations

import itertools
import posixpath
import random

import pytest

from generator import urls

NAMES = ["2024", "a", "b", "index.html", "style.css", ".", "..", "", ".hidden", "...", "a.b"]


def paths() -> list[str]:
    """Paths of one to four parts over names that include the awkward ones ("", ".", "..")."""
    found = {"/".join(parts) for n in range(1, 4) for parts in itertools.product(NAMES, repeat=n)}
    found |= {"/" + path for path in list(found)[:200]}
    return sorted(found)


def test_relative_matches_relpath_for_every_pair_of_paths() -> None:
    every = paths()
    pairs = random.Random(8).sample([(t, h) for t in every for h in every], 60_000)
    pairs += [("2024/index.html", "2024/d/p/index.html"), ("assets/site.css", "index.html"),
              ("2024/d/", "2024/d/index.html"), ("2024/d", "2024/d/p/index.html"), ("a/b", "a/b/c")]
    for target, here in pairs:
        if posixpath.isabs(target) != posixpath.isabs(here) or not target:
            continue  # relpath refuses a mix of absolute and relative paths, and an empty one
        assert urls.relative(target, here) == posixpath.relpath(target, posixpath.dirname(here) or "."), (target, here)


@pytest.mark.parametrize("target, here, link", [
    ("2024/index.html", "2024/d/p/index.html", "../../index.html"),
    ("index.html", "index.html", "index.html"),
    ("2024/d/p/index.html", "2024/d/index.html", "p/index.html"),
    ("2024/d", "2024/d/index.html", "."),
])
def test_relative_links(target: str, here: str, link: str) -> None:
    assert urls.relative(target, here) == link
