"""Start a new brief: source/<slug>.md with complete front matter and a skeleton that builds."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from briefpress.compose.slug import slugify
from briefpress.errors import BriefError

SKELETON = """---
title: {title}
# subtitle: An optional subtitle
author:
  - name: {author_yaml}
    # email: name@example.org
    # affiliation: Your institute
    bio: >-
      {author} is ... (one or two sentences about the author; Markdown and links allowed).
abstract: >-
  The summary: what the brief argues, in two or three sentences. It is set apart at the top.
date: {day}
lang: en
keywords: []
series:
  name: {series}
  # number: 1234
---

Open with the news or the question that makes this brief timely, in one paragraph.

## Background

What a reader needs to know first. Cite each source as a Markdown link and put the citation in
the link's title: `[the report](https://www.example.org/report "Author, ‘Title’, Outlet, 5 March 2026")`.
Every link becomes a numbered endnote.

## Analysis

The argument, in a few paragraphs. Use `##` for section headings.

## Conclusion

What follows, and what to watch for next.
"""


def new_brief(folder: Path, title: str, author: str, *, series: str, day: date) -> Path:
    """Write folder/<slug>.md for a new brief; refuse to replace an existing file."""
    slug = slugify(title)
    if not title.strip() or not slug:
        raise BriefError(
            None, None, f"cannot make a file name from the title {title!r}", "give a title with letters or digits"
        )
    if not author.strip():
        raise BriefError(None, None, "no author name", 'give --author "Name"')
    path = folder / f"{slug}.md"
    # json.dumps quotes a string so that YAML reads it back unchanged (JSON is a subset of YAML).
    text = SKELETON.format(
        title=json.dumps(title.strip(), ensure_ascii=False),
        author=author.strip(),
        author_yaml=json.dumps(author.strip(), ensure_ascii=False),
        series=json.dumps(series, ensure_ascii=False),
        day=day.isoformat(),
    )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise BriefError(path, None, "already exists", "choose another title, or edit the existing file") from None
    except OSError as err:
        raise BriefError(path, None, f"cannot write: {err.strerror}", "check the folder") from None
    return path
