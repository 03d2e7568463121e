"""Language identification with py3langid's model mapped from disk, not copied into each process.

py3langid (trafilatura's language identifier) decompresses its model into every process that
uses it: about 65 MB of arrays, plus two Python lists of 100,000 ints, in each extraction
worker. Here the model's two large arrays are written once, uncompressed, to a cache folder and
memory-mapped: a process holds only the pages its texts touch (about 40 MB for English news),
the operating system keeps one copy for all workers, and a worker starts without decompressing
anything. The results are py3langid's own (same model, same code); when no cache folder can be
written, detection falls back to py3langid's usual in-memory model.

The cache folder: `$ARCHIVER_CACHE_DIR`, else `$XDG_CACHE_HOME/archiver`, else
`~/.cache/archiver`; one subfolder per py3langid version and model file.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
import tempfile
from array import array
from importlib.metadata import version
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_identifier: Any = None


def cache_root() -> Path:
    """Where the mapped model is kept (see the module's docstring)."""
    if os.environ.get("ARCHIVER_CACHE_DIR"):
        return Path(os.environ["ARCHIVER_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "archiver"


def _model_file() -> Path:
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    return Path(MODEL_DIR) / MODEL_FILE


def _cache_dir() -> Path:
    model = _model_file()
    stat = model.stat()
    return cache_root() / f"py3langid-{version('py3langid')}-{stat.st_size}-{int(stat.st_mtime)}"


def _build(target: Path) -> None:
    """Unpack py3langid's model into `target` (atomically: a finished folder or none)."""
    import numpy as np
    from py3langid.modelio import load_model

    ptc, pc, classes, nextmove, row, output = load_model(_model_file())
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".unpacking-", dir=target.parent))
    try:
        np.save(tmp / "ptc.npy", np.ascontiguousarray(ptc))
        np.save(tmp / "pc.npy", pc)
        (tmp / "nextmove.bin").write_bytes(nextmove.tobytes())
        (tmp / "row.bin").write_bytes(row.tobytes())
        (tmp / "output.bin").write_bytes(array("i", output).tobytes())
        (tmp / "meta.json").write_text(json.dumps({
            "classes": classes, "nextmove": nextmove.typecode, "row": row.typecode}))
        try:
            os.rename(tmp, target)
        except OSError:  # another worker finished first: use its copy
            if not (target / "meta.json").exists():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _mapped(path: Path, typecode: str) -> memoryview:
    with path.open("rb") as f:
        view: Any = memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
        return view.cast(typecode)  # typed Any: `cast` wants the format as a literal


def _load_mapped() -> Any:
    import numpy as np
    from py3langid.langid import LanguageIdentifier

    folder = _cache_dir()
    if not (folder / "meta.json").exists():
        _build(folder)
    meta = json.loads((folder / "meta.json").read_text())
    row = array(meta["row"], (folder / "row.bin").read_bytes())
    output = array("i", (folder / "output.bin").read_bytes())
    identifier = LanguageIdentifier(
        np.load(folder / "ptc.npy", mmap_mode="r"), np.load(folder / "pc.npy"),
        meta["classes"], _mapped(folder / "nextmove.bin", meta["nextmove"]), output,
        tk_row=row)
    # py3langid keeps its row offsets as a list of ints (4 MB); an array holds them in 0.4 MB
    identifier._rowbase = array("I", identifier._rowbase)
    return identifier


def identifier() -> Any:
    """The process's language identifier (py3langid's `LanguageIdentifier`), loaded once."""
    global _identifier
    if _identifier is None:
        try:
            _identifier = _load_mapped()
        except (OSError, ValueError, KeyError, TypeError) as exc:  # unwritable or damaged
            import py3langid

            logger.info("language model not mapped from disk (%s); loading it in memory", exc)
            py3langid.classify("")
            _identifier = py3langid.langid.IDENTIFIER
    return _identifier


def detect(text: str) -> str:
    """The language code py3langid gives `text` (ISO 639-1 where one exists)."""
    return identifier().classify(text)[0]
