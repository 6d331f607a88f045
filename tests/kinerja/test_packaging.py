"""What an installation puts on sys.path: only `kinerja` and `kinerja_bench`, never bare names."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PARTS = [
    "db",
    "rules",
    "flows",
    "tasks",
    "notifications",
    "templates",
    "sources",
    "outputs",
    "portal",
    "review",
]
BARE = [*PARTS, "benchmarks"]


def _python(code: str, cwd: Path, python: str = sys.executable) -> subprocess.CompletedProcess[str]:
    # -I: no PYTHONPATH, no user site, no current directory; only what is installed.
    return subprocess.run(
        [python, "-I", "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("name", BARE)
def test_a_bare_folder_name_does_not_import_in_this_environment(name: str, tmp_path: Path) -> None:
    found = _python(f"import {name}", tmp_path)
    assert found.returncode != 0
    assert f"No module named '{name}'" in found.stderr


def test_every_part_imports_under_kinerja_in_this_environment(tmp_path: Path) -> None:
    code = "; ".join(f"import kinerja.{p}" for p in PARTS) + "; import kinerja_bench.score"
    found = _python(code, tmp_path)
    assert found.returncode == 0, found.stderr


def test_the_source_tree_is_not_on_the_test_path() -> None:
    """pytest's importlib mode: the root's `db/` must not load beside `kinerja.db`."""
    assert str(ROOT) not in [str(Path(p).resolve()) for p in sys.path if p]
    assert "db" not in sys.modules and "rules" not in sys.modules


@pytest.mark.slow
def test_the_built_wheel_holds_only_the_namespaced_packages(tmp_path: Path) -> None:
    """`pip install .` as a user does: the wheel's top level is kinerja and kinerja_bench."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("kinerja-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
        assert tops == {"kinerja", "kinerja_bench"}
        # The links in kinerja/ are followed: the folders' files are in the wheel.
        for part in PARTS:
            assert f"kinerja/{part}/__init__.py" in names
        assert "kinerja/templates/letters/warning.html.j2" in names
        assert "kinerja/db/migrations/env.py" in names
        assert "kinerja/rules/profiles/jabar.yaml" in names
        # A fresh environment with the wheel unpacked as its only copy of kinerja (the
        # dependencies come from this one's site-packages, read through a .pth line).
        venv = tmp_path / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        site = subprocess.run(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        deps = [
            p
            for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
            if Path(p).exists()
        ]
        zf.extractall(site)
    # Dependencies only: this environment's editable finder for kinerja is left out.
    (Path(site) / "deps.pth").write_text("\n".join(deps) + "\n")
    probe = (
        "import kinerja.db.models as m, kinerja.templates as t; "
        "print(m.__file__); t.environment().get_template('letters/warning.txt.j2')"
    )
    found = _python(probe, tmp_path, python)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip().startswith(site)
    for name in BARE:
        refused = _python(f"import {name}", tmp_path, python)
        assert refused.returncode != 0, name
