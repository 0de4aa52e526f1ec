"""A series on a Dask cluster (build --cluster): a real LocalCluster of two single-threaded
workers, shared by the module; the same bytes as the local pool, a killed worker, a broken brief,
a worker of other versions, the progress display, and the catalogue of an archive."""

from __future__ import annotations

import fcntl
import filecmp
import functools
import http.server
import os
import pty
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from pathlib import Path

import pytest
from distributed import Client, LocalCluster, get_task_stream
from lxml import html

from browser import axe_violations
from conftest import BRIEFS, EPOCH, ROOT, run_build

FORMATS = "pdf,epub,html"


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """Two single-threaded workers (a nanny each, to restart a killed one), their folders in tmp."""
    folder = tmp_path_factory.mktemp("dask")
    with (
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            local_directory=str(folder),
            silence_logs=40,
        ) as made,
        Client(made) as client,
    ):
        yield made.scheduler_address, client, folder


@pytest.fixture(scope="module")
def local_pool(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("pool")
    code, _, err = run_build(*(str(p) for p in BRIEFS.values()), "--out", str(out), "--format", FORMATS)
    assert code == 0, err
    return out


def leftovers(folder: Path) -> list[str]:
    """The briefs' files left in the workers' folders (a worker keeps only the brand's and its fonts)."""
    return [str(p) for p in folder.rglob("brief-*/**/*") if p.is_file()]


def test_the_cluster_builds_the_same_bytes_as_the_local_pool(cluster, local_pool, tmp_path):
    address, _, folder = cluster
    code, stdout, err = run_build(
        *(str(p) for p in BRIEFS.values()), "--out", str(tmp_path), "--format", FORMATS, "--cluster", address
    )
    assert code == 0, err
    names = sorted(p.name for p in local_pool.iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == names
    _, mismatch, errors = filecmp.cmpfiles(local_pool, tmp_path, names, shallow=False)
    assert mismatch == [] and errors == []
    # Warnings name the client's files, as a local build's do.
    assert err.count("warning: source/brief.md:") == 23 and err.count("warning: ") == 24
    assert leftovers(folder) == []


def test_a_worker_killed_during_a_brief_is_replaced_and_the_series_completes(cluster, local_pool, tmp_path):
    address, client, folder = cluster
    pids = client.run(os.getpid)
    done: dict[str, tuple] = {}
    briefs = [str(BRIEFS["brief"]), str(BRIEFS["minimal"])]
    build = threading.Thread(
        target=lambda: done.update(
            result=run_build(*briefs, "--out", str(tmp_path), "--format", FORMATS, "--cluster", address)
        )
    )
    build.start()
    busy = []
    deadline = time.monotonic() + 60
    while not busy and time.monotonic() < deadline:
        busy = [worker for worker, keys in client.processing().items() if keys]
        time.sleep(0.05)
    assert busy, "no brief reached a worker"
    time.sleep(0.5)  # into the brief: a fresh worker spends seconds on it
    os.kill(pids[busy[0]], signal.SIGKILL)
    build.join(timeout=120)
    assert not build.is_alive()
    code, _, err = done["result"]
    assert code == 0, err
    for name in ("brief.pdf", "brief.epub", "brief.html", "minimal.pdf", "minimal.epub", "minimal.html"):
        assert (tmp_path / name).read_bytes() == (local_pool / name).read_bytes(), name
    # The build can end before the scheduler has seen the worker die: wait for it to, then for the
    # nanny's new worker, before asking every worker for its process.
    deadline = time.monotonic() + 60
    while busy[0] in client.scheduler_info()["workers"] and time.monotonic() < deadline:
        time.sleep(0.1)
    client.wait_for_workers(2, timeout=60)
    assert set(client.run(os.getpid).values()) != set(pids.values())  # the nanny started a new one
    # The killed worker's folder, its brief's files in it, went when Dask saw it dead.
    assert leftovers(folder) == []


def brief(folder: Path, name: str, title: str, body: str = "One paragraph.") -> Path:
    path = folder / f"{name}.md"
    path.write_text(f"---\ntitle: {title}\nauthor: Sam Example\n---\n\n{body}\n", encoding="utf-8")
    return path


def test_a_broken_brief_fails_alone_and_the_others_are_written(cluster, tmp_path):
    address, _, folder = cluster
    good = [brief(tmp_path, f"good{n}", f"Good Brief {n}") for n in (1, 2)]
    broken = brief(tmp_path, "broken", "Broken Brief", "Text.\n\n![A chart](missing-chart.png)")
    out = tmp_path / "out"
    code, stdout, err = run_build(
        str(good[0]), str(broken), str(good[1]), "--out", str(out), "--format", "html", "--cluster", address
    )
    assert code == 1
    lines = err.splitlines()
    assert any(line.startswith(f"error: {broken}:8: ") and "missing-chart.png" in line for line in lines), err
    assert lines[-1] == f"error: built 2 of 3 briefs; 1 failed: {broken}"
    assert "Traceback" not in err
    assert {p.name for p in out.glob("*.html")} == {"good1.html", "good2.html", "index.html"}
    catalogue = html.parse(str(out / "index.html")).getroot()
    assert catalogue.xpath("//h2/text()") == ["Good Brief 2", "Good Brief 1"]
    assert leftovers(folder) == []


def test_an_unchanged_brief_never_leaves_the_client(cluster, tmp_path):
    address, client, _ = cluster
    sources = [str(brief(tmp_path, f"c{n}", f"Cached Brief {n}")) for n in range(2)]
    build = (*sources, "--format", "html", "--brand", str(ROOT / "styles" / "brand.yml"), "--cluster", address)
    with get_task_stream(client) as first:
        assert run_build(*build, "--out", str(tmp_path / "one"), cwd=tmp_path, cache=True)[0] == 0
    with get_task_stream(client) as again:
        assert run_build(*build, "--out", str(tmp_path / "two"), cwd=tmp_path, cache=True)[0] == 0
    assert len(first.data) == 2 and again.data == []
    assert (tmp_path / "one" / "c1.html").read_bytes() == (tmp_path / "two" / "c1.html").read_bytes()


def test_cluster_local_builds_the_pool_s_bytes_and_leaves_no_temporary_folder(tmp_path):
    """--cluster local starts its own LocalCluster (one worker per --jobs) and stops it; Dask's own
    dask-scratch-space, which it leaves behind, goes into a folder of the build's."""
    sources = [str(brief(tmp_path, f"local{n}", f"Local Brief {n}")) for n in range(2)]
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT), "TMPDIR": str(temp)}
    base = [sys.executable, "-m", "briefpress", *sources, "--format", "html", "--no-cache", "-q", "--jobs", "2"]
    for out, engine in (("dask", ["--cluster", "local"]), ("pool", [])):
        done = subprocess.run([*base, "--out", str(tmp_path / out), *engine], env=env, capture_output=True, timeout=180)
        assert done.returncode == 0, done.stderr
    assert filecmp.dircmp(tmp_path / "dask", tmp_path / "pool").diff_files == []
    assert sorted(p.name for p in (tmp_path / "dask").iterdir()) == sorted(
        p.name for p in (tmp_path / "pool").iterdir()
    )
    assert sorted(p.name for p in temp.iterdir()) == []


