"""python -m briefpress: the same command line as build.py and briefpress."""

import sys

from .cli import main

sys.exit(main())
