"""Open data: every table of every edition and department as CSV, JSON and XLSX, read back and compared
with the records; datapackage.json validated with the frictionless package; original documents."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from site_fixture import bundled_content, soup

from generator.build import build
from generator.model import iter_indicators
from generator.opendata import TABLES, WORKBOOK

REPO = Path(__file__).resolve().parent.parent


def folders():
    """Yield (data folder, edition, departments) for every edition and department of the bundled content."""
    for edition in bundled_content().site.editions:
        yield str(edition.year), edition, edition.departments
        for department in edition.departments:
            yield f"{edition.year}/{department.slug}", edition, (department,)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read a CSV file as Excel would: it must start with a UTF-8 byte-order mark."""
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), f"{path} has no UTF-8 BOM"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("folder, edition, departments", list(folders()), ids=[f for f, *_ in folders()])
def test_csv_and_json_hold_every_project_indicator_cost_line_and_source_as_printed(built_site, folder, edition, departments):
    projects = [(d, p) for d in departments for p in d.projects]
    rows = read_csv(built_site / folder / "projects.csv")
    assert [(r["部门网址名"], r["项目网址名"]) for r in rows] == [(d.slug, p.slug) for d, p in projects]
    for row, (department, project) in zip(rows, projects, strict=True):
        assert row["项目名称"] == project.name and row["部门"] == department.name
        assert row["本年度预算"] == format(project.amount, "f") and row["金额单位"] == project.unit
        assert row["项目代码"] == (project.code or "")
        assert (built_site / row["网页"] / "index.html").is_file()

    indicators = read_csv(built_site / folder / "indicators.csv")
    expected = [(p.slug, ind.name, ind.value) for d in departments
                for p in ([None] if d.goals and d.goals.indicators else []) + list(d.projects)
                for _, _, ind in iter_indicators(p.indicators if p else d.goals.indicators)]
    assert [(r["项目网址名"] or None, r["三级指标"], r["指标值"]) for r in indicators] == expected

    costs = read_csv(built_site / folder / "costs.csv")
    assert [(r["明细名称"], r["金额"]) for r in costs] == [
        (line.name, "" if line.amount is None else format(line.amount, "f"))
        for _, p in projects for t in p.cost_tables for line in t.lines]

    funding = read_csv(built_site / folder / "funding.csv")
    sources = [(s.name, s.amount) for _, p in projects for t in p.funding for s in t.sources]
    assert [(r["资金来源"], r["金额"]) for r in funding if r["行类别"] == "来源"] == [
        (name, "" if amount is None else format(amount, "f")) for name, amount in sources]

    for table in TABLES:
        as_json = json.loads((built_site / folder / f"{table.stem}.json").read_text(encoding="utf-8"))
        assert as_json == read_csv(built_site / folder / f"{table.stem}.csv"), table.stem


def test_an_amount_keeps_every_printed_digit(built_site):
    rows = read_csv(built_site / "2024" / "pengyang-sfj" / "projects.csv")
    printed = {r["项目名称"]: r["本年度预算"] for r in rows}
    # The record says 31.900000 万元: the data says so too, not 31.9.
    assert "31.900000" in printed.values() or any(v.endswith("0") and "." in v for v in printed.values())
    for project in bundled_content().site.editions[0].projects:
        assert printed[project.name] == format(project.amount, "f")


@pytest.mark.parametrize("folder, edition, departments", list(folders()), ids=[f for f, *_ in folders()])
def test_the_workbook_has_the_same_tables_as_numbers_and_text(built_site, folder, edition, departments):
    from openpyxl import load_workbook

    book = load_workbook(built_site / folder / WORKBOOK)
    assert book.sheetnames == ["说明", *(t.title for t in TABLES)]
    for table in TABLES:
        sheet = book[table.title]
        header = [c.value for c in sheet[1]]
        assert header == [c.name for c in table.columns]
        csv_rows = read_csv(built_site / folder / f"{table.stem}.csv")
        assert sheet.max_row - 1 == len(csv_rows)
        for cells, row in zip(sheet.iter_rows(min_row=2), csv_rows, strict=True):
            for cell, column in zip(cells, table.columns, strict=True):
                printed = row[column.name]
                if printed == "":
                    assert cell.value is None
                elif column.type == "number":
                    assert Decimal(str(cell.value)) == Decimal(printed), (table.stem, column.name)
                    decimals = len(printed.partition(".")[2])
                    assert cell.number_format == "#,##0" + ("." + "0" * decimals if decimals else "")
                elif column.type == "integer":
                    assert cell.value == int(printed)
                else:
                    assert cell.value == printed
    guide = [row[1] for row in book["说明"].iter_rows(min_row=5, values_only=True)]
    assert guide == [c.name for t in TABLES for c in t.columns]


def test_every_datapackage_is_valid_frictionless_and_describes_its_csv_files(built_site):
    frictionless = pytest.importorskip("frictionless")
    packages = sorted(built_site.rglob("datapackage.json"))
    assert len(packages) == len(list(folders()))
    for path in packages:
        report = frictionless.validate(str(path))
        assert report.valid, (path, report.flatten(["type", "note"])[:5])
        package = json.loads(path.read_text(encoding="utf-8"))
        assert [r["path"] for r in package["resources"]] == [f"{t.stem}.csv" for t in TABLES]
        for resource in package["resources"]:
            names = [f["name"] for f in resource["schema"]["fields"]]
            header = next(csv.reader(io.StringIO((path.parent / resource["path"]).read_text(encoding="utf-8-sig"))))
            assert names == header
            amounts = [f for f in resource["schema"]["fields"] if f["type"] == "number"]
            assert all("单位" in f["description"] or f["name"] in ("权重", "单价", "数量") for f in amounts)


