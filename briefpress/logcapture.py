"""Collect what a library only logs, so the build can fail on it instead of going on."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager


class Collector(logging.Handler):
    def __init__(self, module_prefix: str):
        super().__init__(logging.WARNING)
        self.prefix = module_prefix
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(self.prefix) or self.prefix in record.pathname:
            self.messages.append(record.getMessage())


@contextmanager
def capture_logged(logger_name: str, module_prefix: str) -> Iterator[list[str]]:
    """Yield the list of warning-or-worse messages logged from module_prefix inside the block."""
    collector = Collector(module_prefix)
    logger = logging.getLogger(logger_name)
    logger.addHandler(collector)
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
