"""A small, fast, deterministic XLSX writer for the open data.

openpyxl wrote a 1,000-project edition's workbook in 13 s (most of a build's
time), and rebuilt it whole after every edit. This writer makes a sheet from
pieces instead: each department's rows are one *chunk*, compressed on its own
as raw deflate ending on a byte boundary (zlib's Z_SYNC_FLUSH, the method of
pigz), so an edition's sheet is its departments' cached chunks laid end to
end, with a last empty block to close the stream. Only the CRC needs the
whole: it is combined from the chunks' CRCs (`crc_join`).

Cells carry no references (`r` is optional in SpreadsheetML); an empty cell
is written as `<c/>` so that the columns stay in place. Strings are inline,
so that no shared-string table has to be built over the whole sheet.
Everything is fixed — entry dates, order, attributes — so the same rows give
the same bytes. openpyxl reads these files back in the tests.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

# Cell styles (cellXfs): 0 plain, 1 bold (headers), 2 + d a number shown with d decimals.
PLAIN, BOLD, NUMBER_STYLE = 0, 1, 2
MAX_DECIMALS = 8  # amounts have at most 8 decimal places (generator/bounds.py)


@dataclass(frozen=True)
class Chunk:
    """A piece of a zip entry: raw deflate data ending on a byte boundary, with its CRC and plain size."""

    data: bytes | memoryview  # a view when read back from the cache (opendata.unpack)
    crc: int
    size: int


def chunk(text: str, *, last: bool = False) -> Chunk:
    """Compress a piece of XML on its own, so that chunks can be laid end to end."""
    raw = text.encode("utf-8")
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    data = packer.compress(raw) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)
    return Chunk(data, zlib.crc32(raw), len(raw))


_POLY = 0xEDB88320  # CRC-32's polynomial, bit-reflected as zlib computes it


def _times(a: int, b: int) -> int:
    """Return a(x)·b(x) modulo CRC-32's polynomial (bit-reflected: bit 31 is x⁰), as zlib's multmodp."""
    product, bit = 0, 1 << 31
    while a:
        if a & bit:
            product ^= b
            a ^= bit
        bit >>= 1
        b = (b >> 1) ^ _POLY if b & 1 else b >> 1
    return product


@cache
def _shift(k: int) -> tuple[tuple[int, ...], ...]:
    """Return tables that multiply a CRC by x^(8·2ᵏ), a byte of it at a time: 2ᵏ zero bytes appended.

    Multiplying by a fixed power is linear in the CRC, so each of its four bytes is looked up alone.
    """
    power = 1 << 30  # x¹
    for _ in range(k + 3):  # x^(2^(k+3)) = x^(8·2ᵏ), by squaring
        power = _times(power, power)
    tables = []
    for place in range(4):
        table = [0] * 256
        for bit in range(8):
            table[1 << bit] = _times(power, 1 << (place * 8 + bit))
        for byte in range(3, 256):  # the XOR of its lowest bit's entry and the rest's
            low = byte & -byte
            if byte != low:
                table[byte] = table[low] ^ table[byte ^ low]
        tables.append(tuple(table))
    return tuple(tables)


def crc_join(first: int, second: int, length: int) -> int:
    """Return the CRC-32 of A followed by B from crc(A), crc(B) and len(B), as zlib's crc32_combine.

    crc(A‖B) = crc(A)·x^(8·len(B)) ⊕ crc(B) modulo the polynomial; the power is applied one set bit
    of len(B) at a time through `_shift`'s tables. Appending zeros with zlib.crc32 instead ran over
    every byte twice: 0.1 s of each edit's build at 10,000 projects (an edition's 260 MiB workbook).
    """
    crc, k = first, 0
    while length:
        if length & 1:
            t0, t1, t2, t3 = _shift(k)
            crc = t0[crc & 255] ^ t1[(crc >> 8) & 255] ^ t2[(crc >> 16) & 255] ^ t3[crc >> 24]
        length >>= 1
        k += 1
    return crc ^ second


def escape(text: str) -> str:
    """Escape text for an XML element."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_cell(value: str, style: int = PLAIN) -> str:
    """Return a cell holding text (empty text: an empty cell)."""
    if value == "":
        return "<c/>"
    attribute = f' s="{style}"' if style else ""
    space = ' xml:space="preserve"' if value != value.strip() or "\n" in value else ""
    return f'<c t="inlineStr"{attribute}><is><t{space}>{escape(value)}</t></is></c>'


def number_cell(printed: str, decimals: int | None) -> str:
    """Return a cell holding a number as printed; `decimals` picks a format with that many places."""
    attribute = "" if decimals is None else f' s="{NUMBER_STYLE + min(decimals, MAX_DECIMALS)}"'
    return f"<c{attribute}><v>{printed}</v></c>"


def row(cells: Iterable[str]) -> str:
    """Return a row of cells made by `text_cell` and `number_cell`."""
    return "<row>" + "".join(cells) + "</row>"


SHEET_START = (f'{HEAD}<worksheet xmlns="{MAIN}"><sheetViews><sheetView workbookViewId="0">'
               '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
               "</sheetView></sheetViews><sheetData>")
SHEET_END = "</sheetData></worksheet>"


