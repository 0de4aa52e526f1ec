"""A test run leaves the temporary folder as it found it.

Every temporary file of the run (briefpress's build folders, WeasyPrint's font copies, pytest's own
tmp_path folders) goes into one folder made for the run, so that nothing another program does in
/tmp is mistaken for ours. At the end, a briefpress-* or weasyprint-* folder still in it fails the
run, naming each one; a run that passed then removes the whole folder.
"""

from __future__ import annotations

import multiprocessing.util
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

LEFT_BEHIND = ("briefpress-*", "weasyprint-*")
GRACE = "5.0"  # seconds for a worker that is exiting to remove its folder


def pytest_addoption(parser):
    parser.addini("tempcheck_grace", "seconds a left folder may take to go before it fails the run", default=GRACE)


def pytest_configure(config):
    # multiprocessing's own folder stays where it was: it removes it at exit, after this run's is gone.
    multiprocessing.util.get_temp_dir()
    config.run_temp = Path(tempfile.mkdtemp(prefix="briefpress_suite_"))  # not briefpress-*: scratch.py's
    os.environ["TMPDIR"] = str(config.run_temp)  # for every process a test starts
    tempfile.tempdir = None  # and for this one: gettempdir() reads TMPDIR again


def left_behind(folder: Path) -> list[Path]:
    return sorted(p for pattern in LEFT_BEHIND for p in folder.glob(pattern))


@pytest.hookimpl(trylast=True)  # after pytest's own tmp_path clean-up
def pytest_sessionfinish(session):
    folder: Path = session.config.run_temp
    deadline = time.monotonic() + float(session.config.getini("tempcheck_grace"))
    while left_behind(folder) and time.monotonic() < deadline:
        time.sleep(0.1)
    leftovers = left_behind(folder)
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if leftovers:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        if reporter:
            reporter.write_line(
                f"error: the run left {len(leftovers)} temporary folder(s): "
                + ", ".join(p.name for p in leftovers)
                + " (a build or a WeasyPrint font configuration was not cleaned up)",
                red=True,
            )
    if session.exitstatus == 0:
        shutil.rmtree(folder, ignore_errors=True)
    elif reporter:
        reporter.write_line(f"the run's temporary files are kept in {folder} (exit status {session.exitstatus!r})")
