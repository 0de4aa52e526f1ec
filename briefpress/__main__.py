"""python -m briefpress: the same command line as build.py and briefpress."""

import sys

from briefpress.cli import main

if __name__ == "__main__":  # importing this module (a tool listing modules) builds nothing
    sys.exit(main())
