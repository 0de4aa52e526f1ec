"""The one HTTP client: remote images (--allow-remote) and the online link check both go through it.
http(s) only, redirects followed only to http(s) and remembered hop by hop, one user agent,
a timeout on every request and an optional cap on the bytes read. Standard library only."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

USER_AGENT = "briefpress/0.1"


@dataclass(frozen=True)
class Answer:
    """What a server said: its status (None when no answer came), where the request ended, the
    redirects on the way, the body when asked for, and the error when it failed."""

    url: str
    status: int | None
    final_url: str
    hops: tuple[tuple[int, str], ...] = ()
    body: bytes = b""
    error: str = ""


class Hops(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only, remembering each hop."""

    def __init__(self):
        self.hops: list[tuple[int, str]] = []

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if not newurl.lower().startswith(("http://", "https://")):
            raise urllib.error.URLError(f"redirect to a non-http address refused: {newurl}")
        self.hops.append((code, newurl))
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def get(url: str, *, timeout: float, read: int = 0) -> Answer:
    """GET url; read up to `read` bytes of the body (0: none). Never raises for network trouble."""
    if not url.lower().startswith(("http://", "https://")):
        return Answer(url, None, url, error="only http and https addresses are requested")
    hops = Hops()
    opener = urllib.request.OpenerDirector()
    for handler in (
        urllib.request.HTTPHandler(),
        urllib.request.HTTPSHandler(),
        hops,
        urllib.request.HTTPErrorProcessor(),
        urllib.request.HTTPDefaultErrorHandler(),
    ):
        opener.add_handler(handler)
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with opener.open(request, timeout=timeout) as answer:
            body = answer.read(read) if read else b""
            return Answer(url, answer.status, answer.url, tuple(hops.hops), body)
    except urllib.error.HTTPError as err:
        if err.code < 400:  # a redirect urllib refused to follow (to file:, ftp: ...)
            return Answer(url, None, url, tuple(hops.hops), error=f"redirect refused: {err.reason}")
        return Answer(url, err.code, err.url or url, tuple(hops.hops), error=f"HTTP Error {err.code}: {err.reason}")
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError, ValueError) as err:
        reason = getattr(err, "reason", err)
        text = "timed out" if isinstance(reason, (socket.timeout, TimeoutError)) else str(reason)
        return Answer(url, None, url, tuple(hops.hops), error=text)
