"""Issue 7, classes 1, 3, 4, 5 and 7: the content walk, and where a build may write.

Every file in content/ is read or reported, nothing outside content/ is read whatever links point to,
and no configuration lets a build delete its own content, templates or cache.
"""

from __future__ import annotations

import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from factory import PROJECT, make_content, run_cli
from site_fixture import snapshot

from generator import safety, walk
from generator.load import load_content

ROOT = Path(__file__).resolve().parents[1]


def problems(content: Path, level: str = "error") -> list[str]:
    return [str(p) for p in load_content(content).report.problems if p.level == level]


def build(content: Path, output: Path, *extra: str | Path) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--content", content, "--output", output, "--quiet", *extra)


def built_site(tmp_path: Path) -> tuple[Path, Path, dict[str, bytes]]:
    make_content(tmp_path)
    content, public = tmp_path / "content", tmp_path / "public"
    first = build(content, public)
    assert first.returncode == 0, first.stderr
    return content, public, snapshot(public)


def assert_refused_alike(content: Path, public: Path, before: dict[str, bytes], *words: str) -> str:
    """`check` and `build` refuse with the same located words; the previous site is unchanged."""
    checked, built = run_cli("check", "--content", content), build(content, public)
    assert checked.returncode == 1 and built.returncode == 1, (checked.stderr, built.stderr)
    errors = [line for line in checked.stderr.splitlines() if ": 错误：" in line]
    assert errors and all(line in built.stderr for line in errors), (checked.stderr, built.stderr)
    for word in words:
        assert word in checked.stderr, checked.stderr
    assert "Traceback" not in built.stderr and "内部错误" not in built.stderr + checked.stderr
    assert snapshot(public) == before
    return checked.stderr


# --- 3. nothing outside the content folder is read -------------------------------------------------

def test_page_linked_to_etc_passwd_is_refused_and_not_published(tmp_path):
    content, public, before = built_site(tmp_path)
    (content / "pages").mkdir()
    (content / "pages" / "passwd.md").symlink_to("/etc/passwd")
    message = assert_refused_alike(content, public, before, "passwd.md", "内容文件夹以外", "/etc/passwd")
    assert "root:x:0" not in message
    assert not any(b"root:x:0" in data for data in snapshot(public).values())


def test_project_linked_to_a_file_outside_content_is_refused(tmp_path):
    content, public, before = built_site(tmp_path)
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text(PROJECT.replace("测试项目", "外部项目"), encoding="utf-8")
    (content / "2024" / "test-dept" / "stolen.yaml").symlink_to(outside)
    assert_refused_alike(content, public, before, "stolen.yaml", "内容文件夹以外")


def test_department_folder_linked_outside_is_refused(tmp_path):
    content, public, before = built_site(tmp_path)
    outside = tmp_path / "other-dept"
    outside.mkdir()
    (outside / "department.yaml").write_text("name: 外部部门\n", encoding="utf-8")
    (content / "2024" / "other-dept").symlink_to(outside, target_is_directory=True)
    assert_refused_alike(content, public, before, "other-dept", "内容文件夹以外")


def test_site_yaml_linked_outside_is_refused(tmp_path):
    make_content(tmp_path)
    content = tmp_path / "content"
    (tmp_path / "real-site.yaml").write_text("name: 外部\n", encoding="utf-8")
    (content / "site.yaml").unlink()
    (content / "site.yaml").symlink_to(tmp_path / "real-site.yaml")
    errors = problems(content)
    assert len(errors) == 1 and "site.yaml" in errors[0] and "内容文件夹以外" in errors[0], errors


def test_link_to_dev_zero_is_refused_for_what_it_is(tmp_path):
    make_content(tmp_path)
    record = tmp_path / "content" / "2024" / "test-dept" / "zero.yaml"
    record.symlink_to("/dev/zero")
    errors = problems(tmp_path / "content")
    assert len(errors) == 1 and "zero.yaml" in errors[0] and "/dev/zero" in errors[0], errors
    assert "不能用作网址" not in errors[0]


