"""Check a brief's links: offline always (placeholders, malformed URLs, duplicates, tracking
parameters), and online on request (status, redirects, dead links). Standard library only."""

from __future__ import annotations

import ipaddress
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from briefpress import http
from briefpress.compose.notes import LinkLocator, stringify, walk
from briefpress.errors import location
from briefpress.read.bibliography import bibliography_files
from briefpress.read.frontmatter import load_source
from briefpress.read.markdown import parse_markdown, read_bibliography

TRACKING = {"fbclid", "gclid", "dclid", "msclkid", "yclid", "mc_cid", "mc_eid", "igshid", "_ga", "_gl", "ref_src"}
ARCHIVE = "https://web.archive.org/web/"
RETRY_STATUSES = {429, 500, 502, 503, 504}
REFUSING_STATUSES = {401, 403, 429}


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    line: int | None
    path: Path | None = None  # where it is written, when not in the manuscript: a bibliography file


@dataclass(frozen=True)
class Finding:
    """One thing to report about a link. level: "error", "warning" or "note"."""

    path: Path
    line: int | None
    level: str
    what: str

    @property
    def message(self) -> str:
        return f"{location(self.path, self.line)}{self.what}"


@dataclass(frozen=True)
class Response:
    """What the server said about a URL, after redirects and retries."""

    url: str
    status: int | None  # None when no answer came
    final_url: str
    redirects: tuple[tuple[int, str], ...] = ()
    error: str = ""
    attempts: int = 1


def collect_links(path: Path) -> list[Link]:
    """Every link of a brief in the summary, body and bios, with its source line."""
    source = load_source(path)
    ast = parse_markdown(source.markdown, path)
    locator = LinkLocator(source.text)
    links: list[Link] = []
    footnotes: list = []  # visited after the body, as their text usually sits at the end of the file

    def visit(inlines: list) -> list:
        for node in inlines:
            if node["t"] == "Link":
                url, text = node["c"][2][0], stringify(node["c"][1])
                links.append(Link(url, text, locator.line_of(url, text)))
            if node["t"] == "Note":
                footnotes.append(node["c"])
            else:
                walk(node.get("c"), visit)
        return inlines

    for part in (ast["meta"].get("abstract"), ast["blocks"], footnotes, ast["meta"].get("author")):
        walk(part, visit)
    return links + bibliography_links(source)


def bibliography_links(source) -> list[Link]:
    """The URL and DOI of every entry in the brief's bibliography files, at their own lines."""
    links = []
    for path in bibliography_files(source):
        text = path.read_text(encoding="utf-8", errors="replace")
        for entry in read_bibliography(path):
            targets = [entry.get("URL", "")]
            if entry.get("DOI"):
                targets.append(f"https://doi.org/{entry['DOI']}")
            for url in filter(None, targets):
                needle = url.removeprefix("https://doi.org/") if url != entry.get("URL") else url
                pos = text.find(needle)
                line = text.count("\n", 0, pos) + 1 if pos >= 0 else None
                links.append(Link(url, f"@{entry.get('id', '')}", line, path=path))
    return links


def check_offline(path: Path, links: list[Link]) -> list[Finding]:
    """Placeholders, malformed URLs, tracking parameters and duplicates, without the network."""
    findings: list[Finding] = []
    seen: dict[str, Link] = {}
    for link in links:
        if link.url.startswith("#") and len(link.url) > 1:
            continue  # a heading in the brief
        problem = url_problem(link.url)
        if problem:
            findings.append(
                Finding(
                    link.path or path,
                    link.line,
                    "error" if problem[0] == "!" else "warning",
                    f"[{link.text}] {problem.lstrip('!')}",
                )
            )
            continue
        clean = strip_tracking(link.url)
        if clean != link.url:
            findings.append(
                Finding(link.path or path, link.line, "warning", f"tracking parameters in {link.url} (cite {clean})")
            )
        if link.path is not None:
            continue  # a bibliography entry makes no note of its own: no duplicate to report
        key = normal_form(link.url)
        first = seen.setdefault(key, link)
        if first is not link and first.url == link.url:
            findings.append(
                Finding(
                    path,
                    link.line,
                    "note",
                    f"{link.url} is cited again (first on line {first.line}); both calls share one note",
                )
            )
        elif first is not link:
            findings.append(
                Finding(
                    path,
                    link.line,
                    "warning",
                    f"{link.url} is the same page as {first.url} "
                    f"(line {first.line}) but gets a note of its own (write the URL the same way)",
                )
            )
    return findings


