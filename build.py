#!/usr/bin/env python3
"""Build the briefs: python build.py [SOURCE ...] [--out DIR] [--format pdf,print,epub] [--paper a4|letter] [--press] [--strict] [-q]."""

import sys
from pathlib import Path

from briefpress.cli import main

if __name__ == "__main__":
    sys.exit(main(root=Path(__file__).resolve().parent))