def test_dangling_link_is_named_as_dangling_not_blamed_on_its_name(tmp_path):
    make_content(tmp_path)
    (tmp_path / "content" / "2024" / "test-dept" / "gone.yaml").symlink_to(tmp_path / "content" / "nowhere.yaml")
    errors = problems(tmp_path / "content")
    assert len(errors) == 1 and "gone.yaml" in errors[0] and "不存在" in errors[0], errors
    assert "不能用作网址" not in errors[0]


def test_link_loop_is_reported(tmp_path):
    make_content(tmp_path)
    folder = tmp_path / "content" / "2024" / "test-dept"
    (folder / "a.yaml").symlink_to(folder / "b.yaml")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")
    errors = problems(tmp_path / "content")
    assert len(errors) == 2 and all("链接" in e for e in errors), errors


def test_fifo_in_content_is_reported_not_opened(tmp_path):
    make_content(tmp_path)
    os.mkfifo(tmp_path / "content" / "2024" / "test-dept" / "pipe.yaml")
    result = subprocess.run([sys.executable, "-m", "generator", "check", "--content", str(tmp_path / "content")],
                            capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 1 and "pipe.yaml" in result.stderr and "不是普通文件" in result.stderr


def test_link_inside_content_is_read_like_its_target(tmp_path):
    record = make_content(tmp_path)
    (record.parent / "alias.yaml").symlink_to(record.name)
    content = load_content(tmp_path / "content")
    assert not content.report.errors
    assert [p.slug for p in content.site.editions[0].departments[0].projects] == ["alias", "test-project"]


def test_walk_read_refuses_a_link_out_even_when_called_directly(tmp_path):
    (tmp_path / "root").mkdir()
    (tmp_path / "root" / "x.yaml").symlink_to("/etc/hostname")
    with pytest.raises(walk.Unreadable, match="内容文件夹以外"):
        walk.read(tmp_path / "root" / "x.yaml", tmp_path / "root")


# --- 4. every file is read or reported -------------------------------------------------------------

def test_upper_case_record_suffix_is_reported_not_skipped(tmp_path):
    content, public, before = built_site(tmp_path)
    shutil.copy(content / "2024" / "test-dept" / "test-project.yaml", content / "2024" / "test-dept" / "second.YAML")
    assert_refused_alike(content, public, before, "second.YAML", "“.YAML”要用小写“.yaml”")


def test_upper_case_page_suffix_is_reported(tmp_path):
    make_content(tmp_path)
    (tmp_path / "content" / "pages").mkdir()
    (tmp_path / "content" / "pages" / "about.MD").write_text("# 关于\n", encoding="utf-8")
    errors = problems(tmp_path / "content")
    assert len(errors) == 1 and "about.MD" in errors[0] and "“.md”" in errors[0], errors


@pytest.mark.parametrize("where", ["2024/test-dept/notes.txt", "2024/readme.docx", "budget.xlsx", "pages/logo.png"])
def test_other_files_are_reported_as_not_published(tmp_path, where):
    make_content(tmp_path)
    path = tmp_path / "content" / where
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(b"x")
    warnings = problems(tmp_path / "content", "warning")
    assert any(path.name in w and "不会发布" in w for w in warnings), warnings


def test_hidden_files_are_not_content(tmp_path):
    make_content(tmp_path)
    (tmp_path / "content" / "2024" / "test-dept" / ".DS_Store").write_bytes(b"\0")
    assert load_content(tmp_path / "content").report.problems == []


# --- 5. located errors instead of crashes ------------------------------------------------------------

def test_file_size_is_checked_before_reading(tmp_path):
    record = make_content(tmp_path)
    with open(record.parent / "huge.yaml", "wb") as handle:
        handle.truncate(3 * 1024 ** 3)  # sparse: 3 GiB that reading whole would need in memory
    errors = problems(tmp_path / "content")
    assert len(errors) == 1 and "huge.yaml" in errors[0] and "3.0 GB" in errors[0] and "过大" in errors[0], errors


def unprivileged(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI so that file permissions apply: root reads every folder unless it drops that capability."""
    prefix = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []
    return subprocess.run([*prefix, sys.executable, "-m", "generator", *command], capture_output=True, text=True,
                          cwd=cwd, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


@pytest.mark.parametrize("locked", ["2024", "2024/test-dept"])
def test_unreadable_folder_is_a_located_error(tmp_path, locked):
    make_content(tmp_path)
    (tmp_path / "content" / locked).chmod(0o000)
    result = unprivileged(["check", "--content", "content"], tmp_path)
    (tmp_path / "content" / locked).chmod(0o755)
    assert result.returncode == 1, result.stderr
    assert f"content/{locked}: 错误：无法打开文件夹（没有权限" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr


def test_unwritable_output_parent_is_refused_before_anything(tmp_path):
    make_content(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    result = unprivileged(["build", "--content", "content", "--output", "locked/public", "--quiet"], tmp_path)
    assert list(locked.iterdir()) == []
    assert result.returncode == 1 and "没有权限" in result.stderr and "locked" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and "内部错误" not in result.stderr


@pytest.fixture
def small_disk():
    """A real 320 KiB file system (tmpfs), so that a build runs out of space for real."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small file system needs root")
    folder = Path(tempfile.mkdtemp(prefix="disclose-full-"))
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        folder.rmdir()
        pytest.skip(f"cannot mount tmpfs here: {mounted.stderr.decode(errors='replace')}")
    yield folder
    subprocess.run(["umount", str(folder)], check=True)
    folder.rmdir()


def test_full_disk_is_a_clear_error_and_the_previous_site_stays(tmp_path, small_disk):
    shutil.copytree(ROOT / "content", tmp_path / "content")
    output = small_disk / "public"
    output.mkdir()
    (output / ".disclose-output").write_text("", encoding="utf-8")
    (output / "index.html").write_text("previous", encoding="utf-8")
    before = snapshot(output)
    result = build(tmp_path / "content", output)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "磁盘空间不足" in result.stderr and "Traceback" not in result.stderr and "内部错误" not in result.stderr
    assert snapshot(output) == before
    assert sorted(p.name for p in small_disk.iterdir()) == ["public"]  # the half-written staging folder is gone


def test_content_that_is_a_file_is_not_called_missing(tmp_path):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    result = run_cli("check", "--content", tmp_path / "notes.txt")
    assert result.returncode == 1 and "不是文件夹" in result.stderr and "不存在" not in result.stderr


def test_walk_explains_errors_in_chinese():
    assert walk.explain(OSError(errno.ENOSPC, "No space left on device")) == "磁盘空间不足"


# --- 7. check reports what build refuses ---------------------------------------------------------------

@pytest.mark.parametrize("name", ["2024", "1999", "search", "assets"])
def test_page_named_like_a_site_url_is_refused_by_check_and_build_alike(tmp_path, name):
    content, public, before = built_site(tmp_path)
    (content / "pages").mkdir()
    (content / "pages" / f"{name}.md").write_text("# 页面\n", encoding="utf-8")
    assert_refused_alike(content, public, before, f"pages/{name}.md", "说明页不能叫")


# --- 1. data loss: one place decides where a build may write --------------------------------------------

def test_content_moved_into_the_output_is_refused_and_kept(tmp_path):
    """The issue's example: build into site/, move content into site/, build again."""
    make_content(tmp_path)
    site = tmp_path / "site"
    assert build(tmp_path / "content", site).returncode == 0
    shutil.move(tmp_path / "content", site / "content")
    before = snapshot(site)
    result = build(site / "content", site)
    assert result.returncode == 1 and "内容文件夹" in result.stderr and "里面" in result.stderr, result.stderr
    assert snapshot(site) == before


@pytest.mark.parametrize("layout", ["output inside content", "output is content", "templates inside output",
                                    "output inside templates", "cache inside output", "output is cache"])
def test_overlapping_locations_are_refused(tmp_path, layout):
    content, templates = tmp_path / "content", tmp_path / "templates"
    content.mkdir()
    templates.mkdir()
    output, cache = {
        "output inside content": (content / "public", None),
        "output is content": (content, None),
        "templates inside output": (tmp_path, None),
        "output inside templates": (templates / "out", None),
        "cache inside output": (tmp_path / "public", tmp_path / "public" / ".cache"),
        "output is cache": (tmp_path / "cache", tmp_path / "cache"),
    }[layout]
    with pytest.raises(safety.OutputError):
        safety.check_locations(content, output, templates, cache)


def test_overlap_through_a_link_is_refused(tmp_path):
    (tmp_path / "content").mkdir()
    (tmp_path / "alias").symlink_to(tmp_path / "content", target_is_directory=True)
    with pytest.raises(safety.OutputError, match="内容文件夹"):
        safety.check_locations(tmp_path / "content", tmp_path / "alias" / "public", ROOT / "site_templates")


def test_separate_locations_and_a_preview_inside_its_cache_are_fine(tmp_path):
    safety.check_locations(tmp_path / "content", tmp_path / "public", ROOT / "site_templates", tmp_path / ".cache")
    safety.check_locations(tmp_path / "content", tmp_path / ".cache" / "preview", ROOT / "site_templates",
                           tmp_path / ".cache")


def test_templates_inside_output_are_refused(tmp_path):
    site = tmp_path / "site"
    (site / "mine").mkdir(parents=True)
    with pytest.raises(safety.OutputError, match="模板文件夹"):
        safety.check_locations(tmp_path / "content", site, site / "mine")


# --- 8. killed builds leave nothing behind ------------------------------------------------------------

def many_projects(tmp_path: Path, count: int) -> Path:
    record = make_content(tmp_path)
    for n in range(count):
        shutil.copy(record, record.parent / f"p{n:04d}.yaml")
    return tmp_path / "content"


def test_sigterm_removes_the_staging_folder(tmp_path):
    content = many_projects(tmp_path, 400)
    public = tmp_path / "public"
    assert build(content, public).returncode == 0
    before = snapshot(public)
    # --clean: an unchanged second build would finish without writing (the no-op fast path).
    process = subprocess.Popen([sys.executable, "-m", "generator", "build", "--content", str(content), "--output",
                                str(public), "--quiet", "--clean"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".public.building-*")):
        assert process.poll() is None and time.monotonic() < deadline, "the build never started writing"
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 143 and "SIGTERM" in err, err
    assert not list(tmp_path.glob(".public.*"))
    assert snapshot(public) == before


def test_a_later_build_removes_folders_of_killed_builds(tmp_path):
    make_content(tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = [tmp_path / f".public.building-{dead.stdout.strip()}-0a1b2c3d", tmp_path / ".public.building-0a1b2c3d",
             tmp_path / f".public.old-{dead.stdout.strip()}-0a1b2c3d"]
    live = tmp_path / f".public.building-{os.getpid()}-0a1b2c3d"
    unrelated = tmp_path / f".other.building-{dead.stdout.strip()}-0a1b2c3d"
    for folder in [*stale, live, unrelated]:
        folder.mkdir()
        (folder / "index.html").write_text("half", encoding="utf-8")
    (tmp_path / "public").mkdir()
    result = build(tmp_path / "content", tmp_path / "public")
    assert result.returncode == 0, result.stderr
    assert not any(folder.exists() for folder in stale)
    assert live.is_dir() and unrelated.is_dir()  # a running build's folder and other outputs' are left alone


def test_files_set_aside_are_kept_when_there_is_no_output_to_go_back_to(tmp_path):
    old = tmp_path / ".public.old-999999999-0a1b2c3d"
    old.mkdir()
    (old / "index.html").write_text("the only copy", encoding="utf-8")
    assert safety.remove_stale(tmp_path / "public") == []
    assert (old / "index.html").read_text(encoding="utf-8") == "the only copy"
