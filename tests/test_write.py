"""Build guarantees: the same content gives the same bytes, and a failed build changes nothing."""

from __future__ import annotations

import errno
import os
import shutil
import threading
from pathlib import Path

import jinja2
import pytest
from site_fixture import CONTENT, build_into, copy_content, snapshot

from generator import write
from generator.build import build
from generator.render import Renderer


def leftovers(output: Path) -> list[str]:
    """Return staging or old folders a build left beside its output."""
    return sorted(p.name for p in output.parent.iterdir() if p.name.startswith(f".{output.name}."))


def test_two_builds_are_byte_identical(built_site: Path, tmp_path: Path) -> None:
    again = build_into(CONTENT, tmp_path / "again")
    assert snapshot(again) == snapshot(built_site)


@pytest.fixture
def previous(tmp_path: Path) -> tuple[Path, dict[str, bytes]]:
    """A site built once, and its bytes, for a second build to (fail to) replace."""
    output = build_into(CONTENT, tmp_path / "public")
    return output, snapshot(output)


@pytest.mark.parametrize("how", ["clean", "after an edit"])
def test_a_crash_midway_leaves_the_previous_output(previous: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch,
                                                   tmp_path: Path, how: str) -> None:
    output, before = previous
    content = CONTENT
    if how == "after an edit":  # an incremental build renders only what the edit reaches
        content = copy_content(tmp_path)
        shutil.copytree(CONTENT.parent / "site_templates", tmp_path / "site_templates")
        (tmp_path / "site_templates" / "base.html").write_text(
            (CONTENT.parent / "site_templates" / "base.html").read_text(encoding="utf-8") + "<!-- edited -->", encoding="utf-8")
    calls = []
    original = Renderer.render

    def crash_on_tenth(self: Renderer, spec: object) -> bytes:
        calls.append(spec)
        if len(calls) == 10:
            raise RuntimeError("the disk caught fire")
        return original(self, spec)

    monkeypatch.setattr(Renderer, "render", crash_on_tenth)
    with pytest.raises(RuntimeError, match="disk caught fire"):
        build(content, output, progress=False, clean=how == "clean", jobs=1)
    assert len(calls) == 10
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_a_file_of_pieces_that_cannot_be_written_fails_the_build_and_leaves_the_output(
        previous: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    """The downloads laid from parts are staged in a thread (write.Background): its error still stops the build."""
    output, before = previous
    content = copy_content(tmp_path)
    record = content / "2024/pengyang-sfj/renmin-tiaojie.yaml"  # in every download of its edition
    record.write_text(record.read_text(encoding="utf-8").replace("name: ", "name: 改", 1), encoding="utf-8")
    threads: list[str] = []

    def full(fd: int, buffers: list) -> int:  # noqa: ANN001 - a stand-in for a full disk
        threads.append(threading.current_thread().name)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "writev", full)
    code = build(content, output, progress=False, jobs=1)
    assert code != 0 and threads and all(name.startswith("disclose-stage") for name in threads)
    assert "磁盘空间不足" in capsys.readouterr().err
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_a_template_error_fails_the_build_and_leaves_the_output(
        previous: tuple[Path, dict[str, bytes]], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    output, before = previous

    def broken(self: Renderer, spec: object) -> bytes:
        raise jinja2.UndefinedError("'project' is undefined")

    monkeypatch.setattr(Renderer, "render", broken)
    assert build(CONTENT, output, progress=False, clean=True) == 1
    assert "模板出错" in capsys.readouterr().err
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_bad_content_stops_before_the_output_is_touched(previous: tuple[Path, dict[str, bytes]], tmp_path: Path) -> None:
    output, before = previous
    content = copy_content(tmp_path)
    (content / "2024" / "pengyang-sfj" / "renmin-tiaojie.yaml").write_text("name: [unclosed\n", encoding="utf-8")
    assert build(content, output, progress=False) == 1
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_strict_stops_on_warnings(previous: tuple[Path, dict[str, bytes]]) -> None:
    output, before = previous
    assert build(CONTENT, output, strict=True, progress=False) == 1  # the bundled content has real warnings
    assert snapshot(output) == before


def test_a_failure_while_applying_puts_the_old_files_back(previous: tuple[Path, dict[str, bytes]],
                                                          monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    output, before = previous
    content = copy_content(tmp_path)  # an edit that changes every page, so that some are in place when one fails
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("organizer:", "organizer: 某某"), encoding="utf-8")
    rename = os.rename
    moved = []

    def refuse_the_fifth_file(source: str | Path, target: str | Path) -> None:
        if f"/.{output.name}.building-" in str(source):
            moved.append(target)
            if len(moved) == 5:
                raise OSError("device busy")
        rename(source, target)

    monkeypatch.setattr(write.os, "rename", refuse_the_fifth_file)
    assert build(content, output, progress=False) == 1  # reported as an output problem, not a crash
    assert len(moved) == 5
    assert snapshot(output) == before
    assert leftovers(output) == []


def test_a_folder_the_build_did_not_make_is_never_replaced(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    output = tmp_path / "documents"
    output.mkdir()
    (output / "keep.txt").write_text("mine", encoding="utf-8")
    assert build(CONTENT, output, progress=False) == 1
    assert write.MARKER in capsys.readouterr().err
    assert snapshot(output) == {"keep.txt": b"mine"}


def test_a_new_output_folder_is_created_with_its_parents(tmp_path: Path) -> None:
    output = build_into(CONTENT, tmp_path / "deep" / "er" / "public")
    assert (output / "index.html").is_file() and (output / write.MARKER).is_file()
    assert oct(output.stat().st_mode & 0o777) == oct(0o777 & ~current_umask())
    assert leftovers(output) == []


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
