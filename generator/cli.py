"""The `disclose` command: check, build, serve, freeze, verify, bundle, schema, new, and the Excel template, import and export."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import NoReturn

# Each command imports what it runs (inside its run_ function): `disclose build` with nothing to do
# finishes in the time the others would take to import the record model, YAML and Jinja.
from . import __version__
from .skeleton import DEPTH
from .write import Terminated, terminate

DEFAULT_CONTENT = Path("content")
DEFAULT_OUTPUT = Path("public")


def build_parser() -> argparse.ArgumentParser:
    """Describe every command and option (the README documents each of them)."""
    parser = argparse.ArgumentParser(
        prog="disclose",
        description="预算绩效目标公开网站生成器：把 YAML 记录生成可打印、可搜索的静态网站。",
    )
    parser.add_argument("--version", action="version", version=f"disclose {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="命令")

    check = commands.add_parser("check", help="检查全部内容，报告错误和警告")
    check.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="内容文件夹（默认 content）")
    check.add_argument("--strict", action="store_true", help="有警告时也以失败（退出码 1）结束")

    build = commands.add_parser("build", help="检查内容并生成网站到 public/")
    build.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="内容文件夹（默认 content）")
    build.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="输出文件夹（默认 public）")
    build.add_argument("--strict", action="store_true", help="有警告时不生成网站")
    build.add_argument("--quiet", action="store_true", help="不显示进度条")
    build.add_argument("--clean", action="store_true", help="不用上次的结果，全部重新生成（内容相同的文件仍不改写）")
    build.add_argument("--templates", type=Path, default=None,
                       help="网站自己的模板文件夹，按文件名覆盖内置模板（默认：内容文件夹旁的 site_templates）")
    build.add_argument("--cache", type=Path, default=None, help="生成状态的缓存文件夹（默认：内容文件夹旁的 .disclose-cache）")
    build.add_argument("--jobs", type=positive, default=None, help="并行生成的进程数（默认：全部 CPU 核心）")
    build.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                       help="在 Dask 集群上生成：调度器地址（需安装 disclose[cluster]）")
    build.add_argument("--drafts", action="store_true", help="也生成草稿年度（status: draft），每页标明“草稿”")

    serve = commands.add_parser("serve", help="在本机预览网站，修改后自动更新（不写入 public/）")
    serve.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="内容文件夹（默认 content）")
    serve.add_argument("--port", type=port_number, default=8000, help="端口（默认 8000；被占用时自动改用下一个空闲端口）")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，仅本机可访问；改为其他地址时会提示风险）")
    serve.add_argument("--open", action="store_true", help="启动后在浏览器中打开预览")
    serve.add_argument("--cache", type=Path, default=None,
                       help="缓存文件夹，预览生成在其中的 preview/（默认 内容文件夹旁的 .disclose-cache）")
    serve.add_argument("--templates", type=Path, default=None,
                       help="网站自己的模板文件夹（默认 内容文件夹旁的 site_templates，有则优先于自带模板）")

    freeze = commands.add_parser("freeze", help="冻结一个已发布的年度：存档其全部文件及 SHA-256 清单，此后原样重现")
    freeze.add_argument("year", type=int, help="年度，如 2024")
    freeze.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="内容文件夹（默认 content）")

    verify = commands.add_parser("verify", help="按清单核对已生成或已部署的网站文件夹：列出内容不同、缺少和多出的文件")
    verify.add_argument("folder", nargs="?", type=Path, default=DEFAULT_OUTPUT, help="网站文件夹（默认 public）")
    verify.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="内容文件夹（默认 content）")

    bundle = commands.add_parser("bundle", help="把一个年度打包为 zip：解压后从硬盘打开即可阅读和搜索")
    bundle.add_argument("year", type=int, help="年度，如 2020")
    bundle.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="内容文件夹（默认 content）")
    bundle.add_argument("--output", type=Path, default=None, help="zip 文件（默认 disclose-<年度>.zip）")

    schema = commands.add_parser("schema", help="生成记录的 JSON Schema 和字段说明")
    schema.add_argument("--output", type=Path, default=Path("docs/schema"), help="输出文件夹（默认 docs/schema）；字段说明 fields.md 写在它的上一级文件夹")

    new = commands.add_parser("new", help="新建记录骨架：年度、部门、项目、转移支付区域绩效目标表或自评表")
    new.add_argument("kind", choices=list(DEPTH), help="记录种类：edition 年度 / department 部门 / project 项目 / transfer 转移支付区域绩效目标表 / evaluation 项目支出绩效自评表")
    new.add_argument("where", help="位置：<年度>、<年度>/<部门> 或 <年度>/<部门>/<名称>")
    new.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="内容文件夹（默认 content）")

    template = commands.add_parser("template", help="生成 Excel 填写模板 绩效目标表.xlsx")
    template.add_argument("-o", "--output", type=Path, default=None,
                          help="输出文件（默认 绩效目标表.xlsx；--department 时为 部门整体绩效目标表.xlsx）")
    template.add_argument("--department", action="store_true", help="生成部门整体绩效目标表的模板")
    template.add_argument("--force", action="store_true", help="覆盖已有文件")

    importer = commands.add_parser("import", help="把 Excel 绩效目标表导入为 YAML 记录")
    importer.add_argument("source", type=Path, help="工作簿（.xlsx / .xls）或装有工作簿的文件夹")
    importer.add_argument("--into", type=Path, required=True, help="部门文件夹：content/<年度>/<部门>/")
    importer.add_argument("--force", action="store_true", help="覆盖已有的记录文件")
    importer.add_argument("--quiet", action="store_true", help="不显示进度条")

    export = commands.add_parser("export", help="把一个部门的记录导出为 Excel 工作簿（每个记录一个，另加 department.xlsx）")
    export.add_argument("where", help="部门：<年度>/<部门>，例如 2024/pengyang-sfj")
    export.add_argument("--xlsx", action="store_true", required=True, help="导出为 .xlsx 工作簿（模板格式）")
    export.add_argument("-o", "--output", type=Path, required=True, help="输出文件夹")
    export.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="内容文件夹（默认 content）")
    export.add_argument("--force", action="store_true", help="覆盖已有的工作簿")
    return parser


def positive(text: str) -> int:
    """Parse a whole number of at least 1 (for --jobs)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"应为不小于 1 的整数，实际是“{text}”")
    return value


