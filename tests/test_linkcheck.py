"""--check-links: offline checks always; --online against a local server on 127.0.0.1 only."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from briefpress.check.linkcheck import check_online, collect_links
from conftest import BRIEFS, run_build


class Handler(BaseHTTPRequestHandler):
    hits: dict[str, int] = {}
    active = 0
    peak = 0
    lock = threading.Lock()

    def do_GET(self):  # noqa: N802 (http.server's name)
        cls = type(self)
        # Only the slow pages count for the peak: a request for /hang that the client has given up
        # on (its timeout) still sleeps here while the client's worker goes on to the next one.
        counted = self.path.startswith("/slow/")
        with cls.lock:
            cls.hits[self.path] = cls.hits.get(self.path, 0) + 1
            cls.active += counted
            cls.peak = max(cls.peak, cls.active)
        try:
            self.answer()
        finally:
            with cls.lock:
                cls.active -= counted

    def answer(self):
        path = self.path
        if path.startswith("/slow/"):
            time.sleep(0.3)
            path = "/ok"
        if path == "/ok":
            self.reply(200)
        elif path == "/moved":
            self.reply(301, Location="/ok")
        elif path == "/found":
            self.reply(302, Location="/ok")
        elif path == "/flaky" and self.hits["/flaky"] == 1:
            self.reply(503)
        elif path == "/flaky":
            self.reply(200)
        elif path == "/forbidden":
            self.reply(403)
        elif path == "/hang":
            time.sleep(1.5)
            self.reply(200)
        else:
            self.reply(404)

    def reply(self, status, **headers):
        self.send_response(status)
        for key, value in {"Content-Length": "0", **headers}.items():
            self.send_header(key, value)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Handler.hits, Handler.active, Handler.peak = {}, 0, 0
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def brief(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "links.md"
    path.write_text(f"---\ntitle: Links\n---\n\n{body}\n", encoding="utf-8")
    return path


def test_offline_checks_name_each_problem_with_its_line(tmp_path):
    path = brief(
        tmp_path,
        "\n".join(
            [
                "A [placeholder](#).",
                "No scheme: [site](www.example.org/report).",
                "A typo: [bad](https:/example.org/x).",
                "Tracked: [news](https://news.example.org/a?id=7&utm_source=x&utm_medium=y&fbclid=z).",
                "Same page twice: [one](https://www.example.org/p/) and [two](http://example.org/p).",
                "Cited again: [one](https://www.example.org/p/).",
            ]
        ),
    )
    code, out, err = run_build(str(path), "--check-links")
    assert code == 1, err
    assert err.splitlines() == [
        f"warning: {path}:5: [placeholder] is a placeholder with no URL (put the source's address in the parentheses)",
        f"error: {path}:6: [site] www.example.org/report is not a full URL (begin it with https://)",
        f"error: {path}:7: [bad] https:/example.org/x is malformed (check the address: no spaces, a real host name)",
        f"warning: {path}:8: tracking parameters in https://news.example.org/a?id=7&utm_source=x&utm_medium=y&fbclid=z "
        "(cite https://news.example.org/a?id=7)",
        f"warning: {path}:9: http://example.org/p is the same page as https://www.example.org/p/ (line 9) "
        "but gets a note of its own (write the URL the same way)",
    ]
    assert out.splitlines() == [
        f"note: {path}:10: https://www.example.org/p/ is cited again (first on line 9); both calls share one note",
        "checked links offline (add --online to request each URL): 2 error(s), 3 warning(s)",
    ]


def test_sample_brief_has_23_placeholders_and_strict_fails_on_them():
    code, out, err = run_build(str(BRIEFS["brief"]), "--check-links")
    assert code == 0 and err.count("is a placeholder with no URL") == 23
    assert run_build(str(BRIEFS["brief"]), "--check-links", "--strict")[0] == 1


def test_online_reports_status_redirects_and_dead_links(tmp_path, server):
    path = brief(
        tmp_path,
        f"[a]({server}/ok), [b]({server}/moved), [c]({server}/gone), [d]({server}/flaky), "
        f"[e]({server}/forbidden), [f]({server}/found).",
    )
    code, out, err = run_build(str(path), "--check-links", "--online")
    assert code == 1
    assert out.splitlines() == [
        f"note: {path}:5: {server}/ok -> 200 OK",
        f"note: {path}:5: {server}/flaky -> 200 OK",
        f"note: {path}:5: {server}/found -> 302 {server}/ok -> 200 OK",
        "checked links offline and online: 1 error(s), 2 warning(s)",
    ]
    assert err.splitlines() == [
        f"warning: {path}:5: {server}/moved -> 301 {server}/ok -> 200: moved permanently (cite {server}/ok)",
        f"error: {path}:5: {server}/gone -> 404: dead link (replace it, or cite an archived copy: "
        f"https://web.archive.org/web/{server}/gone)",
        f"warning: {path}:5: {server}/forbidden -> 403: the server refused the check (open it in a browser)",
    ]
    assert Handler.hits["/flaky"] == 2 and Handler.hits["/gone"] == 1  # 503 retried, 404 not


def test_online_keeps_to_the_concurrency_limit_and_times_out(server):
    urls = [f"{server}/slow/{n}" for n in range(6)]
    started = time.monotonic()
    answers = check_online(urls + [f"{server}/hang"], workers=2, timeout=0.5, retries=1, backoff=0.05)
    assert Handler.peak == 2 and time.monotonic() - started < 5
    assert {answers[u].status for u in urls} == {200}
    hang = answers[f"{server}/hang"]
    assert (hang.status, hang.error, hang.attempts) == (None, "timed out", 2)


def test_the_urls_and_dois_in_the_bibliography_are_checked_at_their_own_lines(tmp_path, server):
    bib = tmp_path / "refs.bib"
    bib.write_text(
        "@online{ok,\n  title = {Fine},\n  url = {" + server + "/ok}\n}\n"
        "@online{gone,\n  title = {Gone},\n  url = {" + server + "/gone}\n}\n"
        "@article{tracked,\n  title = {Tracked},\n  url = {https://example.org/a?utm_source=x&id=3}\n}\n"
        "@article{doi,\n  title = {With a DOI},\n  doi = {10.1525/as.2021.61.3.455}\n}\n",
        encoding="utf-8",
    )
    path = tmp_path / "cited.md"
    path.write_text("---\ntitle: T\nbibliography: refs.bib\n---\n\nText [@ok; @gone].\n", encoding="utf-8")
    code, out, err = run_build(str(path), "--check-links")
    assert code == 0, err
    assert (
        f"warning: {bib}:11: tracking parameters in https://example.org/a?utm_source=x&id=3 (cite https://example.org/a?id=3)"
        in err
    )
    links = {link.url: (link.path, link.line) for link in collect_links(path)}
    assert links[f"{server}/gone"] == (bib, 7)
    assert links["https://doi.org/10.1525/as.2021.61.3.455"] == (bib, 15)
    bib.write_text(
        bib.read_text().replace("@article{doi,\n  title = {With a DOI},\n  doi = {10.1525/as.2021.61.3.455}\n}\n", "")
    )
    code, out, err = run_build(str(path), "--check-links", "--online")
    assert code == 1
    assert f"note: {bib}:3: {server}/ok -> 200 OK" in out.splitlines()
    assert f"error: {bib}:7: {server}/gone -> 404: dead link" in err
