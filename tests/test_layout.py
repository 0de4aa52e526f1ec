"""The package reads as the pipeline: imports point down the layers (read, compose, render, check,
then the drivers above them), never in a circle, and the README's Layout lists every module."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT

PACKAGE = ROOT / "briefpress"


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def imports() -> dict[str, set[str]]:
    """Each module's briefpress imports, lazy ones inside functions included."""
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("briefpress"):
                found |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycle_from(graph: dict[str, set[str]], start: str) -> list[str] | None:
    """A path of imports that leads from start back to start, if there is one."""
    stack, seen = [(start, [start])], set()
    while stack:
        node, path = stack.pop()
        for nxt in graph[node]:
            if nxt == start:
                return path + [start]
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def test_no_module_imports_one_that_imports_it_back():
    graph = imports()
    assert graph["briefpress.cli"] and graph["briefpress.pipeline"]  # the walk sees imports at all
    cycles = [c for name in sorted(graph) if name.count(".") and (c := cycle_from(graph, name))]
    assert cycles == []


# Lowest first: a module may import its own layer and those before it, never one after it.
LAYERS = ("base", "read", "compose", "render", "check", "drive")
# Modules outside the stage folders, by layer; a stage folder's modules are in its layer.
PLACED = {
    "base": ("__init__", "records", "errors", "defaults", "scratch", "logcapture", "http", "kept", "console"),
    "read": ("brand",),  # brand.yml read with read/frontmatter, its SVG logo checked with read/svg
    "check": ("publish",),
    "drive": ("pipeline", "make", "cache", "series", "cluster", "progress", "packs", "cli", "__main__", "author"),
}


def layer_of(module: str) -> str:
    """The layer of briefpress.X.Y: X's stage folder, or where PLACED puts X."""
    parts = module.split(".")
    top = parts[1] if len(parts) > 1 else "__init__"
    if top in ("read", "compose", "render", "check"):
        return top
    found = [layer for layer, names in PLACED.items() if top in names]
    assert len(found) == 1, f"{module} has no layer: add it to PLACED"
    return found[0]


def test_every_import_points_down_the_layers():
    graph = imports()
    upward = sorted(
        f"{name} ({layer_of(name)}) imports {other} ({layer_of(other)})"
        for name, others in graph.items()
        for other in others
        if LAYERS.index(layer_of(other)) > LAYERS.index(layer_of(name))
    )
    assert upward == []


def test_readme_layout_names_every_module():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = readme[readme.index("## Layout") : readme.index("## Tests")]
    listed, folder = set(), ""
    for line in layout.splitlines():
        top = re.match(r"    (briefpress/\S*)", line)
        inner = re.match(r"        (\w+\.py)", line)
        if top:
            folder = top.group(1) if top.group(1).endswith("/") else ""
            listed.add(top.group(1))
        elif inner and folder:
            listed.add(folder + inner.group(1))
    modules = {str(p.relative_to(ROOT)) for p in PACKAGE.rglob("*.py") if p.name not in ("__init__.py", "__main__.py")}
    assert sorted(modules - listed) == []
    assert sorted(m for m in listed - modules if m.endswith(".py")) == []


def test_every_list_of_editions_comes_from_the_one_table():
    """records.EDITIONS is the one table of editions: no other module spells out its own table or
    list of them (a dict, tuple, list or set naming two editions), but the formats defaults.py
    chooses by default."""
    editions = {"pdf", "print", "epub", "pdfa", "html", "card"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "records.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        chosen = {  # DEFAULT_FORMATS, PREVIEW_FORMATS: choices among the editions, not tables of them
            n.lineno for n in tree.body if isinstance(n, ast.Assign) and ast.unparse(n.targets[0]).endswith("_FORMATS")
        }
        for node in ast.walk(tree):
            if getattr(node, "lineno", None) in chosen:
                continue
            items = node.keys if isinstance(node, ast.Dict) else getattr(node, "elts", None)
            if isinstance(node, (ast.Dict, ast.Tuple, ast.List, ast.Set)) and items:
                named = {i.value for i in items if isinstance(i, ast.Constant) and i.value in editions}
                if len(named) > 1:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {sorted(named)}")
    assert found == []
