"""The one exception type for user-facing errors, and how warnings are reported."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

LOG = logging.getLogger("briefpress")
DATA_URL = re.compile(r"(data:[\w.+-]*/?[\w.+-]*(?:;[\w=.+-]*)*,)[^\s'\"()<>]{20,}", re.I)


class BriefError(Exception):
    """A problem the user can fix: printed as one line, never as a traceback."""

    def __init__(self, path: Path | str | None, line: int | None, what: str, fix: str = ""):
        # WeasyPrint quotes an image it cannot read as its whole data: URL, megabytes of base64.
        self.path, self.line, self.what, self.fix = path, line, shorten_data_urls(what), fix
        super().__init__(self.message)

    def __reduce__(self):  # so an error crosses from a worker process intact
        return (type(self), (self.path, self.line, self.what, self.fix))

    @property
    def message(self) -> str:
        where = location(self.path, self.line)
        hint = f" ({self.fix})" if self.fix else ""
        return f"{where}{self.what}{hint}"


class BriefErrors(BriefError):
    """Several problems found in one pass; each is reported on its own line."""

    def __init__(self, errors: list[BriefError]):
        self.errors = errors
        Exception.__init__(self, "\n".join(e.message for e in errors))

    def __reduce__(self):
        return (type(self), (self.errors,))

    @property
    def message(self) -> str:
        return "\n".join(e.message for e in self.errors)


class Capture(logging.Handler):
    """Keeps the text of every warning logged while it is attached: for warnings that must
    travel (from a worker process, into the cache, onto the preview page)."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass(frozen=True)
class BuildWarning:
    """A problem that does not stop the build unless --strict is given."""

    path: Path | None
    line: int | None
    what: str

    @property
    def message(self) -> str:
        return f"{location(self.path, self.line)}{self.what}"


def location(path: Path | str | None, line: int | None) -> str:
    """Format 'path:line: ' for messages, relative to the working folder when possible."""
    if path is None:
        return ""
    shown = display_path(path)
    return f"{shown}:{line}: " if line else f"{shown}: "


def display_path(path: Path | str) -> str:
    """Show a path relative to the current folder when it lies inside it."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def shorten_data_urls(text: str) -> str:
    """The text with each long data: URL cut after its comma."""
    return DATA_URL.sub(r"\1...", text)


def raise_all(errors: list[BriefError]) -> None:
    """Raise the collected errors, one or many, if there are any."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise BriefErrors(errors)
