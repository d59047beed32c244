"""Editions as archives: freeze, reproduce verbatim after a template change, refuse silent changes,
correct openly, verify a deployed copy, draft editions."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from factory import EDITION, PROJECT, make_content, run_cli
from site_fixture import snapshot, soup, text

from generator import archive
from generator.build import build
from generator.editions import freeze, verify
from generator.render import TEMPLATES

CORRECTION = """corrections:
  - date: 2025-03-01
    what: 群众满意度指标值由“>90%”更正为“≥95%”
    why: 录入错误，与批复文件不一致
"""


def two_editions(tmp_path: Path) -> Path:
    """Write content with a 2023 edition (to freeze) and a 2024 one; return the content folder."""
    make_content(tmp_path)
    content = tmp_path / "content"
    shutil.copytree(content / "2024", content / "2023")
    (content / "2023" / "edition.yaml").write_text("year: 2023\nstatus: published\npublished: 2023-02-20\n", encoding="utf-8")
    (content / "2024" / "edition.yaml").write_text(EDITION + "published: 2024-02-07\n", encoding="utf-8")
    return content


def edition_files(site: Path, year: int) -> dict[str, bytes]:
    """Return every output file of one edition (its `<year>/` folder), keyed as the manifest keys them."""
    return {f"{year}/{name}": data for name, data in snapshot(site / str(year)).items()}


@pytest.fixture
def frozen(tmp_path: Path) -> Path:
    """Content whose 2023 edition is frozen; return the content folder."""
    content = two_editions(tmp_path)
    assert freeze(content, 2023) == 0
    return content


def changed_templates(tmp_path: Path) -> Path:
    """Copy the templates with a visible change to the page layout and the stylesheet."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    base = templates / "base.html"
    base.write_text(base.read_text(encoding="utf-8").replace("<main ", '<p class="template-changed">新模板</p>\n<main '),
                    encoding="utf-8")
    style = templates / "assets" / "style.css"
    style.write_text(style.read_text(encoding="utf-8") + "\nbody { color: #222; }\n", encoding="utf-8")
    return templates


