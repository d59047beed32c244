"""Shelved departments (generator/shelf.py): their tables are read only when used, and travel as plain tuples."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from site_fixture import CONTENT, REPO, snapshot

from generator import shelf
from generator.build import Engine
from generator.load import load_content
from generator.model import Department
from generator.state import CacheDamaged


def department() -> Department:
    site = load_content(CONTENT).site
    assert site is not None
    return next(d for e in site.editions for d in e.departments if len(d.projects) > 1)


def test_a_shelved_department_counts_its_tables_without_reading_them() -> None:
    original = department()
    head, blob = pickle.loads(pickle.dumps(shelf.shelve(original)))
    reads: list[int] = []
    shelved = shelf.unshelve(head, lambda: reads.append(1) or blob)
    opened = shelf.Shelf.opened
    assert len(shelved.projects) == len(original.projects)
    assert shelved.total == original.total and shelved.total_basis == original.total_basis
    assert shelf.Shelf.opened == opened and reads == []  # the blob is not even read
    assert [p.slug for p in shelved.projects] == [p.slug for p in original.projects]
    assert shelf.Shelf.opened == opened + 1
    assert shelved.evaluations == original.evaluations and shelved == original
    assert shelf.Shelf.opened == opened + 1 and reads == [1]  # one blob for all three kinds of table


@pytest.mark.parametrize("blob", [None, b"another blob"])
def test_a_shelf_whose_blob_is_gone_or_another_is_damaged(blob: bytes | None) -> None:
    head, _ = shelf.shelve(department())
    shelved = shelf.unshelve(head, lambda: blob)
    with pytest.raises(CacheDamaged):
        list(shelved.projects)


def test_a_shelved_department_goes_to_a_worker_as_plain_tuples() -> None:
    head, blob = shelf.shelve(department())
    shelved = shelf.unshelve(head, lambda: blob)
    sent = pickle.loads(pickle.dumps(shelved))
    assert type(sent.projects) is tuple and type(sent.transfers) is tuple
    assert sent == shelved


@pytest.mark.parametrize("folder", ["content", "examples"])
def test_a_build_that_keeps_one_department_open_at_a_time_writes_the_same_site(
        folder: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A build from the command line puts each department back on its shelf when others are opened,
    # and reads it again when a stage comes back to it: its records are then copies of the ones
    # before. With one department open at a time, every stage's way through them reads some again.
    source = REPO / folder
    held = Engine(source, tmp_path / "held", cache=tmp_path / "held-cache", jobs=1, resident=True)
    assert held.build(clean=True, progress=False).status == 0
    monkeypatch.setattr(shelf, "OPEN_AT_ONCE", 1)
    opened = shelf.Shelf.opened
    report = Engine(source, tmp_path / "streamed", cache=tmp_path / "streamed-cache", jobs=1).build(
        clean=True, progress=False)
    assert report.status == 0
    assert shelf.Shelf.opened > opened, "no department was read back from its shelf"
    assert len(shelf.Shelf.recent) <= 1
    assert snapshot(tmp_path / "streamed") == snapshot(tmp_path / "held")
