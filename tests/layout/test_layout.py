"""The layout shows the architecture (issue 19): packages by stage, each importing only the
stages below it, small modules, and a top level that holds only the entry points.

The rules here are the README's architecture table; a change that breaks one must change the
table too, on purpose.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[2] / "archiver"

#: package -> the packages of ours it may import (besides itself). errors and config are
#: plain data every stage may read; the CLI may import everything.
MAY_IMPORT: dict[str, set[str]] = {
    "extract": {"errors"},
    "store": {"errors", "extract"},
    "crawl": {"errors", "config", "extract", "store", "warc"},
    "warc": {"errors", "config", "extract", "store", "crawl"},
    "analysis": {"errors", "extract", "store"},
    "distributed": {"errors", "config", "extract", "store", "warc", "crawl"},
    "demo": {"errors", "config", "crawl", "store"},
    "config": {"errors", "store"},
    "errors": set(),
}
TOP_LEVEL = {"__init__.py", "__main__.py", "cli", "config.py", "errors.py",
             *(p for p in MAY_IMPORT if p not in ("config", "errors"))}
#: modules allowed past ~400 lines, each with the reason the README gives.
LONG_MODULES: dict[str, str] = {}
MAX_LINES = 410


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def stage_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imported_stages(path: Path) -> set[str]:
    """The stages of ours a module imports (absolute imports: the project writes no relative)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module + "." + a.name for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "archiver" and len(parts) > 2:
                found.add(parts[1])
    return found


def test_the_top_level_holds_only_the_entry_points_and_the_stage_packages():
    present = {p.name for p in PACKAGE.iterdir()
               if p.name != "__pycache__" and (p.suffix == ".py" or p.is_dir())}
    assert present - TOP_LEVEL == set()
    assert {p for p in TOP_LEVEL if p not in present} == set()


@pytest.mark.parametrize("package", sorted(p for p in MAY_IMPORT if (PACKAGE / p).is_dir()))
def test_each_package_says_its_job_and_what_it_may_import(package):
    doc = ast.get_docstring(ast.parse((PACKAGE / package / "__init__.py").read_text("utf-8")))
    assert doc and "May import" in doc, f"archiver/{package}/__init__.py: job and imports"


def test_each_stage_imports_only_the_stages_below_it():
    wrong = []
    for path in modules():
        stage = stage_of(path)
        if stage in ("cli", "__init__", "__main__"):
            continue
        extra = imported_stages(path) - MAY_IMPORT[stage] - {stage}
        if extra:
            wrong.append(f"{path.relative_to(PACKAGE.parent)} imports {sorted(extra)}")
    assert not wrong, "\n".join(wrong)


def test_no_relative_imports():
    """One spelling of every import, so a move is one search-and-replace and grep finds uses."""
    relative = [str(p.relative_to(PACKAGE.parent)) for p in modules()
                if any(isinstance(n, ast.ImportFrom) and n.level
                       for n in ast.walk(ast.parse(p.read_text(encoding="utf-8"))))]
    assert relative == []


def test_modules_are_small_or_say_why():
    long = {str(p.relative_to(PACKAGE)): n for p in modules()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert set(long) <= set(LONG_MODULES), long


def test_one_set_of_crawl_components_no_worker_twins():
    twins = [p.name for p in modules() if p.name.startswith("worker_")]
    assert twins == []


MAX_CLASS_LINES = 260


def test_classes_are_small():
    """A class past ~250 lines is doing more than one job (the old Store had about 80 methods)."""
    big = [f"{p.relative_to(PACKAGE)}:{n.name} {n.end_lineno - n.lineno + 1}"
           for p in modules() for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
           if isinstance(n, ast.ClassDef) and n.end_lineno
           and n.end_lineno - n.lineno + 1 > MAX_CLASS_LINES]
    assert big == []