def console_problem() -> str | None:
    """Return the console's encoding when it cannot show Chinese text (every message is Chinese), else None."""
    for stream in (sys.stdout, sys.stderr):
        encoding = getattr(stream, "encoding", None) or "ascii"
        try:
            "预算绩效目标公开：错误".encode(encoding)
        except (UnicodeEncodeError, LookupError):
            return encoding
    return None


def run() -> NoReturn:
    """Run `disclose` as a program: the command line, then the end of the process without tearing it down.

    A build holds every record (millions of objects at 10,000 projects); freeing them one by one at exit
    took about 3 s after the work was done. The output streams are flushed first; the worker pools are
    already shut down by then, and disclose registers nothing else to run at exit.
    """
    code = main()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing more can be said there
            stream.flush()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    encoding = console_problem()
    if encoding is not None:
        for stream in (sys.stdout, sys.stderr):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        # The one message that cannot be Chinese: this console would garble (or refuse) every Chinese one.
        print(f"disclose: the console encoding is {encoding}, which cannot show the Chinese messages of disclose.\n"
              "Set PYTHONIOENCODING=utf-8 (or use a UTF-8 terminal, e.g. LANG=C.UTF-8) and run the command again.",
              file=sys.stderr)
        return 1
    signal.signal(signal.SIGTERM, terminate)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return COMMANDS[args.command](args)
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    except Terminated:  # SIGTERM came while the new output was being put in place: that was finished first
        print("已终止（收到 SIGTERM）：收到时新的输出正在替换旧的，已完整替换后才停止。", file=sys.stderr)
        return 143
    except Exception as exc:  # a bug, not bad input: say so plainly, details on request
        if os.environ.get("DISCLOSE_DEBUG"):
            traceback.print_exc()
        print(f"内部错误：{type(exc).__name__}: {exc}\n请把这条信息报告给维护者（设置 DISCLOSE_DEBUG=1 可看到详细信息）。",
              file=sys.stderr)
        return 70


