"""The proof of the build engine: an incremental build is byte-identical to a clean one.

For each kind of edit a publisher makes, the site is built, edited, built
again incrementally, and compared file by file (search index included) with a
clean build of the edited content into another folder with another cache.
Each test starts from the same first build, restored with its mtimes, so that
the first build is made once.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from site_fixture import CONTENT, snapshot

from generator import opendata, pipeline, plan, shelf, urls, walk
from generator.build import BuildReport, Engine
from generator.render import TEMPLATES
from generator.state import BuildState, as_left, fingerprint

PROJECT = "2024/pengyang-sfj/renmin-tiaojie.yaml"
PROJECT_PAGE = urls.project(2024, "pengyang-sfj", "renmin-tiaojie")


def run(work: Path, *, clean: bool = False, output: str = "public", cache: str = ".disclose-cache",
        jobs: int = 1) -> BuildReport:
    """Build work/content into work/<output> with work/<cache>, asserting success."""
    engine = Engine(work / "content", work / output, cache=work / cache, jobs=jobs)
    report = engine.build(clean=clean, progress=False)
    assert report.status == 0
    return report


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled content (with an empty site_templates/ of its own) built once, kept pristine."""
    pristine = tmp_path_factory.mktemp("pristine") / "work"
    shutil.copytree(CONTENT, pristine / "content")
    (pristine / "site_templates").mkdir()
    run(pristine)
    return pristine


@pytest.fixture
def work(first_build: Path) -> Iterator[Path]:
    """The first build restored at its own path (mtimes kept, so its state holds), for one test to edit."""
    shutil.rmtree(first_build.with_name("work.test"), ignore_errors=True)
    shutil.copytree(first_build, first_build.with_name("work.test"), copy_function=shutil.copy2, symlinks=True)
    # The state names the folder it was built in: swap the copies, so the test works at the original path.
    spare = first_build.with_name("work.pristine")
    os.rename(first_build, spare)
    os.rename(first_build.with_name("work.test"), first_build)
    yield first_build
    shutil.rmtree(first_build)
    os.rename(spare, first_build)


