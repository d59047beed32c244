"""Shelved departments (generator/shelf.py): their tables are read only when used, and travel as plain tuples."""

from __future__ import annotations

import pickle

import pytest
from site_fixture import CONTENT

from generator import shelf
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
