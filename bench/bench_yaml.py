"""Measure YAML parsers that could replace libyaml on the hot path, on real and synthetic records.

    python bench/bench_yaml.py [--synthetic DIR] [--limit N]

Prints milliseconds per record for disclose's own parse (libyaml's C loader plus
the checks of generator/yamlio.py), bare libyaml, and, when installed,
rapidyaml (`pip install rapidyaml`) and yaml-rs (`pip install yaml-rs`), and
whether each keeps what disclose needs: exact decimals as printed, duplicate
keys refused, unsafe tags refused, line numbers for messages.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from generator import yamlio  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def per_record(texts: list[str], parse: Callable[[str], Any]) -> float:
    """Return the milliseconds one record takes to parse, on average."""
    started = time.perf_counter()
    for text in texts:
        parse(text)
    return (time.perf_counter() - started) / len(texts) * 1000


def refuses(parse: Callable[[str], Any], text: str) -> bool:
    """Tell whether a parser raises on a document."""
    try:
        parse(text)
    except Exception:  # noqa: BLE001 - any refusal counts
        return True
    return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--synthetic", type=Path, help="a folder from bench/make_content.py")
    parser.add_argument("--limit", type=int, default=1000)
    args = parser.parse_args()
    files = sorted((REPO / "content").glob("*/*/*.yaml"))
    if args.synthetic:
        files += sorted(args.synthetic.glob("*/*/*.yaml"))[: args.limit]
    texts = [path.read_text(encoding="utf-8") for path in files]
    candidates: dict[str, Callable[[str], Any]] = {
        "disclose (libyaml + checks)": yamlio.parse,
        "libyaml CSafeLoader, bare": lambda text: yaml.load(text, Loader=yaml.CSafeLoader),
    }
    try:
        import ryml

        candidates["rapidyaml (tree only, no Python objects)"] = lambda text: ryml.parse_in_arena(text.encode())
    except ImportError:
        print("rapidyaml not installed")
    try:
        import yaml_rs

        candidates["yaml-rs"] = yaml_rs.loads
    except ImportError:
        print("yaml-rs not installed")
    print(f"{len(texts)} records")
    for name, parse in candidates.items():
        ms = per_record(texts, parse)
        try:
            exact = "31.900000" in repr(parse("a: 31.900000\n"))
        except Exception:  # noqa: BLE001
            exact = False
        duplicates = refuses(parse, "a: 1\na: 2\n")
        tags = refuses(parse, "a: !!python/object/apply:os.system [echo]\n")
        print(f"{name:45} {ms:7.3f} ms/record  exact decimals: {exact}  duplicate keys refused: {duplicates}  "
              f"unsafe tags refused: {tags}")


if __name__ == "__main__":
    main()
