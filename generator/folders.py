"""Where a build finds its templates: a site's own folder first, the bundled ones last.

A module of its own, without Jinja: a build with nothing to do reads the template
folders' listing (build.py) and never renders.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

# The bundled templates: package data in an installed copy (generator/site_templates/), the top-level
# site_templates/ folder in a source checkout.
_INSTALLED = Path(__file__).resolve().parent / "site_templates"
TEMPLATES = _INSTALLED if _INSTALLED.is_dir() else Path(__file__).resolve().parent.parent / "site_templates"
SITE_TEMPLATES = "site_templates"  # a site's own templates, in the folder beside its content folder


def template_folders(content: Path | None, templates: Path | None = None) -> tuple[Path, ...]:
    """Return the folders templates are looked up in, the site's own first, the bundled ones last.

    A site's own folder is `templates` when given, else site_templates/ beside the
    content folder; it overrides the bundled templates (and assets) by name.
    """
    own = templates if templates is not None else (content.resolve().parent / SITE_TEMPLATES if content else None)
    folders = [own.resolve()] if own is not None and own.is_dir() else []
    bundled = TEMPLATES.resolve()
    return (*(f for f in folders if f != bundled), bundled)


def walk_followed(folder: Path) -> Iterator[tuple[str, list[str], list[str]]]:
    """Walk a folder as `os.walk` does, into linked folders too (as the loaders open them), each real folder once."""
    seen = set()
    for top, dirs, files in os.walk(folder, followlinks=True):
        seen.add(os.path.realpath(top))
        dirs[:] = sorted(d for d in dirs if os.path.realpath(os.path.join(top, d)) not in seen)  # a link to a parent ends
        yield top, dirs, files
