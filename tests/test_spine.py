"""build_brief, the one call every driver makes for one brief: plain data back, from any process."""

from __future__ import annotations

import multiprocessing
import pickle
from pathlib import Path

from briefpress import make
from briefpress.defaults import make_config
from briefpress.errors import BriefError
from briefpress.pipeline import BriefBuild, build_brief
from conftest import EPOCH, FIXTURES, ROOT
from robust import write_brief

MINIMAL = FIXTURES / "minimal.md"


def config_for(tmp_path: Path, source: Path, formats=("html", "pdf")):
    return make_config(ROOT, sources=[source], out=tmp_path, formats=formats, no_cache=True, jobs=2)


def build_in_daemon(config, path, answers) -> None:
    """In a daemonic process, as a Dask worker runs: it may not start processes of its own."""
    try:
        answers.put(pickle.dumps(build_brief(config, path, fork=False)))
    except BaseException as err:  # noqa: BLE001 (sent back to the test, which fails with it)
        answers.put(pickle.dumps(repr(err)))


def test_a_daemonic_worker_builds_a_brief_without_starting_a_process(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    config = config_for(tmp_path, MINIMAL)
    context = multiprocessing.get_context("fork")
    answers = context.Queue()
    worker = context.Process(target=build_in_daemon, args=(config, MINIMAL, answers), daemon=True)
    worker.start()
    built = pickle.loads(answers.get(timeout=120))
    worker.join()
    assert isinstance(built, BriefBuild), built
    assert (built.problems, built.bug) == ((), "")
    assert [name for name, _ in built.editions] == ["pdf", "html", "card"]  # in the EDITIONS order
    assert dict(built.editions)["pdf"].startswith(b"%PDF-")
    assert built.about["title"] and built.about["reference"]


def test_a_failing_brief_comes_back_as_plain_records_naming_its_file(tmp_path):
    broken = write_brief(tmp_path, "Text [a link](#nowhere).", front="title: [unclosed")
    built = build_brief(config_for(tmp_path, broken, formats=("html",)), broken, fork=False)
    assert built.editions == () and built.bug == ""
    assert [Path(p.path).name for p in built.problems] == ["brief.md"]
    data = pickle.dumps(built)
    assert pickle.loads(data) == built
    for library in (b"lxml", b"weasyprint", b"yaml", b"Error"):  # no exception object travels
        assert library not in data
    try:
        built.accept()
    except BriefError as err:
        assert "brief.md" in err.message
    else:
        raise AssertionError("accept() raised nothing")


def test_a_bug_comes_back_as_its_traceback_text(tmp_path, monkeypatch):
    def broken_prepare(*_):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(make, "prepare", broken_prepare)
    built = build_brief(config_for(tmp_path, MINIMAL, formats=("html",)), MINIMAL, fork=False)
    assert built.problems == () and "ZeroDivisionError: a bug" in built.bug
    assert b"ZeroDivisionError" in pickle.dumps(built)  # as text inside the record