def edit(path: Path, old: str, new: str) -> None:
    """Replace one piece of text in a file (it must be there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def override(work: Path, name: str, change: Callable[[str], str]) -> None:
    """Give the site its own copy of a bundled template, changed."""
    target = work / "site_templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    bundled = TEMPLATES / name
    target.write_text(change(bundled.read_text(encoding="utf-8") if bundled.exists() else ""), encoding="utf-8")


def add_edition(work: Path) -> None:
    """Copy the 2024 edition as 2025."""
    shutil.copytree(work / "content" / "2024", work / "content" / "2025")
    edit(work / "content" / "2025" / "edition.yaml", "year: 2024", "year: 2025")
    edit(work / "content" / "2025" / "edition.yaml", "2024年", "2025年")


EDITS: dict[str, Callable[[Path], None]] = {
    "a figure": lambda w: edit(w / "content" / PROJECT, "amount: 104.540000", "amount: 105.540000"),
    "a project's name": lambda w: edit(w / "content" / PROJECT, "name: 人民调解工作经费", "name: 人民调解员补助经费"),
    # the 2020 project with this code gains a row for 2024 in its by-year table, and this one a row for 2020
    "link a project to another year's": lambda w: edit(w / "content" / PROJECT, "name: 人民调解工作经费",
                                                       "name: 人民调解工作经费\ncode: 315-0405-JXN-C1UG"),
    "delete a project": lambda w: (w / "content" / PROJECT).unlink(),
    "add a department": lambda w: shutil.copytree(w / "content" / "2024" / "pengyang-sfj", w / "content" / "2024" / "pengyang-fzb"),
    "add an edition": add_edition,
    "edit the base template": lambda w: override(w, "base.html", lambda t: t.replace("<body", "<body data-edited", 1)),
    "edit an include": lambda w: override(w, "partials/publication.html", lambda t: '<p class="edited">更正</p>\n' + t),
    # the print-all page renders it through sheet(), not an include
    "edit a sheet": lambda w: override(w, "partials/project_sheet.html", lambda t: '<p class="edited">表</p>\n' + t),
    "add a more specific override": lambda w: override(
        w, "project-2024-pengyang-sfj.html",
        lambda _: '{% extends "project.html" %}{% block head %}<meta name="layout" content="pengyang">{% endblock %}'),
    "edit site.yaml": lambda w: edit(w / "content" / "site.yaml", "organizer:", "organizer: 彭阳县财政局"),
    "a Markdown page": lambda w: (w / "content" / "pages" / "about.md").write_text(
        (w / "content" / "pages" / "about.md").read_text(encoding="utf-8") + "\n更正：补充一段说明。\n", encoding="utf-8"),
    "an asset": lambda w: override(w, "assets/style.css", lambda t: t + "\n/* edited */\n"),
}


@pytest.mark.parametrize("kind", EDITS)
def test_an_incremental_build_equals_a_clean_one(work: Path, kind: str) -> None:
    before = snapshot(work / "public")
    EDITS[kind](work)
    report = run(work)
    clean = run(work, clean=True, output="clean", cache="clean-cache")
    after = snapshot(work / "public")
    assert after == snapshot(work / "clean")
    assert after != before, "the edit must show somewhere"
    # What the report says it wrote and removed is exactly what changed on disk.
    assert sorted(report.written) == sorted(p for p in after if before.get(p) != after[p])
    assert sorted(report.removed) == sorted(set(before) - set(after))
    assert len(report.rendered) <= len(clean.rendered)


def test_a_figure_is_rendered_where_it_shows_and_nowhere_else(work: Path) -> None:
    EDITS["a figure"](work)
    rendered = set(run(work).rendered)
    department = urls.department(2024, "pengyang-sfj")
    assert {PROJECT_PAGE, department, urls.print_all(2024, "pengyang-sfj"), urls.edition(2024), urls.home()} <= rendered
    assert not any(path.startswith(("2020/", "2022/")) for path in rendered)
    assert urls.project(2024, "pengyang-sfj", "falv-yuanzhu-anjian-buzhu") not in rendered


def test_pages_that_list_departments_are_rendered_when_what_they_show_changes(work: Path) -> None:
    # The home, search and edition pages show a line per department: a project's new name leaves
    # every line as it was (plan.shown), a department's new name does not.
    listing = {urls.home(), urls.search(), urls.edition(2024)}
    EDITS["a project's name"](work)
    rendered = set(run(work).rendered)
    assert PROJECT_PAGE in rendered and urls.department(2024, "pengyang-sfj") in rendered
    assert not listing & rendered
    edit(work / "content" / "2024" / "pengyang-sfj" / "department.yaml", "name: ", "name: 更名")
    assert listing <= set(run(work).rendered)
    assert "更名" in (work / "public" / urls.edition(2024)).read_text(encoding="utf-8")


def test_a_second_build_builds_nothing(work: Path) -> None:
    mtimes = {p: p.stat().st_mtime_ns for p in (work / "public").rglob("*")}
    report = run(work)
    assert report.rendered == [] and report.written == [] and report.removed == []
    assert report.planned > 50
    assert {p: p.stat().st_mtime_ns for p in (work / "public").rglob("*")} == mtimes


def test_a_build_with_nothing_to_do_imports_no_stage(work: Path) -> None:
    # build.py decides before the pipeline is imported: the record model (pydantic), the loader, Jinja and
    # the search package stay unloaded, which halved a no-op build at 10,000 projects (docs/performance.md).
    heavy = ("generator.pipeline", "generator.model", "generator.load", "generator.search", "pydantic", "jinja2")
    arguments = ["build", "--content", str(work / "content"), "--output", str(work / "public"),
                 "--cache", str(work / ".disclose-cache"), "--quiet"]
    probe = (f"import sys; from generator.cli import main; code = main({arguments!r}); "
             f"print([m for m in {heavy!r} if m in sys.modules]); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "检查输入和输出" in done.stdout, done.stdout  # the no-op step, not a build
    assert done.stdout.strip().splitlines()[-1] == "[]"
    touched = work / "content" / "site.yaml"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 1_000_000_000))
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "generator.pipeline" in done.stdout.strip().splitlines()[-1]  # a change does run the stages


def test_unchanged_files_keep_their_mtime_when_others_change(work: Path) -> None:
    other = work / "public" / urls.project(2020, "jiangyin-sfj", "falv-yuanzhu")
    home = work / "public" / urls.home()
    other_mtime, home_mtime = other.stat().st_mtime_ns, home.stat().st_mtime_ns
    EDITS["a figure"](work)
    report = run(work, clean=True)  # even a clean build leaves files with the same bytes alone
    assert other.stat().st_mtime_ns == other_mtime
    assert PROJECT_PAGE in report.written and urls.home() in report.written
    assert home.stat().st_mtime_ns != home_mtime


def test_a_file_changed_by_hand_is_written_again(work: Path) -> None:
    page = work / "public" / PROJECT_PAGE
    original = page.read_bytes()
    page.write_bytes(b"tampered")
    (work / "public" / urls.home()).unlink()
    report = run(work)
    assert sorted(report.written) == sorted([PROJECT_PAGE, urls.home()])
    assert page.read_bytes() == original


@pytest.mark.parametrize("damage", ["garbage", "foreign", "truncated", "other version", "same size and mtime"])
def test_a_corrupt_or_foreign_cache_is_rebuilt(work: Path, damage: str) -> None:
    state = work / ".disclose-cache" / "state.sqlite"
    if damage == "same size and mtime":  # as a disk might: only the ctime tells
        run(work)  # the store as a build left it in place (the fixture's copy is checked anyway)
        assert as_left(state)
        before = state.stat()
        with open(state, "r+b") as f:
            f.seek(before.st_size // 2)
            f.write(b"\xff" * 8192)
        os.utime(state, ns=(before.st_atime_ns, before.st_mtime_ns))
        assert state.stat().st_size == before.st_size
    elif damage == "garbage":
        state.write_bytes(b"this is not a database" * 100)
    elif damage == "foreign":
        state.unlink()
        sqlite3.connect(state).executescript("CREATE TABLE outputs (root, path, key); INSERT INTO outputs VALUES (1, 2, 3);")
    elif damage == "truncated":
        data = state.read_bytes()
        state.write_bytes(data[: len(data) // 2])
    else:
        with sqlite3.connect(state) as db:
            db.execute("UPDATE meta SET value = 'another' WHERE key = 'generator'")
    EDITS["a figure"](work)
    report = run(work)
    assert "已重建" in report.cache
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")
    assert run(work).rendered == []  # and the rebuilt state is trusted from now on


def test_a_store_left_as_a_build_closed_it_is_not_checked_again_by_the_next_process(work: Path) -> None:
    """The check reads the whole store; a build's own, untouched since, is taken as it was left."""
    state = work / ".disclose-cache" / "state.sqlite"
    assert not as_left(state)  # a copy (the fixture's): a store seen for the first time is checked
    EDITS["a figure"](work)
    run(work)
    assert as_left(state)  # for this process and the next: what the build wrote beside the store says so
    os.utime(state)  # anyone else's touch: then it is checked
    assert not as_left(state)
    store = BuildState(state.parent, fingerprint())
    assert store.reset is None and not as_left(state)  # open: its write-ahead log is beside it
    store.close()
    assert as_left(state)


