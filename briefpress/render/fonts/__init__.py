"""Fonts: the faces a brief needs (fit.py), their HarfBuzz subsets (subset.py) and WOFF2 files (woff.py)."""