def test_progress_on_a_terminal_as_lines_elsewhere_and_none_when_quiet(cluster, tmp_path):
    address, _, _ = cluster
    sources = [str(brief(tmp_path, f"b{n}", f"Brief {n}")) for n in range(5)]
    primary, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal of 100 columns
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "briefpress", *sources, "--format", "html", "--no-cache", "--cluster", address]
    process = subprocess.Popen(
        [*command, "--out", str(tmp_path / "tty")], stdin=secondary, stdout=secondary, stderr=secondary, env=env
    )
    os.close(secondary)
    shown = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait(timeout=120) == 0, shown
    os.close(primary)
    screen = shown.decode("utf-8", "replace")
    # The bar, redrawn in place, with its rate (briefs a second, or seconds a brief) and the time left.
    assert "5/5" in screen and re.search(r"brief/s|s/brief", screen) and "<00:00" in screen, screen
    assert screen.count("\r") > 2
    assert "built 1 of 5" not in screen

    code, _, err = run_build(*sources, "--format", "html", "--out", str(tmp_path / "lines"), "--cluster", address)
    assert code == 0
    told = [line.split(": ") for line in err.splitlines() if line.startswith("built ")]
    assert [t[0] for t in told] == [f"built {n} of 5" for n in range(1, 6)]  # in the order they were done
    assert sorted(t[1] for t in told) == sorted(sources)
    code, stdout, err = run_build(
        *sources, "-q", "--format", "html", "--out", str(tmp_path / "q"), "--cluster", address
    )
    assert code == 0 and err == "" and stdout == ""


