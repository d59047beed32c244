"""Naming files for the publisher: `display` gives what pathlib gives, from any working folder."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from generator import walk

NAMES = ["a", "b", ".", "..", "content", "2024", "x.yaml", "c d", "中文", ""]


@pytest.mark.parametrize("cwd", ["/", "/tmp", "folder", "folder/inner"])
def test_display_names_a_path_as_pathlib_would(cwd: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    here = Path(cwd) if cwd.startswith("/") else tmp_path / cwd
    here.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(here)
    pick = random.Random(cwd)
    for _ in range(5000):
        path = "/".join(pick.choice(NAMES) for _ in range(pick.randint(1, 4)))
        path = pick.choice(["", "/", "//", "///", f"{here}/", f"{here.parent}/"]) + path
        assert walk.display(Path(path)) == walk.display_by_pathlib(Path(path)), path


def test_display_is_relative_to_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert walk.display(tmp_path / "content" / "2024") == "content/2024"
    assert walk.display(Path("content/2024")) == "content/2024"
    assert walk.display(tmp_path) == "."
    assert walk.display(Path("/etc/passwd")) == "/etc/passwd"
