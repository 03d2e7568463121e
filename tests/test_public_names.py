"""`archiver.__all__`: each public name is the object its module defines, even once every stage
package is imported (a subpackage of the same name would shadow a lazily exported function)."""

from __future__ import annotations

import importlib
import subprocess
import sys

import archiver

STAGES = ("analysis", "cli", "crawl", "demo", "distributed", "extract", "store", "warc")


def test_every_public_name_is_its_modules_object_after_all_stages_load():
    for stage in STAGES:
        importlib.import_module(f"archiver.{stage}")
    names = [n for n in archiver.__all__ if n != "__version__"]
    assert names == sorted(archiver._EXPORTS)
    for name in names:
        module = importlib.import_module(f"archiver.{archiver._EXPORTS[name]}")
        assert getattr(archiver, name) is getattr(module, name), name
        assert not isinstance(getattr(archiver, name), type(archiver)), name  # not a module


def test_a_library_user_imports_the_names_from_the_package():
    code = ("from archiver import (ArchiverError, Article, Config, Hints, SearchHit, Store, "
            "analyse, export, load_config)\n"
            "import archiver.extract.page\n"
            "from archiver import Extraction, ExitCode\n"
            "print(analyse.__module__, export.__module__, Store.__name__, ExitCode.USAGE.value)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["archiver.extract.page", "archiver.analysis.export", "Store",
                                   "2"]