@dataclass(frozen=True)
class Sheet:
    """A sheet to write: its name, its header row, and its rows as chunks (see `rows_chunk`)."""

    name: str
    header: Sequence[str]
    chunks: Sequence[Chunk]


def rows_chunk(rows: Iterable[str]) -> Chunk:
    """Compress rows made by `row` into one chunk of a sheet."""
    return chunk("".join(rows))


def workbook(sheets: Sequence[Sheet], title: str) -> bytes:
    """Return the bytes of a workbook with the given sheets, in order."""
    return b"".join(workbook_pieces(sheets, title))


def workbook_pieces(sheets: Sequence[Sheet], title: str) -> list[bytes]:
    """Return a workbook as pieces to lay end to end (a large one need not be joined to be written)."""
    entries: list[tuple[str, list[Chunk]]] = [
        ("[Content_Types].xml", [chunk(content_types(len(sheets)), last=True)]),
        ("_rels/.rels", [chunk(
            f'{HEAD}<Relationships xmlns="{RELS}">'
            f'<Relationship Id="rId1" Type="{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{RELS}/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>", last=True)]),
        ("docProps/core.xml", [chunk(core_properties(title), last=True)]),
        ("xl/workbook.xml", [chunk(
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}"><sheets>'
            + "".join(f'<sheet name="{escape(s.name)}" sheetId="{n}" r:id="rId{n}"/>' for n, s in enumerate(sheets, 1))
            + "</sheets></workbook>", last=True)]),
        ("xl/_rels/workbook.xml.rels", [chunk(
            f'{HEAD}<Relationships xmlns="{RELS}">'
            + "".join(f'<Relationship Id="rId{n}" Type="{OFFICE_RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
                      for n in range(1, len(sheets) + 1))
            + f'<Relationship Id="rId{len(sheets) + 1}" Type="{OFFICE_RELS}/styles" Target="styles.xml"/>'
            "</Relationships>", last=True)]),
        ("xl/styles.xml", [chunk(STYLES, last=True)]),
    ]
    for n, sheet in enumerate(sheets, 1):
        start = chunk(SHEET_START + row(text_cell(name, BOLD) for name in sheet.header))
        entries.append((f"xl/worksheets/sheet{n}.xml", [start, *sheet.chunks, chunk(SHEET_END, last=True)]))
    return zip_pieces(entries)


def content_types(sheets: int) -> str:
    """Return [Content_Types].xml for a workbook of `sheets` sheets."""
    kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    return (f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kinds}.sheet.main+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{kinds}.styles+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{kinds}.worksheet+xml"/>'
                      for n in range(1, sheets + 1))
            + '<Override PartName="/docProps/core.xml" '
              'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/></Types>')


def core_properties(title: str) -> str:
    """Return docProps/core.xml with fixed dates (a build's time would change the bytes)."""
    date = '<dcterms:{0} xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:{0}>'
    return (f'{HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>disclose</dc:creator>"
            f'{date.format("created")}{date.format("modified")}</cp:coreProperties>')


def _styles() -> str:
    formats = "".join(f'<numFmt numFmtId="{164 + d}" formatCode="#,##0{"." + "0" * d if d else ""}"/>'
                      for d in range(MAX_DECIMALS + 1))
    numbers = "".join(f'<xf numFmtId="{164 + d}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                      for d in range(MAX_DECIMALS + 1))
    return (f'{HEAD}<styleSheet xmlns="{MAIN}"><numFmts count="{MAX_DECIMALS + 1}">{formats}</numFmts>'
            '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
            '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
            '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            f'<cellXfs count="{NUMBER_STYLE + MAX_DECIMALS + 1}">'
            '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
            '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            f"{numbers}</cellXfs>"
            '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


STYLES = _styles()

# 2000-01-01 00:00 in MS-DOS form, the date of every entry.
DOS_TIME, DOS_DATE = 0, (2000 - 1980) << 9 | 1 << 5 | 1
LIMIT = 0xFFFFFFFF  # without ZIP64, no entry or offset may pass 4 GiB


class TooLarge(ValueError):
    """A workbook would pass the 4 GiB a plain zip can hold."""


def zip_pieces(entries: Sequence[tuple[str, Sequence[Chunk]]]) -> list[bytes]:
    """Return a zip of deflated entries, each given as chunks laid end to end, as pieces to lay end to end."""
    pieces: list[bytes] = []
    directory = bytearray()
    offset = 0
    for name, chunks in entries:
        crc, size, packed = 0, 0, 0
        for piece in chunks:
            crc = crc_join(crc, piece.crc, piece.size)
            size += piece.size
            packed += len(piece.data)
        if max(size, packed, offset) > LIMIT:
            raise TooLarge(f"{name}: {size} bytes")
        encoded = name.encode("utf-8")
        fields = (20, 0, 8, DOS_TIME, DOS_DATE, crc, packed, size, len(encoded))
        header = struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields, 0) + encoded
        pieces.append(header)
        pieces += (piece.data for piece in chunks)
        directory += struct.pack("<IH", 0x02014B50, 0x0314) + struct.pack("<HHHHHIIIHHHHHII", *fields, 0, 0, 0, 0,
                                                                           0o644 << 16, offset) + encoded
        offset += len(header) + packed
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(directory), offset, 0)
    if offset > LIMIT:
        raise TooLarge(f"{offset} bytes")
    return [*pieces, bytes(directory) + end]
