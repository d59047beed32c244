"""The open data's workbook writer (generator/xlsx.py): valid zips, exact cells, pieces laid end to end."""

from __future__ import annotations

import io
import random
import zipfile
import zlib

from openpyxl import load_workbook

from generator import xlsx


def test_crc_join_equals_the_crc_of_the_whole():
    rng = random.Random(7)
    for _ in range(50):
        a, b = rng.randbytes(rng.randrange(0, 5000)), rng.randbytes(rng.randrange(0, 3_000_000 if _ == 0 else 5000))
        assert xlsx.crc_join(zlib.crc32(a), zlib.crc32(b), len(b)) == zlib.crc32(a + b)


def test_chunks_laid_end_to_end_inflate_to_the_whole_text():
    pieces = ["<a>", "甲" * 10_000, "", "<b/>" * 3000, "</a>"]
    chunks = [xlsx.chunk(p) for p in pieces[:-1]] + [xlsx.chunk(pieces[-1], last=True)]
    assert zlib.decompress(b"".join(c.data for c in chunks), -15).decode() == "".join(pieces)


def sample(parts: int) -> bytes:
    rows = [[xlsx.text_cell(f"部门{n}&<{n}>"), xlsx.text_cell(""), xlsx.number_cell("31.900000", 6),
             xlsx.number_cell(str(n), None), xlsx.text_cell("  两端有空格 ")] for n in range(parts * 3)]
    chunks = [xlsx.rows_chunk(xlsx.row(r) for r in rows[i:i + 3]) for i in range(0, len(rows), 3)]
    return xlsx.workbook([xlsx.Sheet("表一", ["名称", "空", "金额", "序号", "文字"], chunks),
                          xlsx.Sheet("空表", ["甲"], [])], "测试")


def test_a_workbook_is_a_valid_zip_that_openpyxl_reads_cell_by_cell():
    data = sample(4)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        assert all(info.date_time == (2000, 1, 1, 0, 0, 0) for info in archive.infolist())
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["表一", "空表"]
    sheet = book["表一"]
    assert [c.value for c in sheet[1]] == ["名称", "空", "金额", "序号", "文字"]
    assert sheet[1][0].font.b
    values = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(values) == 12
    assert values[5] == ("部门5&<5>", None, 31.9, 5, "  两端有空格 ")
    assert sheet.cell(2, 3).number_format == "#,##0.000000"
    assert sheet.freeze_panes == "A2"
    assert book.properties.title == "测试" and book.properties.creator == "disclose"
    assert book["空表"].max_row == 1


def test_the_same_rows_give_the_same_bytes():
    assert sample(3) == sample(3)
    assert sample(3) != sample(4)
