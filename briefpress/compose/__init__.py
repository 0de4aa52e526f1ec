"""Compose a brief: notes numbered, parts rendered, raw HTML sanitised, accessibility surveyed."""
