"""Language detection through the memory-mapped model gives py3langid's own answers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import py3langid
import pytest

ROOT = Path(__file__).resolve().parents[2]

TEXTS = [
    "The council met on Tuesday to discuss the budget for the coming year and the new school.",
    "Der Stadtrat traf sich am Dienstag, um über den Haushalt für das kommende Jahr zu beraten.",
    "Le conseil municipal s'est réuni mardi pour discuter du budget de l'année prochaine.",
    "El ayuntamiento se reunió el martes para debatir el presupuesto del próximo año.",
    "Городской совет собрался во вторник, чтобы обсудить бюджет на следующий год.",
    "市议会周二开会讨论明年的预算。",
    "اجتمع المجلس يوم الثلاثاء لمناقشة الميزانية",
    "Rada miasta zebrała się we wtorek, aby omówić budżet na przyszły rok.",
    "",
    "12345 67890",
]

#: Run in a fresh process: prints each text's language and score, then what was loaded.
PROBE = """
import json, sys
from archiver.extract import language
texts = json.loads(sys.stdin.read())
ident = language.identifier()
print(json.dumps([[language.detect(t), ident.classify(t)[1]] for t in texts]))
print(type(ident.tk_nextmove).__name__)
"""


def _probe(cache: Path) -> tuple[list[list], str]:
    import json

    env = {**os.environ, "ARCHIVER_CACHE_DIR": str(cache)}
    out = subprocess.run([sys.executable, "-c", PROBE], input=json.dumps(TEXTS), cwd=ROOT,
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    return json.loads(lines[0]), lines[1]


def _expected() -> list[list]:
    return [[lang, score] for lang, score in map(py3langid.classify, TEXTS)]


def _same(found: list[list], expected: list[list]) -> bool:
    """Same languages, same scores (to float32 precision: they pass through JSON)."""
    return ([lang for lang, _ in found] == [lang for lang, _ in expected]
            and [score for _, score in found] == pytest.approx([s for _, s in expected],
                                                                rel=1e-6))


def test_mapped_model_answers_exactly_as_py3langid(tmp_path: Path) -> None:
    found, kind = _probe(tmp_path / "cache")
    assert kind == "memoryview"  # the transition table is mapped, not copied
    assert _same(found, _expected())
    assert [lang for lang, _ in found[:8]] == ["en", "de", "fr", "es", "ru", "zh", "ar", "pl"]


def test_the_model_is_unpacked_once_and_reused(tmp_path: Path) -> None:
    _probe(tmp_path / "cache")
    (folder,) = (tmp_path / "cache").iterdir()
    stamps = {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}
    assert {"ptc.npy", "nextmove.bin", "meta.json"} <= set(stamps)
    found, _ = _probe(tmp_path / "cache")
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == stamps
    assert _same(found, _expected())
    assert [p.name for p in (tmp_path / "cache").iterdir()] == [folder.name]  # no leftovers


def test_workers_unpacking_at_once_all_get_the_model(tmp_path: Path) -> None:
    import json

    env = {**os.environ, "ARCHIVER_CACHE_DIR": str(tmp_path / "cache")}
    procs = [subprocess.Popen([sys.executable, "-c", PROBE], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              cwd=ROOT, env=env) for _ in range(3)]
    for proc in procs:
        out, err = proc.communicate(json.dumps(TEXTS), timeout=120)
        assert proc.returncode == 0, err
        assert _same(json.loads(out.splitlines()[0]), _expected())
    assert len(list((tmp_path / "cache").iterdir())) == 1  # one finished copy, no temp folders


def test_an_unwritable_cache_falls_back_to_the_in_memory_model(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    found, kind = _probe(blocker)
    assert kind == "array"  # py3langid's own loader
    assert _same(found, _expected())


def test_a_damaged_cache_falls_back_to_the_in_memory_model(tmp_path: Path) -> None:
    _probe(tmp_path / "cache")
    (folder,) = (tmp_path / "cache").iterdir()
    table = folder / "nextmove.bin"
    table.write_bytes(table.read_bytes()[:1001])  # truncated mid-entry (a full disk, a crash)
    found, kind = _probe(tmp_path / "cache")
    assert kind == "array"
    assert _same(found, _expected())