def test_frictionless_reads_amounts_back_exactly(built_site):
    frictionless = pytest.importorskip("frictionless")
    package = frictionless.Package(str(built_site / "2020" / "datapackage.json"))
    rows = package.get_resource("projects").read_rows()
    expected = {p.name: p.amount for p in next(e for e in bundled_content().site.editions if e.year == 2020).projects}
    assert {row["项目名称"]: row["本年度预算"] for row in rows} == expected


@pytest.mark.parametrize("path, folder", [("2020/index.html", "2020"), ("2020/jiangyin-sfj/index.html", "2020/jiangyin-sfj"),
                                          ("2024/pengyang-sfj/renmin-tiaojie/index.html", "2024/pengyang-sfj")])
def test_edition_department_and_project_pages_link_every_download(built_site, path, folder):
    page = soup(built_site, path)
    section = page.find("section", class_="downloads")
    assert section is not None
    links = {a["href"].rsplit("/", 1)[-1] for a in section.find_all("a") if not a["href"].startswith("../../about")}
    wanted = {f"{t.stem}.{fmt}" for t in TABLES for fmt in ("csv", "json")} | {WORKBOOK, "datapackage.json"}
    assert wanted <= links
    base = (built_site / path).parent
    for a in section.find_all("a"):
        assert (base / a["href"]).resolve().is_file(), a["href"]


def test_the_about_page_explains_every_column(built_site):
    about = soup(built_site, "about/index.html").get_text()
    for table in TABLES:
        assert table.stem in about
        for column in table.columns:
            assert column.name in about, (table.stem, column.name)


def test_an_original_document_is_published_beside_the_pages_with_its_sha256(tmp_path):
    from factory import make_content

    make_content(tmp_path)
    folder = tmp_path / "content" / "2024" / "test-dept"
    pdf = b"%PDF-1.4\n% original document\n%%EOF\n"
    (folder / "yuanwen.pdf").write_bytes(pdf)
    department = folder / "department.yaml"
    department.write_text(department.read_text(encoding="utf-8") + "source_file: yuanwen.pdf\n", encoding="utf-8")
    out = tmp_path / "public"
    assert build(tmp_path / "content", out, progress=False) == 0
    assert (out / "2024" / "test-dept" / "yuanwen.pdf").read_bytes() == pdf
    digest = hashlib.sha256(pdf).hexdigest()
    for page in ("2024/test-dept/index.html", "2024/test-dept/test-project/index.html"):
        listed = soup(out, page).find("ul", class_="source-files")
        assert listed is not None and digest in listed.get_text() and listed.find("a")["href"].endswith("yuanwen.pdf")


def test_a_missing_original_document_is_an_error_naming_the_field(tmp_path, capsys):
    from factory import make_content

    project = make_content(tmp_path)
    project.write_text(project.read_text(encoding="utf-8") + "source_file: missing.xls\n", encoding="utf-8")
    assert build(tmp_path / "content", tmp_path / "public", progress=False) == 1
    err = capsys.readouterr().err
    assert "test-project.yaml" in err and "source_file" in err and "missing.xls" in err
    assert not (tmp_path / "public").exists()


def test_parts_made_ahead_in_workers_equal_parts_made_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from generator import opendata

    monkeypatch.setattr(opendata, "MIN_AHEAD", 0)  # the bundled content has few departments
    site = bundled_content().site
    wanted = [(e, d) for e in site.editions for d in e.departments]
    store = opendata.PartStore(tmp_path / "data", lambda e, d: f"{e.year}-{d.slug}")
    assert store.make_ahead(wanted, jobs=2) == len(wanted) > 1
    for edition, department in wanted:
        assert store.made[f"{edition.year}-{department.slug}"] == opendata.department_parts(edition, department)
        assert store.read(f"{edition.year}-{department.slug}") == store.made[f"{edition.year}-{department.slug}"]
    assert store.make_ahead(wanted, jobs=2) == 0  # held now
    again = opendata.PartStore(tmp_path / "data", store.key)
    assert again.make_ahead(wanted, jobs=2) == 0 and again.made == {}  # kept in the cache folder: read when asked


def test_parts_kept_in_the_cache_read_back_as_made_and_a_damaged_file_is_made_again(tmp_path: Path) -> None:
    from generator import opendata

    site = bundled_content().site
    edition = site.editions[0]
    department = edition.departments[0]
    made = opendata.department_parts(edition, department)
    packed = b"".join(opendata.pack(made))
    assert opendata.unpack(packed) == made
    store = opendata.PartStore(tmp_path / "data", lambda e, d: "k")
    assert store.read("k") is None  # nothing kept yet
    store.save("k", made)
    assert store.read("k") == made
    damaged = {
        "empty": b"",
        "cut short": packed[:-1],
        "one byte too many": packed + b"x",
        "another format": b"\x80\x05" + packed[2:],
        "a header that is not JSON": packed[:len(opendata.PACKED) + 4] + b"x" + packed[len(opendata.PACKED) + 5:],
    }
    for what, data in damaged.items():
        (tmp_path / "data" / "k").write_bytes(data)
        assert store.read("k") is None, what
    # A store that finds no readable part makes it again, from the department itself.
    store.made.clear()
    assert store.of(edition, department) == made