def test_workers_of_other_versions_are_refused(cluster, tmp_path):
    address, client, _ = cluster
    copy = tmp_path / "other"
    shutil.copytree(ROOT / "briefpress", copy / "briefpress", ignore=shutil.ignore_patterns("__pycache__"))
    with (copy / "briefpress" / "records.py").open("a") as changed:
        changed.write("# a change: another version of briefpress\n")
    env = {**os.environ, "PYTHONPATH": str(copy)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client.wait_for_workers(3, timeout=60)
        source = brief(tmp_path, "one", "One Brief")
        code, _, err = run_build(
            str(source), str(BRIEFS["minimal"]), "--out", str(tmp_path / "out"), "--cluster", address
        )
        assert code == 1
        [line] = err.splitlines()
        assert line.startswith("error: --cluster: a worker differs from this machine: briefpress 0.1.0 (code "), line
        assert "here, 0.1.0 (code " in line and " on tcp://" in line
        assert not (tmp_path / "out").exists()
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    deadline = time.monotonic() + 30
    while len(client.scheduler_info()["workers"]) > 2 and time.monotonic() < deadline:
        time.sleep(0.1)


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def test_an_archive_catalogue_is_paginated_and_searchable(tmp_path, browser):
    """A few hundred briefs' entries through the catalogue stage (the briefs themselves are not
    built: the catalogue and the index are what is tested), then searched in a browser."""
    from briefpress.brand import load_brand
    from briefpress.records import Artifact
    from briefpress.render.catalogue import Entry, make_catalogue_pages, search_files

    count = 250
    entries = tuple(
        Entry(
            title=f"Brief number {n} on rivers",
            subtitle="",
            authors=(f"Author {n % 7}",),
            date=f"{2000 + n // 12:04d}-{n % 12 + 1:02d}-01",
            series_name="ISAS Brief",
            series_number=str(n),
            summary=f"What the brief {n} says about dams" + (" and the monsoon of Gilgit" if n == 17 else ""),
            editions=(Artifact(Path(f"b{n}.html"), "html", 20480),),
            keywords=("water", "quetzal") if n == 123 else ("water",),
        )
        for n in reversed(range(count))  # newest first, as series_files sorts them
    )
    pages = make_catalogue_pages(load_brand(ROOT / "styles" / "brand.yml"), entries)
    assert [name for name, _ in pages] == ["index.html", "index-2.html", "index-3.html", "search.html"]
    for name, data in pages + search_files(pages):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    third = html.parse(str(tmp_path / "index-3.html")).getroot()
    assert third.xpath("string(//p[@class='count'])").startswith("250 briefs, newest first. Page 3 of 3.")
    assert len(third.xpath("//ol[@class='catalogue']/li")) == 50
    assert third.xpath("//ol/@start") == ["201"] and third.xpath("(//h2)[1]/@id") == ["entry-201"]
    assert third.xpath("//nav[@class='pages']//a/@href") == [
        "index-2.html",
        "index.html",
        "index-2.html",
        "index-3.html",
    ]
    assert third.xpath("//a[@aria-current='page']/text()") == ["3"]

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        page = browser.new_page()
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"http://127.0.0.1:{server.server_port}/index-3.html")
        assert axe_violations(page) == []
        page.goto(f"http://127.0.0.1:{server.server_port}/search.html")
        page.wait_for_selector("#bp-search-input")
        assert axe_violations(page) == []
        results = {}
        for word in ("Gilgit", "quetzal"):
            results[word] = page.evaluate(
                """async (word) => {
                    const pagefind = await import("./pagefind/pagefind.js");
                    const found = await pagefind.search(word);
                    const data = await Promise.all(found.results.map(r => r.data()));
                    return data.flatMap(d => d.sub_results.map(s => s.url));
                }""",
                word,
            )
        page.close()
    finally:
        server.shutdown()
    # Brief 17 is the 233rd newest (page 3), brief 123 the 127th (page 2): the result is its entry.
    assert results["Gilgit"] == ["/index-3.html#entry-233"]
    assert results["quetzal"] == ["/index-2.html#entry-127"]
    assert all(u.startswith(f"http://127.0.0.1:{server.server_port}/") for u in requests), requests


def test_the_same_file_named_twice_is_built_once_on_the_cluster_too(cluster, tmp_path):
    address, _, _ = cluster
    one, two = brief(tmp_path, "one", "Brief One"), brief(tmp_path, "two", "Brief Two")
    out = tmp_path / "out"
    code, _, err = run_build(str(one), str(two), str(one), "--out", str(out), "--format", "html", "--cluster", address)
    assert code == 0, err
    assert f"warning: {one}: named twice: built once (name each brief once)\n" in err
    assert sorted(p.name for p in out.glob("*.html")) == ["index.html", "one.html", "two.html"]
