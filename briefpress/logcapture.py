"""Collect what a library only logs, so the build can fail on it instead of going on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Collector(logging.Handler):
    def __init__(self, module_prefix: str, level: int):
        super().__init__(level)
        self.prefix = module_prefix
        self.thread = threading.get_ident()  # two threads may run pandoc at once: each keeps its own
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        if record.name.startswith(self.prefix) or self.prefix in record.pathname:
            self.messages.append(record.getMessage())


@contextmanager
def capture_logged(logger_name: str, module_prefix: str, level: int = logging.WARNING) -> Iterator[list[str]]:
    """Yield the list of messages at level or above logged from module_prefix inside the block."""
    collector = Collector(module_prefix, level)
    logger = logging.getLogger(logger_name)
    old_level = logger.level
    logger.addHandler(collector)
    logger.setLevel(min(old_level or logging.WARNING, level))
    try:
        yield collector.messages
    finally:
        logger.removeHandler(collector)
        logger.setLevel(old_level)
