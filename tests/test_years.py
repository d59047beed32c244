"""Across years: which projects and departments are the same, and the never-frozen files that link them."""

from __future__ import annotations

import json
import shutil
from decimal import Decimal
from pathlib import Path

from factory import EDITION, make_content
from site_fixture import soup, text

from generator import urls, years
from generator.build import build
from generator.load import load_content
from generator.money import format_amount


def two_years(tmp_path: Path, code_2023: str | None, code_2024: str | None, same_as: str | None = None) -> Path:
    """Write content with one project in 2023 and in 2024, with the given codes; return the content folder."""
    project = make_content(tmp_path)
    content = tmp_path / "content"
    shutil.copytree(content / "2024", content / "2023")
    (content / "2023" / "edition.yaml").write_text("year: 2023\n", encoding="utf-8")
    (content / "2024" / "edition.yaml").write_text(EDITION, encoding="utf-8")
    older = content / "2023" / "test-dept" / project.name
    older.write_text(older.read_text(encoding="utf-8").replace("amount: 31.9", "amount: 28.50"), encoding="utf-8")
    for path, code in ((older, code_2023), (project, code_2024)):
        if code:
            path.write_text(path.read_text(encoding="utf-8") + f"code: {code}\n", encoding="utf-8")
    if same_as:
        older.write_text(older.read_text(encoding="utf-8") + f"same_as:\n  - {same_as}\n", encoding="utf-8")
    return content


def groups(content: Path) -> dict:
    loaded = load_content(content)
    assert not loaded.report.errors, loaded.report.errors
    return years.project_groups(loaded.site)[1]


def test_projects_with_the_same_code_are_one_project_across_years(tmp_path):
    found = groups(two_years(tmp_path, "315-0405-JXN-C1UG", "315-0405-jxn-c1ug "))
    assert found[(2023, "test-dept", "test-project")] == ((2024, "test-dept", "test-project"), (2023, "test-dept", "test-project"))


def test_different_codes_are_different_projects_unless_a_record_links_them(tmp_path):
    found = groups(two_years(tmp_path / "a", "A-1", "B-2"))
    assert found[(2023, "test-dept", "test-project")] == ((2023, "test-dept", "test-project"),)
    found = groups(two_years(tmp_path / "b", "A-1", "B-2", same_as="2024/test-dept/test-project"))
    assert len(found[(2024, "test-dept", "test-project")]) == 2


def test_the_bundled_chenggong_department_links_its_2020_and_2022_editions(built_site):
    for year, other in ((2020, 2022), (2022, 2020)):
        data = (built_site / urls.years_data(year, "chenggong-sfj")).read_text(encoding="utf-8")
        assert data.startswith("window.discloseYears=")
        parsed = json.loads(data.removeprefix("window.discloseYears=").rstrip().rstrip(";"))
        assert [y["year"] for y in parsed["years"]] == [2022, 2020]
        assert parsed["newest"]["year"] == 2024 and parsed["newest"]["path"] == "2024/index.html"
        page = soup(built_site, urls.years(year, "chenggong-sfj"))
        links = {a["href"] for a in page.find("ul", class_="department-years").find_all("a")}
        assert f"../../../{other}/chenggong-sfj/index.html" in links
        # Without JavaScript the department page links to that page.
        bar = soup(built_site, urls.department(year, "chenggong-sfj")).find(class_="edition-bar")
        assert any(a["href"].endswith(f"years/{year}/chenggong-sfj/index.html") for a in bar.find_all("a"))


def test_every_edition_page_names_its_edition_and_loads_the_cross_year_files(built_site):
    for path in (urls.edition(2020), urls.department(2020, "jiangyin-sfj"),
                 urls.project(2020, "jiangyin-sfj", "falv-yuanzhu"), urls.print_all(2020, "jiangyin-sfj")):
        page = soup(built_site, path)
        bar = page.find(class_="edition-bar")
        assert "2020年预算绩效目标公开" in text(bar)
        scripts = [s["src"] for s in page.find_all("script", src=True)]
        data = next(s for s in scripts if "/years/" in s or s.startswith("years/"))
        assert (built_site / path).parent.joinpath(data).resolve().is_file()


def test_the_by_year_table_page_lists_a_project_in_both_years(tmp_path):
    content = two_years(tmp_path, "X-1", "X-1")
    out = tmp_path / "public"
    assert build(content, out, progress=False) == 0
    table = soup(out, urls.years(2023, "test-dept")).find("table", id="years-test-project")
    assert table is not None
    rows = [text(tr) for tr in table.find("tbody").find_all("tr")]
    assert rows[0].startswith("2024年") and f"{format_amount(Decimal('31.9'))} 万元" in rows[0]
    assert rows[1].startswith("2023年") and f"{format_amount(Decimal('28.50'))} 万元" in rows[1] and "群众满意度" in rows[1]


def test_the_by_year_table_shows_a_self_evaluations_result(tmp_path):
    content = two_years(tmp_path, "X-1", "X-1")
    evaluation = content / "2023" / "test-dept" / "test-project-ziping.yaml"
    evaluation.write_text(
        "kind: evaluation\nname: 测试项目\ncode: X-1\nunit: 万元\n"
        "total:\n  label: 总分\n  weight: 100\n  score: 96\n  grade: 优\n", encoding="utf-8")
    out = tmp_path / "public"
    assert build(content, out, progress=False) == 0
    table = soup(out, urls.years(2024, "test-dept")).find("table", id="years-test-project")
    headings = [text(th) for th in table.find("thead").find_all("th")]
    assert headings[-1] == "自评结果"
    rows = {text(tr.find("th")): [text(td) for td in tr.find_all("td")] for tr in table.find("tbody").find_all("tr")}
    assert rows["2023年"][-1] == "总分 96（满分 100），优"
    assert rows["2024年"][-1] == "—（未自评）"
    data = (out / urls.years_data(2024, "test-dept")).read_text(encoding="utf-8")
    loaded = json.loads(data.removeprefix("window.discloseYears=").rstrip().removesuffix(";"))
    (project_rows,) = loaded["projects"].values()
    assert [row["result"] for row in project_rows] == ["", "总分 96（满分 100），优"]
