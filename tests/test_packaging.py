"""A non-editable install works: the templates ship as package data, a site's own override them."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import tomllib
import venv
from pathlib import Path

from bs4 import BeautifulSoup
from site_fixture import CONTENT

from generator.minify import minify

REPO = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "generator").rglob("__init__.py")}
    assert found | {"generator.site_templates"} == listed


def test_a_wheel_installed_into_a_fresh_venv_builds_a_site_with_its_own_templates(tmp_path: Path) -> None:
    source = tmp_path / "source"  # a clean copy: no build leftovers, no caches
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(".git", "public", ".disclose-cache", "__pycache__",
                                                                 ".venv", "*.egg-info", "build", "dist", ".*cache"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path / "dist"), str(source)],
                   check=True, capture_output=True)
    wheel = next((tmp_path / "dist").glob("disclose-*.whl"))
    # The venv sees this interpreter's packages (the dependencies), but disclose itself only from the wheel.
    # A .pth line, not system_site_packages: when the tests run in a venv (scripts/setup.sh's .venv), the
    # "system" packages would be the base interpreter's, without the dependencies. Paths from a .pth line come
    # after the venv's own site-packages, and .pth files inside them (the editable install's finder) do not run.
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    inner = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           check=True, capture_output=True, text=True).stdout.strip()
    outer = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(inner, "outer-dependencies.pth").write_text("".join(f"{path}\n" for path in sorted(outer)), encoding="utf-8")
    subprocess.run([python, "-m", "pip", "install", "--no-deps", "--force-reinstall", "-q", str(wheel)],
                   check=True, capture_output=True)

    site = tmp_path / "site"  # a publisher's folder: content/ and site_templates/ side by side
    shutil.copytree(CONTENT / "2024", site / "content" / "2024")
    shutil.copy(CONTENT / "site.yaml", site / "content" / "site.yaml")
    (site / "site_templates").mkdir()
    (site / "site_templates" / "project.html").write_text(
        '{% extends "base.html" %}{% block main %}<p id="own">本站模板：{{ project.name }}</p>{% endblock %}',
        encoding="utf-8")
    env = {"PATH": f"{tmp_path / 'venv' / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path)}  # no PYTHONPATH
    where = subprocess.run([python, "-c", "import generator.render as r; print(r.__file__); print(r.TEMPLATES)"],
                           cwd=site, env=env, check=True, capture_output=True, text=True).stdout.split()
    assert all(path.startswith(str(tmp_path / "venv")) for path in where), where
    result = subprocess.run([tmp_path / "venv" / "bin" / "disclose", "build", "--quiet"], cwd=site, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    project = BeautifulSoup((site / "public" / "2024" / "pengyang-sfj" / "renmin-tiaojie" / "index.html")
                            .read_text(encoding="utf-8"), "html.parser")
    assert project.find(id="own").get_text() == "本站模板：人民调解工作经费"
    department = BeautifulSoup((site / "public" / "2024" / "pengyang-sfj" / "index.html").read_text(encoding="utf-8"),
                               "html.parser")
    assert department.find("table") is not None and department.find(id="own") is None  # bundled template
    # The bundled style sheet, published minified (generator/minify.py).
    assert (site / "public" / "assets" / "style.css").read_bytes() == minify(
        "style.css", (REPO / "site_templates" / "assets" / "style.css").read_bytes())
    assert (site / ".disclose-cache" / "state.sqlite").is_file()
