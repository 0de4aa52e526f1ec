"""Draw the EPUB cover image with Pillow: brand band, series, title, subtitle, authors."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageColor, ImageDraw, ImageFont

from briefpress.fonts import face_codepoints
from briefpress.records import Brand

WIDTH, HEIGHT = 1600, 2400
MARGIN = 150
TEXT_WIDTH = WIDTH - 2 * MARGIN
BAND = 540  # height of the coloured band at the top
TITLE_TOP, TEXT_BOTTOM = 850, 1770  # title and subtitle stay between these
FOOT = 2250  # top of the footer strip
DEFAULT_COLORS = {
    "primary": "#7A1F2B",
    "accent": "#C8963E",
    "foreground": "#1E1E1E",
    "background": "#FFFFFF",
    "muted": "#5F5F5F",
    "tint": "#F3ECE3",
}
ALIASES = {"accent": ("tertiary",), "muted": ("secondary",), "tint": ("light",)}  # brand.yml names
ELLIPSIS = "\u2026"


def render_cover(*, title: str, subtitle: str, authors: tuple[str, ...], series_label: str, brand: Brand) -> bytes:
    """Draw the EPUB cover as PNG bytes (1600x2400), the same bytes for the same input."""
    colors = _palette(brand)
    bold = _face_path(brand, brand.heading_font, 700)
    regular = _face_path(brand, brand.base_font, 400)
    image = Image.new("RGB", (WIDTH, HEIGHT), colors["background"])
    draw = ImageDraw.Draw(image)
    _draw_band(draw, brand, colors, bold, _face_path(brand, brand.heading_font, 400))
    words = " ".join((title, subtitle, *authors))
    _draw_titles(
        draw,
        title,
        subtitle,
        series_label,
        colors,
        _script_face(brand, brand.heading_font, 700, words) or bold,
        _script_face(brand, brand.base_font, 400, words) or regular,
        label_face=bold,
    )
    _draw_authors(draw, authors, colors, _script_face(brand, brand.base_font, 400, words) or regular)
    _draw_foot(draw, brand, colors, bold)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)  # no pnginfo: no text chunks, no time
    return out.getvalue()


def _palette(brand: Brand) -> dict[str, tuple[int, ...]]:
    """Resolve the brand colours (or their brand.yml aliases) to RGB, else the defaults."""
    given = brand.colors or {}
    palette: dict[str, tuple[int, ...]] = {}
    for slot, fallback in DEFAULT_COLORS.items():
        for value in [given.get(k) for k in (slot, *ALIASES.get(slot, ()))] + [fallback]:
            try:
                palette[slot] = ImageColor.getrgb(str(value))
                break
            except ValueError:
                continue
    return palette


def _face_path(brand: Brand, family: str, weight: int) -> Path | None:
    """Return the upright face of the family nearest to the weight, if any."""
    faces = [f for f in brand.fonts if f.family == family and f.style == "normal"]
    faces.sort(key=lambda f: (abs(f.weight - weight), str(f.path)))
    return faces[0].path if faces else None


def _script_face(brand: Brand, family: str, weight: int, text: str) -> Path | None:
    """The face for words the family lacks characters for (an Urdu title): Pillow draws a text in
    one font, so the one of the family and the brief's fallbacks that covers most of it."""
    chars = {ord(c) for c in text if not c.isspace()}
    families = (family, *brand.fallback_fonts)
    paths = [path for name in families if (path := _face_path(brand, name, weight))]
    if not paths or chars <= face_codepoints(paths[0]):
        return None
    return max(paths, key=lambda path: len(chars & face_codepoints(path)))


def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Load the font at the size, or Pillow's default font when there is none."""
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size)


def _draw_band(draw: ImageDraw.ImageDraw, brand: Brand, colors: dict, bold, regular) -> None:
    """Draw the top band with the short name, the full name and a gold rule."""
    draw.rectangle((0, 0, WIDTH, BAND), fill=colors["primary"])
    mark = _font(bold, 170)
    draw.text((MARGIN, 300), brand.short_name, font=mark, fill="#FFFFFF", anchor="ls")
    rule = min(max(mark.getlength(brand.short_name), 120), TEXT_WIDTH)
    draw.rectangle((MARGIN, 335, MARGIN + rule, 343), fill=colors["accent"])
    name = _font(regular, 46)
    for i, line in enumerate(_clip(_wrap(brand.name, name, TEXT_WIDTH), 2, name, TEXT_WIDTH)):
        draw.text((MARGIN, 420 + i * 58), line, font=name, fill="#FFFFFF", anchor="ls")
    draw.rectangle((0, BAND, WIDTH, BAND + 18), fill=colors["accent"])


