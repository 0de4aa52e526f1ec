"""Citations whose keys the bibliography lacks, printed as the author wrote them.

Pandoc keeps a citation's own text inside its Cite element until citeproc replaces it: `[@key, p. 3]`
is Str "[@key," Space Str "p." Space Str "3]". A citation naming a key the bibliography lacks
becomes that text before citeproc runs, so citeproc neither sets a "key?" note for it nor counts
it as a work's first citation.
"""

from __future__ import annotations


def written(cite: dict) -> list:
    """A Cite element's inlines as written; pandoc's text of `-@key` is `@key`, so its `-` is put back."""
    citations, content = cite["c"]
    first = content[0] if content else None
    if (
        len(citations) == 1
        and citations[0]["citationMode"]["t"] == "SuppressAuthor"
        and first is not None
        and first["t"] == "Str"
        and first["c"].startswith("@")
    ):
        return [{"t": "Str", "c": f"-{first['c']}"}, *content[1:]]
    return content


def as_written(value, missing: set[str]):
    """Pandoc JSON with every Cite that names a missing key replaced by its inlines as written
    (all of it: `[@found; @missing]` too, since that is one citation as the author wrote it)."""
    if isinstance(value, list):
        out: list = []
        for item in value:
            if isinstance(item, dict) and item.get("t") == "Cite" and names_missing(item, missing):
                out.extend(written(item))
            else:
                out.append(as_written(item, missing))
        return out
    if isinstance(value, dict):
        return {key: as_written(item, missing) for key, item in value.items()}
    return value


def names_missing(cite: dict, missing: set[str]) -> bool:
    return any(citation["citationId"] in missing for citation in cite["c"][0])