def run_check(args: argparse.Namespace) -> int:
    from . import prefetch
    from .archive import check_editions
    from .forked import default_jobs
    from .load import load_content
    from .problems import print_problems
    from .state import RecordCache
    from .validate import check_site

    records = RecordCache(None)  # nothing kept between runs: only so that records parse on every core
    prefetch.parse_ahead(args.content, records, default_jobs())
    content = load_content(args.content, records)
    problems = list(content.report.problems)
    if content.site is not None and not content.report.errors:
        problems += check_site(content.site, prefetch.cached_checks(records)) + check_editions(content.site, args.content)
    print_problems(problems)
    errors = sum(p.level == "error" for p in problems)
    warnings = len(problems) - errors
    if content.site is not None:
        editions = content.site.editions
        departments = sum(len(e.departments) for e in editions)
        projects = sum(len(e.projects) for e in editions)
        transfers = sum(len(d.transfers) for e in editions for d in e.departments)
        evaluations = sum(len(d.evaluations) for e in editions for d in e.departments)
        others = (f"、{transfers} 张转移支付区域绩效目标表" if transfers else "") + (f"、{evaluations} 张绩效自评表" if evaluations else "")
        print(f"检查了 {len(editions)} 个年度、{departments} 个部门、{projects} 个项目{others}：{errors} 个错误，{warnings} 个警告")
    else:
        print(f"{errors} 个错误，{warnings} 个警告")
    return 1 if errors or (args.strict and warnings) else 0


def run_build(args: argparse.Namespace) -> int:
    from .build import build

    return build(args.content, args.output, strict=args.strict, progress=not args.quiet, clean=args.clean,
                 templates=args.templates, cache=args.cache, jobs=args.jobs, scheduler=args.scheduler,
                 drafts=args.drafts)


def port_number(text: str) -> int:
    """Parse a TCP port for --port, refusing what no server can listen on."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"端口应为 1 到 65535 之间的整数，而不是“{text}”") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"端口应为 1 到 65535 之间的整数，而不是 {port}")
    return port


def run_serve(args: argparse.Namespace) -> int:
    from .serve import serve
    from .state import default_cache

    cache = args.cache if args.cache is not None else default_cache(args.content.absolute())
    return serve(args.content, cache=cache, port=args.port, host=args.host, open_browser=args.open,
                 templates=args.templates)


def run_freeze(args: argparse.Namespace) -> int:
    from .editions import freeze

    return freeze(args.content, args.year)


def run_verify(args: argparse.Namespace) -> int:
    from .editions import verify

    return verify(args.folder, args.content)


def run_bundle(args: argparse.Namespace) -> int:
    from .editions import bundle

    return bundle(args.content, args.year, args.output)


def run_schema(args: argparse.Namespace) -> int:
    from .docs import write_field_reference
    from .schema import write_schemas

    for path in write_schemas(args.output):
        print(f"已写入 {path}")
    # The field reference goes beside the schemas' folder (docs/schema → docs/fields.md), never to ./docs.
    reference = write_field_reference(args.output.parent / "fields.md")
    print(f"已写入 {reference}")
    return 0


def run_new(args: argparse.Namespace) -> int:
    from .skeleton import create

    try:
        path = create(args.content, args.kind, args.where)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(f"已创建 {path}，请按注释填写后运行 disclose check")
    return 0


def run_template(args: argparse.Namespace) -> int:
    from .workbook.export import write_template

    return write_template(args.output, department=args.department, force=args.force)


def run_import(args: argparse.Namespace) -> int:
    from .workbook.importer import import_workbooks

    return import_workbooks(args.source, args.into, force=args.force, progress=not args.quiet)


def run_export(args: argparse.Namespace) -> int:
    from .workbook.export import export_department

    return export_department(args.content, args.where, args.output, force=args.force)


COMMANDS = {
    "check": run_check, "build": run_build, "serve": run_serve, "schema": run_schema, "new": run_new,
    "template": run_template, "import": run_import, "export": run_export,
    "freeze": run_freeze, "verify": run_verify, "bundle": run_bundle,
}
