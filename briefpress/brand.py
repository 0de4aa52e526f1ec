"""Read the institute's brand from brand.yml. The only module that uses brand_yml."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

from brand_yml import Brand as BrandYml
from brand_yml.typography import font_weight_map
from pydantic import ValidationError

from briefpress.errors import BriefError, raise_all
from briefpress.read.files import read_regular_file
from briefpress.read.frontmatter import key_paths, load_yaml
from briefpress.read.svg import svg_problem
from briefpress.records import LABEL_KEYS, PLACES, Brand, FontFace, Labels

# File-name suffixes of the pip font packages (font-source-serif-pro and the like).
FACES = {
    "Regular": (400, "normal"),
    "It": (400, "italic"),
    "Semibold": (600, "normal"),
    "SemiboldIt": (600, "italic"),
    "Bold": (700, "normal"),
    "BoldIt": (700, "italic"),
}
COLOR_KEYS = ("primary", "secondary", "tertiary", "foreground", "background", "light")
SHAPES = {
    "CommentedSeq": "a list",
    "list": "a list",
    "CommentedMap": "a mapping",
    "int": "a number",
    "float": "a number",
    "bool": "true or false",
}
SHAPE_OF = {str: "text", list: "a list of text lines", dict: "a mapping"}
OWN_KEYS = {
    "series": str,
    "disclaimer": str,
    "address": list,
    "contact": list,
    "paper": str,
    "labels": dict,
    "csl": str,
    "url": str,
    "fallback-fonts": list,
    "language-fonts": dict,
    "start-overhang": dict,
}
EM_LENGTH = re.compile(r"^(?:\d+(?:\.\d*)?|\.\d+)em$")  # 0.4em


def load_brand(path: Path) -> Brand:
    """Read and check a brand file, reporting every problem in one go."""
    text = read_brand_text(path)
    lines = key_lines(path, text)
    try:
        spec = BrandYml.from_yaml_str(text, path=path)
    except TypeError as err:  # brand_yml's type discriminators raise it: "<class 'int'> is not a valid brand logo type"
        section = next((key for key in ("logo", "color", "typography", "meta") if key in str(err)), None)
        kind = re.search(r"<class '(?:[\w.]+\.)?(\w+)'>", str(err))
        shape = SHAPES.get(kind.group(1), f"a {kind.group(1)}") if kind else ""
        what = f"brand: {section}: {shape} is not a {section}" if section and shape else f"brand: {err}"
        raise BriefError(
            path, line_for(lines, (section,)) if section else None, what, "see https://posit-dev.github.io/brand-yml/"
        ) from None
    except ValidationError as err:
        raise_all([validation_error(path, lines, loc, message) for loc, message in written_errors(err, lines)])
    errors: list[BriefError] = []
    own = own_keys(spec, path, lines, errors)
    labels = brand_labels(own.get("labels"), path, lines, errors)
    colors = brand_colors(spec, path, lines, errors)
    logo = brand_logo(spec, path, lines, errors)
    fonts = brand_fonts(spec, path, lines, errors)
    fallbacks, by_language = fallback_fonts(own, {face.family for face in fonts}, path, lines, errors)
    overhangs = start_overhangs(own, {face.family for face in fonts}, path, lines, errors)
    base, headings = spec.typography and spec.typography.base, spec.typography and spec.typography.headings
    if not (base and base.family and headings and headings.family):
        errors.append(
            BriefError(
                path,
                line_for(lines, ("typography",)),
                "brand: typography.base.family and typography.headings.family are required",
                "name the body and heading fonts",
            )
        )
    name = spec.meta.name if spec.meta else None
    if not (name and name.full and name.short):
        errors.append(
            BriefError(
                path,
                line_for(lines, ("meta",)),
                "brand: meta.name.full and meta.name.short are required",
                "give the institute's full and short name",
            )
        )
    mono = mono_family(spec, {face.family for face in fonts}, path, lines, errors)
    raise_all(errors)
    return Brand(
        path=path,
        name=name.full,
        short_name=name.short,
        home_url=str(spec.meta.link.home) if spec.meta.link and spec.meta.link.home else "",
        series_name=own.get("series", ""),
        disclaimer=own.get("disclaimer", ""),
        address=tuple(own.get("address", ())),
        contact=tuple(own.get("contact", ())),
        logo=logo,
        colors=colors,
        base_font=base.family,
        heading_font=headings.family,
        mono_font=mono,
        fonts=fonts,
        paper=own.get("paper", "a4"),
        labels=labels,
        csl=path.parent / own["csl"] if own.get("csl") else None,
        url_pattern=own.get("url", ""),
        fallback_fonts=fallbacks,
        language_fonts=by_language,
        start_overhangs=overhangs,
    )


def read_brand_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BriefError(path, None, "brand file not found", "create styles/brand.yml or pass --brand") from None
    except (OSError, UnicodeDecodeError) as err:
        raise BriefError(path, None, f"cannot read brand file: {err}", "save it as UTF-8") from None


def key_lines(path: Path, text: str) -> dict[tuple, int]:
    """Map each key path, such as ('color', 'primary'), to its 1-based line."""
    _, root = load_yaml(path, text, what="YAML")  # read/frontmatter.py reads every YAML file
    if root is None:
        raise BriefError(path, None, "the brand file is empty", "start from the project's styles/brand.yml")
    lines = key_paths(root)
    if lines is None:
        raise BriefError(
            path,
            root.start_mark.line + 1,
            "the brand file is not a mapping",
            "write 'meta:', 'logo:', 'color:' and 'typography:' sections",
        )
    return lines


def written_errors(err: ValidationError, lines) -> list[tuple[tuple[str, ...], str]]:
    """brand_yml's validation errors, one for each place the author wrote something wrong.

    Where brand_yml accepts several shapes (a logo as one file or as images; a path as a URL or a
    file), pydantic reports why each shape failed: one wrong logo path gave seven errors. Of the
    shapes tried at one place, only the one that matched deepest into what the author wrote is
    reported, and each key once (pydantic's own shape names, `FileLocationLocal`, left out)."""
    tried: dict[tuple[str, ...], list[tuple[int, tuple[str, ...], str]]] = {}
    for error in err.errors():
        written, branch = written_path(error["loc"], lines)
        depth = max((end for end in range(len(written) + 1) if written[:end] in lines), default=0)
        message = error["msg"].removeprefix("Value error, ").rstrip(".")
        if isinstance(error.get("input"), str) and error["input"] and not error["type"].startswith("extra"):
            message = f"{error['input']}: {message[:1].lower()}{message[1:]}"
        tried.setdefault(branch, []).append((depth, written, message))
    found: dict[tuple[str, ...], str] = {}
    for shapes in tried.values():
        deepest = max(depth for depth, _, _ in shapes)
        found |= {written: message for depth, written, message in shapes if depth == deepest}
    return list(found.items())


def written_path(loc: tuple, lines) -> tuple[tuple[str, ...], tuple]:
    """The keys of a pydantic error's location that the author wrote (and a missing key named
    last), and where a choice of shapes was made (the location itself when none was)."""
    parts = [str(part) for part in loc]
    written: list[str] = []
    branch: tuple | None = None
    for number, part in enumerate(parts):
        following = parts[number + 1] if number + 1 < len(parts) else None
        if (*written, part) not in lines and (
            part[:1].isupper() or "[" in part or (following is not None and (*written, following) in lines)
        ):
            branch = branch or tuple(written)  # a shape's name (BrandLogo, file), not a key
            continue
        written.append(part)
    return tuple(written), branch if branch is not None else ("", *written)


def validation_error(path: Path, lines, loc: tuple[str, ...], message: str) -> BriefError:
    folder = path.parent.name
    fix = {
        "logo": f"name an .svg or .png file in {folder}/",
        "typography": f"name a .ttf, .otf, .woff or .woff2 file in {folder}/",
    }.get(loc[0], f"name a file in {folder}/")
    fix = fix if loc[-1:] == ("path",) else "see https://posit-dev.github.io/brand-yml/"
    return BriefError(path, line_for(lines, loc), f"brand: {'.'.join(loc)}: {message}", fix)


def line_for(lines: dict[tuple, int], loc: tuple) -> int | None:
    """The line of the longest known prefix of a key path."""
    loc = tuple(str(part) for part in loc)
    for end in range(len(loc), 0, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return None


def own_keys(spec: BrandYml, path: Path, lines, errors: list) -> dict:
    extra = (spec.meta.model_extra or {}) if spec.meta else {}
    own = extra.get("briefpress") or {}
    where = ("meta", "briefpress")
    if not isinstance(own, dict):
        errors.append(
            BriefError(path, line_for(lines, where), "brand: meta.briefpress must be a mapping", "see README")
        )
        return {}
    for key in sorted(set(own) - set(OWN_KEYS)):
        errors.append(
            BriefError(
                path,
                line_for(lines, where + (key,)),
                f"brand: unknown key meta.briefpress.{key}",
                "known keys: " + ", ".join(OWN_KEYS),
            )
        )
    for key, kind in OWN_KEYS.items():
        value = own.get(key)
        if kind is dict and value is not None and not isinstance(value, dict):
            errors.append(
                BriefError(
                    path,
                    line_for(lines, where + (key,)),
                    f"brand: meta.briefpress.{key} must be a mapping",
                    "write a language code, a colon and a list of families",
                )
            )
        elif (
            kind is not dict
            and value is not None
            and (not isinstance(value, kind) or (kind is list and not all(isinstance(v, str) for v in value)))
        ):
            errors.append(
                BriefError(
                    path,
                    line_for(lines, where + (key,)),
                    f"brand: meta.briefpress.{key} must be {SHAPE_OF[kind]}",
                    "quote values that contain ':' or '#'",
                )
            )
    url = own.get("url")
    if isinstance(url, str) and not url.startswith(("https://", "http://")):
        errors.append(
            BriefError(
                path,
                line_for(lines, where + ("url",)),
                "brand: meta.briefpress.url must be a web address with {slug}",
                "write https://www.example.org/papers/{slug}/",
            )
        )
    if own.get("paper") not in (None, "a4", "letter"):
        errors.append(
            BriefError(path, line_for(lines, where + ("paper",)), "brand: paper must be a4 or letter", "fix the value")
        )
    return own


def brand_labels(value, path: Path, lines, errors: list) -> dict[str, Labels]:
    """meta.briefpress.labels: for each language tag, the institute's words for Summary, Notes, ...;
    a key left out keeps its English word."""
    where = ("meta", "briefpress", "labels")
    if not isinstance(value, dict):  # absent, or already reported as not a mapping
        return {}
    labels: dict[str, Labels] = {}
    for lang, words in value.items():
        at = where + (str(lang),)
        if not isinstance(words, dict):
            errors.append(
                BriefError(path, line_for(lines, at), f"brand: {'.'.join(at)} must be a mapping", "see README")
            )
            continue
        problems = [key for key in words if not is_label(key, words[key])]
        for key in problems:
            errors.append(
                BriefError(
                    path,
                    line_for(lines, at + (str(key),)),
                    f"brand: {'.'.join(at)}.{key} is not a label"
                    if key not in LABEL_KEYS
                    else f"brand: {'.'.join(at)}.{key} must be "
                    + (
                        "a list of the twelve month names"
                        if key == "months"
                        else "text with two {}: the columns shown, then how many there are"
                        if PLACES.get(key) == 2
                        else "text with one {} where what it names goes"
                        if key in PLACES
                        else "text"
                    ),
                    "labels are " + ", ".join(LABEL_KEYS) + ", each a line of text (months: a list of twelve)",
                )
            )
        if not problems:
            given = {key: tuple(value) if key == "months" else value for key, value in words.items()}
            missing = tuple(key for key in LABEL_KEYS if key not in words)
            labels[str(lang).lower()] = Labels(**given, missing=missing)
    return labels


def is_label(key, value) -> bool:
    if key == "months":
        return isinstance(value, list) and len(value) == 12 and all(isinstance(m, str) and m for m in value)
    if key in PLACES:
        return isinstance(value, str) and value.count("{}") == PLACES[key]
    return key in LABEL_KEYS and isinstance(value, str)


def brand_colors(spec: BrandYml, path: Path, lines, errors: list) -> dict[str, str]:
    colors = spec.color.to_dict() if spec.color else {}
    for key in ("primary", "foreground", "background"):
        value = colors.get(key)
        if not isinstance(value, str) or not re.fullmatch(r"#[0-9A-Fa-f]{6}", value):
            errors.append(
                BriefError(
                    path,
                    line_for(lines, ("color", key)) or line_for(lines, ("color",)),
                    f"brand: color.{key} must be a #RRGGBB colour (or a palette name)",
                    "set it under color:",
                )
            )
    for key, value in colors.items():  # each goes into CSS as it is: a colour, and nothing after it
        if (
            key not in ("primary", "foreground", "background")
            and isinstance(value, str)
            and not CSS_COLOR.fullmatch(value)
        ):
            errors.append(
                BriefError(
                    path,
                    line_for(lines, ("color", key)) or line_for(lines, ("color",)),
                    f"brand: color.{key} is not a colour: {value[:40]!r}",
                    "write a #RRGGBB colour or a palette name",
                )
            )
    return {k: v for k, v in colors.items() if isinstance(v, str)}


CSS_COLOR = re.compile(r"#[0-9A-Fa-f]{3,8}|[A-Za-z]+|(?:rgb|rgba|hsl|hsla)\([\d\s.,%/]+\)")


def brand_logo(spec: BrandYml, path: Path, lines, errors: list) -> Path:
    small = spec.logo.small if spec.logo and not isinstance(spec.logo, str) else spec.logo
    logo_path = getattr(small, "path", small)
    where = line_for(lines, ("logo",))
    if logo_path is None:
        errors.append(BriefError(path, where, "brand: no logo", "set logo.small to an SVG or PNG file"))
        return path.parent / "missing-logo"
    named = str(getattr(logo_path, "root", logo_path))
    resolved = inside_brand_folder(path, named, "logo", where, errors)
    if resolved is None:
        return path.parent / "missing-logo"
    if not resolved.is_file():
        errors.append(
            BriefError(
                path,
                where,
                f"brand: logo file not found: {resolved.name}",
                f"put it in {path.parent.name}/ or fix logo.small",
            )
        )
        return resolved
    problem = logo_problem(resolved)
    if problem:
        errors.append(BriefError(path, where, f"brand: logo {named}: {problem}", LOGO_FIX))
    return resolved


LOGO_FIX = "use a PNG, or an SVG of shapes and text only"
MAX_LOGO = 2 * 1024 * 1024  # bytes; a wordmark is a few KB


def logo_problem(logo: Path) -> str:
    """Why a logo cannot be shipped in every edition: not an SVG or PNG, too big, or an SVG that
    could run or fetch something (editions carry it verbatim; the README promises no script)."""
    try:
        data = read_regular_file(logo, MAX_LOGO)
    except ValueError as err:
        return str(err).split("|")[0]
    if len(data) > MAX_LOGO:
        return f"larger than {MAX_LOGO // (1024 * 1024)} MiB"
    if logo.suffix.lower() == ".png":
        return "" if data.startswith(b"\x89PNG\r\n\x1a\n") else "not a PNG file"
    if logo.suffix.lower() == ".svg":
        return svg_problem(data)
    return "not an SVG or PNG file"


def inside_brand_folder(path: Path, named: str, what: str, line: int | None, errors: list) -> Path | None:
    """The file a brand path names, if it is inside the brand's folder once symbolic links are
    followed: a brand file must not ship /etc/... in an EPUB, or widen what WeasyPrint may read."""
    folder = path.parent.resolve()
    resolved = (folder / named).resolve()
    if resolved.is_relative_to(folder):
        return resolved
    errors.append(
        BriefError(
            path,
            line,
            f"brand: {what} {named} is outside the brand's folder {path.parent.name}/",
            f"copy the file into {path.parent.name}/ and name it from there",
        )
    )
    return None


def brand_fonts(spec: BrandYml, path: Path, lines, errors: list) -> tuple[FontFace, ...]:
    faces: list[FontFace] = []
    for number, font in enumerate((spec.typography.fonts if spec.typography else []) or []):
        if font.source == "system":
            found = pip_font_faces(font.family) or fontsource_faces(font.family)
        elif font.source == "file" and font.files:
            where = ("typography", "fonts", str(number), "files")
            files = [
                font_file(path, str(f.path.root), line_for(lines, (*where, str(n), "path")), errors)
                for n, f in enumerate(font.files)
            ]
            faces.extend(
                FontFace(font.family, resolved, face_weight(f.weight.root), str(f.style))
                for f, resolved in zip(font.files, files, strict=True)
                if resolved is not None
            )
            continue  # each file that cannot be used is reported at its own line
        else:
            found = []
        missing = [f.path for f in found if not f.path.is_file()]
        if not found or missing:
            errors.append(
                BriefError(
                    path,
                    line_for(lines, ("typography", "fonts")),
                    f"brand: font '{font.family}' not found",
                    f"pip install font-{slug(font.family)}, add @fontsource/{slug(font.family)} to tools/package.json"
                    " and run ./setup.sh, or use source: file with local files",
                )
            )
        faces.extend(found)
    return tuple(faces)


def font_file(path: Path, named: str, line: int | None, errors: list) -> Path | None:
    """The font file a brand names, if it is inside the brand's folder and is a font file."""
    resolved = inside_brand_folder(path, named, "font", line, errors)
    if resolved is None:
        return None
    folder = path.parent.name
    if not resolved.is_file():
        errors.append(
            BriefError(path, line, f"brand: font file not found: {named}", f"put it in {folder}/ or fix its path")
        )
        return None
    problem = font_problem(resolved)
    if problem:
        errors.append(
            BriefError(path, line, f"brand: font {named}: {problem}", "use a .ttf, .otf, .woff or .woff2 font file")
        )
        return None
    return resolved


FONT_SIGNATURES = (b"\x00\x01\x00\x00", b"true", b"OTTO", b"ttcf", b"wOFF", b"wOF2")


def font_problem(font: Path) -> str:
    """Why a file cannot be a font, from its first bytes and its table directory (a font's tables
    must lie inside the file): found here, not once in each edition that loads it."""
    try:
        with font.open("rb") as file:
            head = file.read(12)
            size = font.stat().st_size
            if head[:4] not in FONT_SIGNATURES:
                return "not a TrueType, OpenType or WOFF font"
            if head[:4] in (b"wOFF", b"wOF2"):
                return "" if int.from_bytes(head[8:12], "big") == size else "cut short"
            if head[:4] == b"ttcf":
                return ""
            tables = int.from_bytes(head[4:6], "big")
            directory = file.read(16 * tables)
    except OSError as err:
        return f"cannot be read: {err.strerror}"
    if len(directory) < 16 * tables or not tables:
        return "cut short"
    ends = (
        int.from_bytes(directory[n + 8 : n + 12], "big") + int.from_bytes(directory[n + 12 : n + 16], "big")
        for n in range(0, len(directory), 16)
    )
    return "cut short" if max(ends) > size else ""


def face_weight(weight) -> int:
    """A font file's weight as a number: brand.yml allows 400, a name (`bold`), `auto` (its
    default, the file's own weight: taken as normal) and a range `100..900` (a variable font: its
    lower end, the weight CSS matches it from)."""
    if isinstance(weight, tuple):
        weight = weight[0]
    if isinstance(weight, int):
        return weight
    return font_weight_map.get(str(weight), 400)


def mono_family(spec: BrandYml, declared: set[str], path: Path, lines, errors: list) -> str:
    """typography.monospace's family, declared under typography.fonts like the others (a family
    the brand declares no files for would come from the machine)."""
    mono = spec.typography.monospace if spec.typography else None
    family = mono.family if mono and mono.family else ""
    if family and family not in declared:
        errors.append(
            BriefError(
                path,
                line_for(lines, ("typography", "monospace")),
                f"brand: typography.monospace.family '{family}' is not declared",
                "add it to typography.fonts with its files",
            )
        )
    return family


def fallback_fonts(
    own: dict, declared: set[str], path: Path, lines, errors: list
) -> tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]:
    """meta.briefpress.fallback-fonts and language-fonts: families declared under typography.fonts."""
    where = ("meta", "briefpress")
    listed = own.get("fallback-fonts")
    fallbacks = tuple(listed) if isinstance(listed, list) and all(isinstance(f, str) for f in listed) else ()
    by_language: list[tuple[str, tuple[str, ...]]] = []
    mapping = own.get("language-fonts")
    for code, families in mapping.items() if isinstance(mapping, dict) else ():
        if not isinstance(families, list) or not all(isinstance(f, str) for f in families):
            errors.append(
                BriefError(
                    path,
                    line_for(lines, where + ("language-fonts", str(code))),
                    f"brand: meta.briefpress.language-fonts.{code} must be a list of families",
                    "write [Family One, Family Two]",
                )
            )
            continue
        by_language.append((str(code).lower(), tuple(families)))
    for family in sorted({*fallbacks, *(f for _, fs in by_language for f in fs)} - declared):
        errors.append(
            BriefError(
                path,
                line_for(lines, where + ("fallback-fonts",)) or line_for(lines, where + ("language-fonts",)),
                f"brand: fallback font '{family}' is not declared",
                "add it to typography.fonts with its files",
            )
        )
    return fallbacks, tuple(by_language)


def start_overhangs(own: dict, declared: set[str], path: Path, lines, errors: list) -> tuple[tuple[str, str], ...]:
    """meta.briefpress.start-overhang: for a family declared under typography.fonts, how far its
    letters reach past the side a line starts on, in em (0.4em)."""
    where = ("meta", "briefpress", "start-overhang")
    mapping = own.get("start-overhang")
    found: list[tuple[str, str]] = []
    for family, length in mapping.items() if isinstance(mapping, dict) else ():
        at = line_for(lines, (*where, str(family)))
        if str(family) not in declared:
            errors.append(
                BriefError(
                    path, at, f"brand: start-overhang font '{family}' is not declared", "add it to typography.fonts"
                )
            )
        elif not isinstance(length, str) or not EM_LENGTH.match(length):
            errors.append(
                BriefError(
                    path,
                    at,
                    f"brand: meta.briefpress.start-overhang.{family} must be a length in em",
                    "write it as a share of the font size, such as 0.4em",
                )
            )
        else:
            found.append((str(family), length))
    return tuple(found)


def pip_font_faces(family: str) -> list[FontFace]:
    """Find a family's faces in its pip package, e.g. font_source_serif_pro/files."""
    spec = importlib.util.find_spec("font_" + slug(family).replace("-", "_"))
    if spec is None or not spec.submodule_search_locations:
        return []
    folder = Path(list(spec.submodule_search_locations)[0]) / "files"
    stem = family.replace(" ", "")
    return [
        FontFace(family, folder / f"{stem}-{suffix}.ttf", weight, style)
        for suffix, (weight, style) in FACES.items()
        if (folder / f"{stem}-{suffix}.ttf").is_file()
    ]


# The pinned npm font packages (tools/package-lock.json; ./setup.sh installs them).
FONTSOURCE = Path(__file__).resolve().parents[1] / "tools" / "node_modules" / "@fontsource"
SHARED_SUBSETS = {
    "latin",
    "latin-ext",
    "cyrillic",
    "cyrillic-ext",
    "greek",
    "greek-ext",
    "vietnamese",
    "math",
    "symbols",
}


def fontsource_faces(family: str) -> list[FontFace]:
    """A family's faces from its fontsource package, e.g. @fontsource/noto-serif-tamil: the WOFF2
    files of its own script (the package splits each face by script), regular and bold; a Latin
    family's (@fontsource/source-code-pro) Latin files."""
    folder = FONTSOURCE / slug(family)
    try:
        subsets = json.loads((folder / "metadata.json").read_text(encoding="utf-8")).get("subsets", [])
    except (OSError, ValueError, AttributeError):
        return []
    scripts = [name for name in subsets if name not in SHARED_SUBSETS] or ["latin"] * ("latin" in subsets)
    if not scripts:
        return []
    files = folder / "files"
    return [
        FontFace(family, path, weight, style)
        for weight in (400, 700)
        for style in ("normal", "italic")
        if (path := files / f"{slug(family)}-{scripts[0]}-{weight}-{style}.woff2").is_file()
    ]


def slug(family: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", family.lower()).strip("-")