def _draw_titles(
    draw: ImageDraw.ImageDraw, title: str, subtitle: str, series_label: str, colors: dict, bold, regular, *, label_face
) -> None:
    """Draw the series label, the title fitted to six lines and the subtitle."""
    label = _font(label_face, 40)
    x: float = MARGIN
    for char in series_label.upper():  # tracked capitals, stopped at the margin
        if x + label.getlength(char) > WIDTH - MARGIN:
            break
        draw.text((x, 720), char, font=label, fill=colors["primary"], anchor="ls")
        x += label.getlength(char) + 6
    draw.rectangle((MARGIN, 760, MARGIN + 110, 766), fill=colors["accent"])
    sub = _font(regular, 54)
    sub_lines = _clip(_wrap(subtitle, sub, TEXT_WIDTH), 3, sub, TEXT_WIDTH)
    font, lines = _fit_title(title, bold, TEXT_BOTTOM - TITLE_TOP - 72 * len(sub_lines))
    y = TITLE_TOP
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=colors["foreground"], anchor="la")
        y += round(font.size * 1.18)
    for line in sub_lines:
        draw.text((MARGIN, y + 30), line, font=sub, fill=colors["muted"], anchor="la")
        y += 72


def _draw_authors(draw: ImageDraw.ImageDraw, authors: tuple[str, ...], colors: dict, regular) -> None:
    """Draw the author names bottom-aligned above the footer, one a line when they fit."""
    if not authors:
        return
    font = _font(regular, 60)
    lines = list(authors)
    if len(authors) > 3 or any(font.getlength(name) > TEXT_WIDTH for name in authors):
        joined = ", ".join(authors[:-1]) + " and " + authors[-1] if len(authors) > 1 else authors[0]
        lines = _clip(_wrap(joined, font, TEXT_WIDTH), 3, font, TEXT_WIDTH)
    top = FOOT - 110 - 78 * len(lines)
    draw.rectangle((MARGIN, top - 50, MARGIN + 110, top - 46), fill=colors["muted"])
    for i, line in enumerate(lines):
        draw.text((MARGIN, top + i * 78), line, font=font, fill=colors["foreground"], anchor="la")


def _draw_foot(draw: ImageDraw.ImageDraw, brand: Brand, colors: dict, bold) -> None:
    """Draw the footer strip with the institute's name."""
    draw.rectangle((0, FOOT, WIDTH, HEIGHT), fill=colors["tint"])
    draw.rectangle((0, FOOT, WIDTH, FOOT + 6), fill=colors["primary"])
    font = _font(bold, 38)
    for line in _clip(_wrap(brand.name, font, TEXT_WIDTH), 1, font, TEXT_WIDTH):
        draw.text((WIDTH // 2, (FOOT + HEIGHT) // 2 + 3), line, font=font, fill=colors["primary"], anchor="mm")


def _fit_title(title: str, path: Path | None, height: int):
    """Pick the largest title font that wraps into six lines within the height."""
    for size in range(124, 71, -8):
        font = _font(path, size)
        lines = _wrap(title, font, TEXT_WIDTH)
        if len(lines) <= 6 and len(lines) * round(size * 1.18) <= height:
            return font, lines
    return font, _clip(lines, max(1, height // round(size * 1.18)), font, TEXT_WIDTH)


def _wrap(text: str, font, width: float) -> list[str]:
    """Word-wrap text to the width, breaking words that do not fit on a line."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        for piece in _split_word(word, font, width):
            trial = f"{line} {piece}" if line else piece
            if line and font.getlength(trial) > width:
                lines.append(line)
                trial = piece
            line = trial
    return lines + [line] if line else lines


def _split_word(word: str, font, width: float) -> list[str]:
    """Break a word into pieces that each fit the width."""
    pieces = [""]
    for char in word:
        if pieces[-1] and font.getlength(pieces[-1] + char) > width:
            pieces.append("")
        pieces[-1] += char
    return pieces


def _clip(lines: list[str], max_lines: int, font, width: float) -> list[str]:
    """Keep at most max_lines wrapped lines, ending the last with an ellipsis if cut."""
    if len(lines) <= max_lines:
        return lines
    last = lines[max_lines - 1]
    while " " in last and font.getlength(last + ELLIPSIS) > width:
        last = last.rsplit(" ", 1)[0]
    while last and font.getlength(last + ELLIPSIS) > width:
        last = last[:-1]
    return lines[: max_lines - 1] + [last.rstrip(" ,;:") + ELLIPSIS]