def url_problem(url: str) -> str:
    """Why a link target is unusable ('!' first for errors), or ''."""
    if url.strip() in ("", "#"):
        return "is a placeholder with no URL (put the source's address in the parentheses)"
    parts = urlsplit(url)
    if parts.scheme == "mailto":
        return "" if "@" in parts.path else "!is a mailto: link without an address (write mailto:name@domain)"
    if not parts.scheme:
        return f"!{url} is not a full URL (begin it with https://)"
    if parts.scheme not in ("http", "https"):
        return f"!{url} uses {parts.scheme}:, which readers cannot open (cite an http or https address)"
    if any(c.isspace() for c in url) or not host_ok(parts):
        return f"!{url} is malformed (check the address: no spaces, a real host name)"
    return ""


def host_ok(parts) -> bool:
    try:
        host, _ = parts.hostname, parts.port
    except ValueError:
        return False
    if not host:
        return False
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        labels = host.split(".")
        return host == "localhost" or (len(labels) > 1 and all(labels) and labels[-1].isalpha())


def strip_tracking(url: str) -> str:
    parts = urlsplit(url)
    query = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not (k.lower().startswith("utm_") or k.lower() in TRACKING)
    ]
    if len(query) == len(parse_qsl(parts.query, keep_blank_values=True)):
        return url
    return urlunsplit(parts._replace(query=urlencode(query)))


def normal_form(url: str) -> str:
    """A URL with scheme, www., case of the host, trailing slash and tracking set aside."""
    parts = urlsplit(strip_tracking(url))
    host = (parts.hostname or "").removeprefix("www.")
    return f"{host}{parts.path.rstrip('/')}?{parts.query}"


def check_online(
    urls: list[str], *, timeout: float = 10, workers: int = 8, retries: int = 2, backoff: float = 0.5
) -> dict[str, Response]:
    """Request each URL once (at most `workers` at a time), retrying timeouts and 429/5xx answers."""
    unique = list(dict.fromkeys(urls))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        answers = pool.map(lambda u: fetch(u, timeout=timeout, retries=retries, backoff=backoff), unique)
        return dict(zip(unique, answers))


def fetch(url: str, *, timeout: float, retries: int, backoff: float) -> Response:
    for attempt in range(1, retries + 2):
        response = fetch_once(url, timeout)
        transient = response.status in RETRY_STATUSES or (response.status is None and "timed out" in response.error)
        if not transient or attempt > retries:
            return Response(**{**response.__dict__, "attempts": attempt})
        time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def fetch_once(url: str, timeout: float) -> Response:
    answer = http.get(url, timeout=timeout)
    error = "" if answer.status is not None else answer.error
    return Response(url, answer.status, answer.final_url, answer.hops, error=error)


def judge(path: Path, link: Link, answer: Response) -> Finding:
    """Turn a server's answer into a status line, a warning or an error."""
    where = link.path or path
    hops = "".join(f" -> {code} {target}" for code, target in answer.redirects)
    tries = f" after {answer.attempts} tries" if answer.attempts > 1 else ""
    if answer.status is not None and answer.status < 400:
        moved = answer.redirects and answer.redirects[0][0] in (301, 308)
        if moved:
            return Finding(
                where,
                link.line,
                "warning",
                f"{link.url}{hops} -> {answer.status}: moved permanently (cite {answer.final_url})",
            )
        return Finding(where, link.line, "note", f"{link.url}{hops} -> {answer.status} OK")
    if answer.status in REFUSING_STATUSES:
        return Finding(
            where,
            link.line,
            "warning",
            f"{link.url}{hops} -> {answer.status}{tries}: the server refused the check (open it in a browser)",
        )
    said = f"{answer.status}" if answer.status else answer.error
    return Finding(
        where,
        link.line,
        "error",
        f"{link.url}{hops} -> {said}{tries}: dead link (replace it, or cite an archived copy: {ARCHIVE}{link.url})",
    )


def check_links(path: Path, *, online: bool, **options) -> list[Finding]:
    """Every finding for one brief, in source order; the online ones only when asked."""
    links = collect_links(path)
    findings = check_offline(path, links)
    if online:
        web = [l for l in links if not url_problem(l.url) and l.url.startswith(("http:", "https:"))]
        answers = check_online([l.url for l in web], **options)
        findings += [judge(path, link, answers[link.url]) for link in unique_by_url(web)]
    return sorted(findings, key=lambda f: (f.path != path, str(f.path), f.line or 0))


def unique_by_url(links: list[Link]) -> list[Link]:
    return list({l.url: l for l in reversed(links)}.values())[::-1]