def test_freeze_writes_the_archive_manifest_and_status(frozen):
    folder = frozen / "2023"
    manifest = json.loads((folder / archive.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["year"] == 2023
    assert "2023/index.html" in manifest["files"] and "2023/test-dept/test-project/index.html" in manifest["files"]
    assert "2023/test-dept/projects.csv" in manifest["files"] and "2023/corrections.html" in manifest["files"]
    assert not any(name.startswith(("2024/", "assets/", "search/", "years/")) for name in manifest["files"])
    assert set(manifest["records"]) == {"2023/edition.yaml", "2023/test-dept/department.yaml",
                                        "2023/test-dept/test-project.yaml"}
    assert "status: frozen" in (folder / "edition.yaml").read_text(encoding="utf-8")
    # The archive is deterministic: freezing the same output again gives the same bytes.
    first = (folder / archive.ARCHIVE).read_bytes()
    manifest_, files = archive.read_archive(frozen, 2023)
    assert archive.zip_bytes(files) == first and manifest_.files == manifest["files"]


def test_after_a_template_change_a_frozen_edition_comes_out_byte_identical(frozen, tmp_path):
    before = tmp_path / "before"
    assert build(frozen, before, progress=False) == 0
    after = tmp_path / "after"
    assert build(frozen, after, progress=False, templates=changed_templates(tmp_path)) == 0
    assert edition_files(after, 2023) == edition_files(before, 2023)
    manifest = archive.Manifest.read(frozen / "2023" / archive.MANIFEST)
    assert {name: archive.sha256(data) for name, data in edition_files(after, 2023).items()} == manifest.files
    assert archive.verify(after, frozen, [2023]) == []
    # The change did reach the edition that is not frozen, and the site-wide style.
    assert soup(after, "2024/index.html").find("p", class_="template-changed") is not None
    assert soup(after, "2023/index.html").find("p", class_="template-changed") is None
    assert (after / "assets" / "style.css").read_bytes() != (before / "assets" / "style.css").read_bytes()


def test_a_frozen_record_changed_without_a_correction_fails_naming_the_record(frozen, tmp_path, capsys):
    out = tmp_path / "public"
    assert build(frozen, out, progress=False) == 0
    kept = snapshot(out)
    project = frozen / "2023" / "test-dept" / "test-project.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace(">90%", "≥95%"), encoding="utf-8")
    added = frozen / "2023" / "test-dept" / "new-project.yaml"
    added.write_text(PROJECT, encoding="utf-8")
    capsys.readouterr()
    assert build(frozen, out, progress=False) == 1
    err = capsys.readouterr().err
    assert "test-project.yaml" in err and "new-project.yaml" in err and "已冻结" in err and "corrections" in err
    assert "Traceback" not in err
    assert snapshot(out) == kept  # a failed build leaves the output as it was
    result = run_cli("check", "--content", frozen)
    assert result.returncode == 1 and "test-project.yaml" in result.stderr


def test_a_correction_makes_a_new_version_with_a_notice_and_keeps_the_old_one(frozen, tmp_path):
    original = tmp_path / "original"
    assert build(frozen, original, progress=False) == 0
    project = frozen / "2023" / "test-dept" / "test-project.yaml"
    project.write_text(project.read_text(encoding="utf-8").replace(">90%", "≥95%") + CORRECTION, encoding="utf-8")
    out = tmp_path / "public"
    assert build(frozen, out, progress=False) == 0

    page = soup(out, "2023/test-dept/test-project/index.html")
    notice = page.find("section", class_="correction-notice")
    assert notice is not None and "2025年3月1日" in text(notice) and "录入错误" in text(notice)
    assert "≥95%" in text(page.find("main"))
    previous = notice.find("a", class_="previous-version")["href"]
    assert previous == "index.v1.html"
    # The previous version is the page exactly as it was published, beside the new one.
    old = original / "2023" / "test-dept" / "test-project" / "index.html"
    assert (out / "2023" / "test-dept" / "test-project" / previous).read_bytes() == old.read_bytes()
    # The department page lists the project, so it is re-made too, and says why.
    assert soup(out, "2023/test-dept/index.html").find("section", class_="correction-notice") is not None
    assert (out / "2023" / "test-dept" / "index.v1.html").is_file()
    # The data files are new versions too; the old ones stay reachable.
    assert "≥95%" in (out / "2023" / "test-dept" / "indicators.csv").read_text(encoding="utf-8-sig")
    assert ">90%" in (out / "2023" / "test-dept" / "indicators.v1.csv").read_text(encoding="utf-8-sig")
    # The 更正记录 page lists the correction.
    log = soup(out, "2023/corrections.html").find("table", id="corrections")
    assert log is not None and "录入错误" in text(log) and "测试项目" in text(log)
    # Nothing else of the edition changed.
    unchanged = {n for n in edition_files(original, 2023) if n.endswith("test-dept/test-project/index.html") is False
                 and "/test-dept/" not in n and n not in ("2023/index.html", "2023/corrections.html")
                 and n.split("/")[-1].split(".")[0] not in ("projects", "indicators", "costs", "funding", "data")}
    for name in unchanged:
        assert (out / name).read_bytes() == (original / name).read_bytes(), name

    # Recording the correction freezes the new version: a template change leaves it as it is.
    assert freeze(frozen, 2023) == 0
    corrected = edition_files(out, 2023)
    again = tmp_path / "again"
    assert build(frozen, again, progress=False, templates=changed_templates(tmp_path)) == 0
    assert edition_files(again, 2023) == corrected
    assert archive.verify(again, frozen, [2023]) == []


def test_verify_names_a_flipped_byte_a_missing_file_and_an_extra_one(frozen, tmp_path, capsys):
    out = tmp_path / "public"
    assert build(frozen, out, progress=False) == 0
    assert verify(out, frozen) == 0
    page = out / "2023" / "test-dept" / "index.html"
    data = bytearray(page.read_bytes())
    data[100] ^= 0x01
    page.write_bytes(bytes(data))
    (out / "2023" / "test-dept" / "funding.json").unlink()
    (out / "2023" / "extra.html").write_text("x", encoding="utf-8")
    capsys.readouterr()
    assert verify(out, frozen) == 1
    printed = capsys.readouterr().out.splitlines()
    assert "内容不同：2023/test-dept/index.html" in printed
    assert "缺少：2023/test-dept/funding.json" in printed
    assert "多出：2023/extra.html" in printed
    assert len(printed) == 3
    result = run_cli("verify", out, "--content", frozen)
    assert result.returncode == 1 and "3 个文件与清单不符" in result.stderr


def test_a_damaged_archive_stops_the_build(frozen, tmp_path, capsys):
    manifest = frozen / "2023" / archive.MANIFEST
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["files"]["2023/index.html"] = "0" * 64
    manifest.write_text(json.dumps(data), encoding="utf-8")
    assert build(frozen, tmp_path / "public", progress=False) == 1
    assert "2023/index.html" in capsys.readouterr().err


def test_status_must_match_the_archive_and_a_published_edition_needs_its_date(tmp_path):
    content = two_editions(tmp_path)
    edition = content / "2023" / "edition.yaml"
    edition.write_text("year: 2023\nstatus: frozen\npublished: 2023-02-20\n", encoding="utf-8")
    result = run_cli("check", "--content", content)
    assert result.returncode == 1 and "disclose freeze 2023" in result.stderr and "edition.yaml:2" in result.stderr
    edition.write_text("year: 2023\nstatus: published\n", encoding="utf-8")
    result = run_cli("check", "--content", content)
    assert result.returncode == 1 and "公开日期" in result.stderr
    edition.write_text("year: 2023\nstatus: published\npublished: 2023-02-30\n", encoding="utf-8")
    result = run_cli("check", "--content", content)
    assert result.returncode == 1 and "不是真实存在的日期" in result.stderr and "Traceback" not in result.stderr


def test_a_draft_is_built_only_with_drafts_marked_and_kept_out_of_sitemap_and_all_search(tmp_path):
    content = two_editions(tmp_path)
    (content / "2023" / "edition.yaml").write_text("year: 2023\nstatus: draft\n", encoding="utf-8")
    (content / "site.yaml").write_text("name: 测试站点\nbase_url: https://example.gov.cn/jxmb/\n", encoding="utf-8")
    plain = tmp_path / "plain"
    assert build(content, plain, progress=False) == 0
    assert not (plain / "2023").exists()
    assert "2023" not in text(soup(plain, "index.html").find("main"))

    drafts = tmp_path / "drafts"
    assert build(content, drafts, progress=False, drafts=True) == 0
    for page in ("2023/index.html", "2023/test-dept/index.html", "2023/test-dept/test-project/index.html",
                 "2023/test-dept/print.html", "2023/corrections.html"):
        mark = soup(drafts, page).find(class_="draft-mark")
        assert mark is not None and "草稿" in text(mark), page
    assert "草稿" in text(soup(drafts, "index.html").find("table", id="editions"))
    assert "草稿" not in text(soup(drafts, "2024/index.html").find("main"))
    sitemap = (drafts / "sitemap.xml").read_text(encoding="utf-8")
    assert "/2024/" in sitemap and "/2023/" not in sitemap
    manifest = (drafts / "search" / "all" / "manifest.js").read_text(encoding="utf-8")
    assert '["2024"' in manifest and '"2023"' not in manifest
    assert (drafts / "search" / "2023" / "manifest.js").is_file()  # searchable on its own
    result = run_cli("freeze", "2023", "--content", content)
    assert result.returncode == 1 and "草稿" in result.stderr


def test_a_published_edition_shows_its_date_on_every_page(tmp_path):
    content = two_editions(tmp_path)
    out = tmp_path / "public"
    assert build(content, out, progress=False) == 0
    for page in ("2024/index.html", "2024/test-dept/index.html", "2024/test-dept/test-project/index.html",
                 "2024/test-dept/print.html", "2024/corrections.html"):
        bar = soup(out, page).find(class_="edition-bar")
        assert bar is not None and "2024年2月7日" in text(bar), page
        assert bar.find("time")["datetime"] == "2024-02-07"
    (content / "2024" / "edition.yaml").write_text(EDITION + "published: 2024 年 2 月 7 日\n", encoding="utf-8")
    assert build(content, out, progress=False) == 0  # a date as printed is shown the same way
    bar = soup(out, "2024/index.html").find(class_="edition-bar")
    assert "2024年2月7日" in text(bar) and bar.find("time")["datetime"] == "2024-02-07"


def test_the_bundled_2020_and_2022_editions_are_frozen_and_survive_a_template_change(built_site, tmp_path):
    from site_fixture import CONTENT, bundled_content

    frozen_years = sorted(e.year for e in bundled_content().site.editions if e.status == "frozen")
    assert frozen_years == [2020, 2022]
    assert archive.verify(built_site, CONTENT, frozen_years) == []
    changed = tmp_path / "public"
    assert build(CONTENT, changed, progress=False, templates=changed_templates(tmp_path),
                 cache=tmp_path / "cache") == 0
    assert archive.verify(changed, CONTENT, frozen_years) == []
    for year in frozen_years:
        assert edition_files(changed, year) == edition_files(built_site, year)
    assert soup(changed, "2024/index.html").find("p", class_="template-changed") is not None
