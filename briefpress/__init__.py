"""briefpress: Markdown policy briefs to a branded PDF and an EPUB 3 with endnoted links."""

__version__ = "0.1.0"
