#!/usr/bin/env python3
"""Build the briefs: python build.py [SOURCE ...] [--out DIR] [--format pdf,print,epub] [--paper a4|letter] [--press] [--strict] [-q]."""

import os
import sys
from pathlib import Path

from briefpress.cli import main

if __name__ == "__main__":
    code = main(home=Path(__file__).resolve().parent)
    # Every file is written and closed, every worker has ended: leave without tearing down each
    # loaded module (lxml, pandoc's wrapper, ebooklib, Pillow), which takes 60-90 ms after the build.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
