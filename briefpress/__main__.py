"""python -m briefpress: the same command line as build.py and briefpress."""

import sys

from briefpress.cli import main

sys.exit(main())