def test_parsing_is_skipped_for_unchanged_records(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    EDITS["a figure"](work)
    run(work)
    assert re.search(r"35 个项目（1 个文件重新读取）", capsys.readouterr().out)


def test_the_record_cache_forgets_what_was_renamed_or_removed(work: Path) -> None:
    """A renamed department folder and a removed project leave no rows behind (a folder's row holds its tables)."""
    def rows() -> set[str]:
        with sqlite3.connect(work / ".disclose-cache" / "state.sqlite") as db:
            return {path for (path,) in db.execute("SELECT path FROM records")}

    content = str(work / "content")
    before = rows()
    old, new = f"{content}/2024/pengyang-sfj", f"{content}/2024/pengyang-sfj-2"
    removed = f"{content}/{PROJECT}"
    assert f"folder:{old}" in before and f"shelf:{old}" in before and removed in before and f"{removed}#check" in before
    (work / "content" / PROJECT).unlink()
    run(work)
    after = rows()
    assert removed not in after and f"{removed}#check" not in after
    assert f"folder:{old}" in after and any(p.startswith(old + "/") for p in after)  # the folder's other files stay
    os.rename(old, new)
    run(work)
    after = rows()
    assert not any(p.startswith((old + "/", f"folder:{old}", f"shelf:{old}"))
                   and not p.startswith((new, f"folder:{new}", f"shelf:{new}")) for p in after), sorted(p for p in after if old in p)
    assert f"folder:{new}" in after and f"shelf:{new}" in after and any(p.startswith(new + "/") for p in after)
    assert len(after) == len(before) - 2  # the project's file and its checks


def test_the_state_records_only_what_changed_and_stays_whole(tmp_path: Path) -> None:
    """Saving a build's outputs against the last build's writes the differences; reading back gives them all."""
    from generator.state import BuildState, Entry

    state = BuildState(tmp_path / "cache", "test")
    root = tmp_path / "public"
    root.mkdir()
    first = {f"p{n}.html": Entry(f"k{n}", f"d{n}", n, n) for n in range(5)}
    state.save_outputs(root, first)
    second = {**{k: v for k, v in first.items() if k != "p0.html"}, "p1.html": Entry("new", "d", 1, 2),
              "p9.html": Entry("k9", "d9", 9, 9)}
    state.save_outputs(root, second, state.outputs(root))
    assert state.outputs(root) == second


def test_a_running_engine_reads_no_open_data_part_from_disk_again(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The preview keeps one engine: after its first build, an edit must not re-read the other departments' parts.
    # A second department, whose parts the edit below leaves unchanged (2024 has one of its own).
    shutil.copytree(work / "content/2024/pengyang-sfj", work / "content/2024/pengyang-copy")
    engine = Engine(work / "content", work / "public", cache=work / ".disclose-cache", jobs=1)
    assert engine.build(progress=False).status == 0
    edit(work / "content" / PROJECT, "name: ", "name: 又一次")

    read, save = opendata.PartStore.read, opendata.PartStore.save
    made: set[str] = set()

    def saved(self: opendata.PartStore, key: str, parts: opendata.Parts) -> None:
        made.add(key)
        save(self, key, parts)

    def unread(self: opendata.PartStore, key: str) -> opendata.Parts | None:
        # Only the edited department's new parts may be looked for: not there before they are made,
        # then mapped from the file just saved.
        found = read(self, key)
        assert found is None or key in made, f"part {key} read from disk again"
        return found
    with monkeypatch.context() as patch:
        patch.setattr(opendata.PartStore, "read", unread)
        patch.setattr(opendata.PartStore, "save", saved)
        # Nor the last build's output rows from the state: the engine saved them itself.
        patch.setattr(BuildState, "outputs", lambda self, root: pytest.fail("output rows read back from the state"))
        assert engine.build(progress=False).status == 0
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")


def test_a_running_engine_reads_the_state_again_when_another_build_wrote_it(work: Path) -> None:
    engine = Engine(work / "content", work / "public", cache=work / ".disclose-cache", jobs=1)
    EDITS["a figure"](work)
    assert engine.build(progress=False).status == 0
    EDITS["add a department"](work)
    run(work)  # another engine (a `disclose build`) writes the same output and state meanwhile
    shutil.rmtree(work / "content" / "2024" / "pengyang-fzb")  # gone again: its pages must go too
    assert engine.build(progress=False).status == 0
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")


def test_a_session_prints_each_warning_once_and_every_error_again(work: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # `disclose serve` builds twice per save; the page lists every problem, the terminal only what is new.
    engine = Engine(work / "content", work / "public", cache=work / ".disclose-cache", jobs=1, resident=True)
    site = work / "content" / "site.yaml"
    os.utime(site, ns=(site.stat().st_atime_ns, site.stat().st_mtime_ns + 1_000_000_000))  # not a no-op build
    first = engine.build(progress=False)
    shown = capsys.readouterr().err
    assert first.warnings and all(str(p) in shown for p in first.warnings)
    EDITS["a figure"](work)
    second = engine.build(progress=False)
    shown = capsys.readouterr().err
    assert second.warnings and not any(str(p) in shown for p in second.warnings if p in first.warnings)
    assert f"另有 {len(second.warnings)} 个警告与上次相同" in shown
    edit(work / "content" / PROJECT, "name: ", "name: [unclosed")  # broken YAML: an error, twice
    for _ in range(2):
        errors = [p for p in engine.build(progress=False).problems if p.level == "error"]
        shown = capsys.readouterr().err
        assert errors and all(str(p) in shown for p in errors)
    # A build from the command line (not a session) prints everything, every time.
    for _ in range(2):
        report = Engine(work / "content", work / "public", cache=work / ".disclose-cache", jobs=1).build(progress=False)
        shown = capsys.readouterr().err
        assert all(str(p) in shown for p in report.problems)


def first_session_build(work: Path) -> Engine:
    """Start an engine as `disclose serve` does, its first build loading every record (none changed)."""
    engine = Engine(work / "content", work / "public", cache=work / ".disclose-cache", jobs=1, resident=True)
    site = work / "content" / "site.yaml"
    os.utime(site, ns=(site.stat().st_atime_ns, site.stat().st_mtime_ns + 1_000_000_000))  # not a no-op build
    assert engine.build(progress=False).status == 0
    return engine


def html_pages(folder: Path) -> dict[str, bytes]:
    """Return the HTML pages of an output folder with their bytes."""
    return {path: data for path, data in snapshot(folder).items() if path.endswith(".html")}


def stats_under(*folders: Path) -> dict[str, tuple[int, int]]:
    """Return the size and mtime of everything under some folders, by absolute path."""
    return {str(p): (p.stat().st_size, p.stat().st_mtime_ns) for folder in folders for p in [folder, *folder.rglob("*")]}


def watched(work: Path, change: Callable[[Path], None]) -> set[str]:
    """Make a change and return what a file watcher would report: each path added, removed or modified."""
    folders = (work / "content", work / "site_templates")
    before = stats_under(*folders)
    change(work)
    after = stats_under(*folders)
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


@pytest.mark.parametrize("kind", EDITS)
def test_a_running_preview_equals_a_clean_build_pages_first(work: Path, kind: str) -> None:
    # As `disclose serve` runs it: one engine for the session, and after a save the pages first (the
    # browser reloads then), the downloads and the search index in the full build that follows.
    engine = first_session_build(work)
    first = engine.build(progress=False, pages_only=True, changed=watched(work, EDITS[kind]))
    assert first.status == 0
    assert engine.kept.hits > 0, "nothing kept from the session's first build was used"
    assert "搜索索引" not in first.timings
    clean = run(work, clean=True, output="clean", cache="clean-cache")
    assert html_pages(work / "public") == html_pages(work / "clean")
    assert engine.build(progress=False).status == 0
    assert snapshot(work / "public") == snapshot(work / "clean")
    assert engine.build(progress=False).rendered == [], "the full build left something stale"
    assert len(first.rendered) <= len(clean.rendered)


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The departments whose pages are planned (not taken from what was kept), as year/slug, in order.

    Planning makes a department's pages' outline (plan.outlined); their contexts are made where they
    are rendered.
    """
    found: list[str] = []
    outline = plan.outlined

    def counted(chrome_records, edition, department, tables, uses, kept):  # noqa: ANN001, ANN202 - a spy
        found.append(f"{edition.year}/{department.slug}")
        return outline(chrome_records, edition, department, tables, uses, kept)
    monkeypatch.setattr(plan, "outlined", counted)
    return found


def test_a_running_engine_plans_again_only_the_department_that_changed(work: Path, planned: list[str]) -> None:
    shutil.copytree(work / "content/2024/pengyang-sfj", work / "content/2024/pengyang-copy")  # one left unchanged
    engine = first_session_build(work)
    departments = [d for d in (work / "content").glob("*/*") if d.is_dir()]
    planned.clear()
    EDITS["a figure"](work)
    assert engine.build(progress=False, pages_only=True).status == 0
    assert planned == ["2024/pengyang-sfj"]
    # A change every page shows (site.yaml) plans every department again.
    planned.clear()
    EDITS["edit site.yaml"](work)
    assert engine.build(progress=False).status == 0
    assert len(planned) >= len(departments)
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")


@pytest.fixture
def keyed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The department folders (year/slug) of the pages whose keys are made (not taken from what was kept)."""
    found: list[str] = []
    key_page = pipeline.page_key

    def counted(spec, renderer, digest):  # noqa: ANN001, ANN202 - a spy
        parts = spec.output.split("/")
        if len(parts) > 2 and parts[0].isdigit():
            found.append("/".join(parts[:2]))
        return key_page(spec, renderer, digest)
    monkeypatch.setattr(pipeline, "page_key", counted)
    return found


def test_a_build_after_one_edit_reads_only_the_edited_departments_tables(work: Path, planned: list[str],
                                                                         keyed: list[str]) -> None:
    # A new process (here a new engine, as `disclose build` makes): what the last one derived from each
    # unchanged department lasts in the state, and its projects stay shelved (generator/shelf.py).
    shutil.copytree(work / "content/2024/pengyang-sfj", work / "content/2024/pengyang-copy")
    run(work)
    planned.clear()
    keyed.clear()
    EDITS["a figure"](work)
    opened = shelf.Shelf.opened
    report = run(work)
    assert shelf.Shelf.opened == opened, "an unchanged department's tables were read"
    assert planned == ["2024/pengyang-sfj"]
    assert set(keyed) == {"2024/pengyang-sfj"}, "pages of unchanged departments were keyed again"
    assert PROJECT_PAGE in report.rendered
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")
    # After an edit only what it changed is saved (kept.Kept.save): the next process reads that over the whole.
    state = BuildState(work / ".disclose-cache", fingerprint())
    delta, whole = state.recall("kept delta"), state.recall("kept")
    state.close()
    assert delta and whole and len(delta) < len(whole) / 4
    edit(work / "content/2024/pengyang-copy/renmin-tiaojie.yaml", "name: ", "name: 又一次")
    planned.clear()
    run(work)
    assert shelf.Shelf.opened == opened and planned == ["2024/pengyang-copy"]
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")
    # A change every page shows reads every department's tables again, and still builds the same site.
    EDITS["edit the base template"](work)
    run(work)
    assert shelf.Shelf.opened > opened
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")


@pytest.mark.parametrize("damage", ["garbage", "foreign"])
def test_what_lasts_between_processes_is_derived_again_when_damaged(work: Path, damage: str) -> None:
    EDITS["a project's name"](work)
    with sqlite3.connect(work / ".disclose-cache" / "state.sqlite") as db:
        if damage == "garbage":
            db.execute("UPDATE meta SET value = ? WHERE key = 'kept:kept'", (b"\x80\x05not a pickle",))
        else:  # a well-formed pickle of the wrong shape
            db.execute("UPDATE meta SET value = ? WHERE key = 'kept:kept'", (pickle.dumps([1, 2, 3]),))
        db.execute("UPDATE records SET payload = ? WHERE kind = 'folder'", (b"\x80\x05broken",))
    run(work)
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")


@pytest.mark.parametrize("damage", ["damaged", "missing"])
def test_a_shelf_that_does_not_read_back_is_dropped_and_the_build_runs_again(work: Path, damage: str,
                                                                             capsys: pytest.CaptureFixture[str]) -> None:
    EDITS["a figure"](work)
    run(work)  # every folder's row as it stands here (copying the work folder gave every file a new inode)
    # The folder's row reads back whole, the row of the department's tables beside it does not.
    with sqlite3.connect(work / ".disclose-cache" / "state.sqlite") as db:
        path, blob = db.execute("SELECT path, payload FROM records WHERE kind = 'shelf' AND path LIKE ?",
                                ("%/2024/pengyang-sfj",)).fetchone()
        if damage == "damaged":
            db.execute("UPDATE records SET payload = ? WHERE path = ?", (blob[:-40] + bytes(40), path))
        else:
            db.execute("DELETE FROM records WHERE path = ?", (path,))
    EDITS["edit the base template"](work)  # every page again: every shelf is opened
    run(work)
    assert "缓存中保存的部门记录已损坏" in capsys.readouterr().err
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")


def test_a_moved_content_folder_is_not_taken_for_the_one_it_was(work: Path) -> None:
    # Moved, its files keep their names, sizes, mtimes and inodes: what was derived from them names the old place.
    EDITS["a figure"](work)
    run(work)
    os.rename(work / "content", work / "moved")
    engine = Engine(work / "moved", work / "public", cache=work / ".disclose-cache", jobs=1)
    report = engine.build(progress=False, clean=True)
    assert report.status == 0 and report.problems
    assert all("/moved/" in problem.file for problem in report.problems), [p.file for p in report.problems][:3]
    fresh = Engine(work / "moved", work / "clean", cache=work / "clean-cache", jobs=1).build(progress=False)
    assert sorted(map(str, report.problems)) == sorted(map(str, fresh.problems))
    assert snapshot(work / "public") == snapshot(work / "clean")


def test_a_cancelled_build_leaves_the_output_as_it_was(work: Path) -> None:
    # The preview cancels the full build that follows the pages when another save arrives.
    engine = first_session_build(work)
    EDITS["a figure"](work)
    assert engine.build(progress=False, pages_only=True).status == 0
    before = snapshot(work / "public")
    asked: list[bool] = []
    cancelled = engine.build(progress=False, cancel=lambda: asked.append(True) or len(asked) > 1)
    assert cancelled.status == 1 and cancelled.cache == "cancelled"
    assert snapshot(work / "public") == before
    assert not list(work.glob(".public.*")), "a staging folder was left behind"
    assert engine.build(progress=False).status == 0
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")


def test_a_preview_told_what_changed_lists_only_the_folders_that_hold_it(work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = first_session_build(work)
    listed: list[str] = []
    listing = walk.listing
    content = str(work / "content")  # the template folders are listed at every build, for its signature
    monkeypatch.setattr(walk, "listing", lambda folder: (str(folder).startswith(content) and listed.append(str(folder)))
                        or listing(folder))
    changed = watched(work, EDITS["a project's name"])
    assert engine.build(progress=False, pages_only=True, changed=changed).status == 0
    assert listed == [str(work / "content" / "2024" / "pengyang-sfj")]
    run(work, clean=True, output="clean", cache="clean-cache")
    assert html_pages(work / "public") == html_pages(work / "clean")
    # The full build that follows trusts no watcher: it lists every department folder again, once.
    listed.clear()
    assert engine.build(progress=False).status == 0
    departments = [str(d) for d in (work / "content").glob("*/*") if d.is_dir()]
    assert sorted(name for name in listed if name in departments) == sorted(departments)


def test_what_a_watcher_missed_the_full_build_after_the_pages_finds(work: Path) -> None:
    # The pages-first build takes the watcher's word for which folders changed, and its own folder as
    # it left it; the full build that follows a save checks both, so nothing missed lasts.
    engine = first_session_build(work)
    (work / "public" / urls.edition(2024)).unlink()  # removed by hand meanwhile
    EDITS["a project's name"](work)
    assert engine.build(progress=False, pages_only=True, changed=set()).status == 0
    assert "人民调解员补助经费" not in (work / "public" / PROJECT_PAGE).read_text(encoding="utf-8")
    assert not (work / "public" / urls.edition(2024)).exists()
    assert engine.build(progress=False).status == 0
    run(work, clean=True, output="clean", cache="clean-cache")
    assert snapshot(work / "public") == snapshot(work / "clean")


class Counted(dict):
    """The preview's kept sheets, noting the template of each sheet rendered anew."""

    def __init__(self, kept: dict) -> None:
        super().__init__(kept)
        self.added: list[str] = []

    def __setitem__(self, key: tuple, value: object) -> None:
        self.added.append(key[0])
        super().__setitem__(key, value)


def test_a_running_preview_renders_again_only_the_sheet_of_the_record_that_changed(work: Path) -> None:
    # The print-all page holds every sheet of the department; the preview keeps the ones it rendered.
    engine = first_session_build(work)
    assert engine.build(progress=False, pages_only=True, changed=watched(work, EDITS["a figure"])).status == 0
    sheets = len(engine.sheets)
    assert sheets >= 10, "the print-all page's sheets were not kept"
    engine.sheets = Counted(engine.sheets)
    other = work / "content" / "2024" / "pengyang-sfj" / "falv-yuanzhu-anjian-buzhu.yaml"
    changed = watched(work, lambda w: edit(other, "name: ", "name: 更名"))
    report = engine.build(progress=False, pages_only=True, changed=changed)
    assert urls.print_all(2024, "pengyang-sfj") in report.rendered
    assert engine.sheets.added == ["partials/project_sheet.html"]
    run(work, clean=True, output="clean", cache="clean-cache")
    assert html_pages(work / "public") == html_pages(work / "clean")
