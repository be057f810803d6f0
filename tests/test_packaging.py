"""What `pip install .` installs (not an editable install, which reads the source tree): the
seed a first ledger is made of lies where tracker.config looks for it."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tracker.config import DEFAULT_SEED, SEED_DIR

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_holds_the_seed_beside_the_package(tmp_path: Path) -> None:
    source = tmp_path / "source"  # built from a copy: a build leaves build/ behind
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    for folder in ("tracker", "seed_data"):
        shutil.copytree(
            ROOT / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("tracker-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    # SEED_DIR is the folder beside the installed tracker package.
    assert SEED_DIR == Path(sys.modules["tracker"].__file__ or "").parent.parent / SEED_DIR.name
    for seed_file in (DEFAULT_SEED, *sorted((ROOT / "seed_data").glob("*.txt"))):
        assert f"{SEED_DIR.name}/{seed_file.name}" in names
    assert "tracker/__init__.py" in names
