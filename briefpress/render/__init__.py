"""Render the editions: HTML through Jinja, PDF through WeasyPrint, EPUB through ebooklib."""
