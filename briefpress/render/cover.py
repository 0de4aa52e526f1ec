"""Draw the pictures of a brief with Pillow, from the brand and the title: the EPUB cover
(portrait) and the web edition's social card (landscape, for link previews)."""

from __future__ import annotations

import functools
import io
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from PIL import Image, ImageColor, ImageDraw, ImageFont, features

from briefpress.errors import BriefError
from briefpress.records import Brand
from briefpress.render.fonts.fit import face_codepoints

WIDTH, HEIGHT = 1600, 2400
MARGIN = 150
TEXT_WIDTH = WIDTH - 2 * MARGIN
BAND = 540  # height of the coloured band at the top
TITLE_TOP, TEXT_BOTTOM = 850, 1770  # title and subtitle stay between these
FOOT = 2250  # top of the footer strip
CARD_WIDTH, CARD_HEIGHT = 1200, 630  # Open Graph's and Twitter's large image
CARD_BAND = 340  # width of the brand's column on the card
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
RTL_CLASSES = {"R", "AL"}  # Unicode bidirectional classes of right-to-left letters
NEUTRAL_CLASSES = {"WS", "ON", "CS", "ES", "ET", "B", "S", "BN", "NSM"}  # stay in the run they are in


def render_cover(
    *, title: str, subtitle: str, authors: tuple[str, ...], series_label: str, brand: Brand, direction: str = "ltr"
) -> bytes:
    """Draw the EPUB cover as PNG bytes (1600x2400), the same bytes for the same input."""
    colors = _palette(brand)
    bold = _face_path(brand, brand.heading_font, 700)
    image = Image.new("RGB", (WIDTH, HEIGHT), colors["background"])
    draw = ImageDraw.Draw(image)
    _draw_band(draw, brand, colors, bold, _face_path(brand, brand.heading_font, 400))
    column = Column(MARGIN, WIDTH - MARGIN, direction)
    heading = _stack(brand, brand.heading_font, 700)
    body = _stack(brand, brand.base_font, 400)
    _draw_tracked(draw, series_label.upper(), _font(bold, 40), column, 720, colors["primary"])
    draw.rectangle(column.box(0, 760, 110, 766), fill=colors["accent"])
    sub = Type(body, 54)
    sub_lines = _clip(_wrap(subtitle, sub, TEXT_WIDTH), 3, sub, TEXT_WIDTH)
    room = TEXT_BOTTOM - TITLE_TOP - 72 * len(sub_lines)
    font, lines = _fit_title(title, heading, TEXT_WIDTH, room, range(124, 71, -8), 6)
    y = _draw_lines(draw, lines, font, column, TITLE_TOP, colors["foreground"])
    _draw_lines(draw, sub_lines, sub, column, y + 30, colors["muted"], pitch=72)
    _draw_authors(draw, authors, colors, Type(body, 60), column)
    _draw_foot(draw, brand, colors, bold)
    return _png(image)


def render_card(
    *, title: str, authors: str, date: str, series_label: str, brand: Brand, direction: str = "ltr"
) -> bytes:
    """Draw the social card of the web edition (1200x630 PNG): the brand's column, the series,
    the title fitted to four lines, the authors and the date; mirrored right to left."""
    width, height = CARD_WIDTH, CARD_HEIGHT
    colors = _palette(brand)
    bold = _face_path(brand, brand.heading_font, 700)
    image = Image.new("RGB", (width, height), colors["background"])
    draw = ImageDraw.Draw(image)
    rtl = direction == "rtl"
    band = (width - CARD_BAND, 0, width, height) if rtl else (0, 0, CARD_BAND, height)
    draw.rectangle(band, fill=colors["primary"])
    stripe = band[0] - 12 if rtl else band[2]
    draw.rectangle((stripe, 0, stripe + 12, height), fill=colors["accent"])
    inside = Column(band[0] + 48, band[2] - 48, "ltr")  # the brand's own words read left to right
    mark = _font(bold, 92)
    draw.text((inside.start, 150), brand.short_name, font=mark, fill="#FFFFFF", anchor="ls")
    rule = min(max(mark.getlength(brand.short_name), 80), inside.width)
    draw.rectangle((inside.start, 178, inside.start + rule, 184), fill=colors["accent"])
    name = Type(_stack(brand, brand.heading_font, 400), 30)
    _draw_lines(draw, _clip(_wrap(brand.name, name, inside.width), 4, name, inside.width), name, inside, 220, "#FFFFFF")
    host = urlsplit(brand.home_url).hostname or ""
    site = _font(_face_path(brand, brand.heading_font, 400), 24)
    if host and site.getlength(host.removeprefix("www.")) <= inside.width:
        draw.text((inside.start, height - 56), host.removeprefix("www."), font=site, fill=colors["tint"], anchor="ls")
    column = Column(64 + (0 if rtl else CARD_BAND + 12), width - 64 - (CARD_BAND + 12 if rtl else 0), direction)
    _draw_tracked(draw, series_label.upper(), _font(bold, 26), column, 96, colors["primary"])
    draw.rectangle(column.box(0, 118, 90, 123), fill=colors["accent"])
    by = Type(_stack(brand, brand.base_font, 400), 30)
    by_lines = _byline(authors, date, by, column.width)
    bottom = height - 56 - 44 * len(by_lines)
    heading = _stack(brand, brand.heading_font, 700)
    font, lines = _fit_title(title, heading, column.width, bottom - 40 - 160, range(68, 35, -4), 4)
    _draw_lines(draw, lines, font, column, 160, colors["foreground"])
    if by_lines:
        draw.rectangle(column.box(0, bottom - 8, 90, bottom - 5), fill=colors["muted"])
        _draw_lines(draw, by_lines, by, column, bottom + 14, colors["muted"], pitch=44)
    return _png(image)


def _byline(authors: str, date: str, font: Type, width: int) -> list[str]:
    """The authors and the date on one line when they fit, else the date on a line of its own."""
    line = " \u00b7 ".join(filter(None, (authors, date)))
    if font.getlength(line) <= width:
        return [line] if line else []
    return _clip(_wrap(authors, font, width), 2, font, width) + ([date] if date else [])


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)  # no pnginfo: no text chunks, no time
    return out.getvalue()


class Column:
    """Where lines go: between start and end, from the side a line of the direction starts."""

    def __init__(self, start: int, end: int, direction: str):
        self.start, self.end, self.rtl = start, end, direction == "rtl"
        self.width = end - start

    def x(self, offset: float, length: float) -> float:
        """The left edge of something length wide, offset from the side lines start."""
        return self.end - offset - length if self.rtl else self.start + offset

    def box(self, offset: float, top: int, length: float, bottom: int) -> tuple[float, int, float, int]:
        left = self.x(offset, length)
        return (left, top, left + length, bottom)


class Type:
    """Text at one size in a stack of faces: the family's, then the fallbacks for characters it
    lacks. Pillow draws a string in one font, so a line is cut into runs of one face each."""

    def __init__(self, paths: tuple[Path, ...], size: int):
        self.size = size
        self.fonts = [_font(path, size) for path in paths] or [_font(None, size)]
        self.covers: list[frozenset[int] | None] = [face_codepoints(path) for path in paths] or [None]

    def runs(self, text: str) -> list[tuple[ImageFont.FreeTypeFont | ImageFont.ImageFont, str]]:
        """The text in runs of one face each; spaces and punctuation stay with the run they are in."""
        runs: list[list] = []
        for char in text:
            index = self._face_for(char, runs[-1][0] if runs else None)
            if runs and runs[-1][0] == index:
                runs[-1][1] += char
            else:
                runs.append([index, char])
        return [(self.fonts[index], part) for index, part in runs]

    def _face_for(self, char: str, current: int | None) -> int:
        code = ord(char)
        if current is not None and unicodedata.bidirectional(char) in NEUTRAL_CLASSES and self._has(current, code):
            return current
        return next((i for i in range(len(self.fonts)) if self._has(i, code)), 0)  # else the box (fonts.py warned)

    def _has(self, index: int, code: int) -> bool:
        cover = self.covers[index]
        return cover is None or code in cover

    def getlength(self, text: str) -> float:
        """The text's advance, like a Pillow font's."""
        return sum(_advance(font, part) for font, part in self.runs(text))

    def ink(self, text: str) -> tuple[int, int]:
        """How far the text's ink reaches above and below its baseline."""
        above, below = 0, 0
        for font, part in self.runs(text):
            _, top, _, bottom = _bbox(font, part)
            above, below = max(above, -int(top)), max(below, int(bottom))
        return above, below

    def draw(self, draw: ImageDraw.ImageDraw, column: Column, baseline: int, text: str, fill) -> None:
        """Draw one line at the column's starting side; a right-to-left line's runs go leftwards."""
        rtl = first_strong_rtl(text)
        if rtl and not features.check("raqm"):  # Pillow would silently draw the letters unjoined, left to right
            raise BriefError(
                None, None, "Pillow cannot lay out right-to-left text", "run ./setup.sh: it installs libfribidi0"
            )
        runs = [(font, part, _advance(font, part)) for font, part in self.runs(text)]
        total = sum(length for _, _, length in runs)
        left, done = column.x(0, total), 0.0
        for font, part, length in runs:
            x = left + total - done - length if rtl else left + done
            draw.text((x, baseline), part, font=font, fill=fill, anchor="ls", direction="rtl" if rtl else None)
            done += length


@functools.lru_cache(maxsize=4096)
def _advance(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> float:
    """A run's advance, shaped once: raqm takes some 20 ms for a line of Nastaliq."""
    return font.getlength(text)


@functools.lru_cache(maxsize=4096)
def _bbox(font: ImageFont.FreeTypeFont | ImageFont.ImageFont, text: str) -> tuple[float, float, float, float]:
    return font.getbbox(text, anchor="ls")


def first_strong_rtl(text: str) -> bool:
    """Whether the text's first letter with a direction is right to left (the paragraph's direction, UAX 9 P2)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in RTL_CLASSES:
            return True
        if kind == "L":
            return False
    return False


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


def _stack(brand: Brand, family: str, weight: int) -> tuple[Path, ...]:
    """The family's face nearest the weight, then each fallback family's (the brief's, after fonts.py
    narrowed the brand to what its text needs): an Urdu title is drawn in Nastaliq by path."""
    paths = (_face_path(brand, name, weight) for name in (family, *brand.fallback_fonts))
    return tuple(dict.fromkeys(path for path in paths if path))


@functools.lru_cache(maxsize=128)
def _font(path: Path | None, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Load the font at the size, or Pillow's default font when there is none (once: FreeType
    unpacks a WOFF2 fallback face on every load)."""
    return ImageFont.truetype(str(path), size) if path else ImageFont.load_default(size)


def _draw_band(draw: ImageDraw.ImageDraw, brand: Brand, colors: dict, bold, regular) -> None:
    """Draw the cover's top band with the short name, the full name and a gold rule."""
    draw.rectangle((0, 0, WIDTH, BAND), fill=colors["primary"])
    mark = _font(bold, 170)
    draw.text((MARGIN, 300), brand.short_name, font=mark, fill="#FFFFFF", anchor="ls")
    rule = min(max(mark.getlength(brand.short_name), 120), TEXT_WIDTH)
    draw.rectangle((MARGIN, 335, MARGIN + rule, 343), fill=colors["accent"])
    name = _font(regular, 46)
    for i, line in enumerate(_clip(_wrap(brand.name, name, TEXT_WIDTH), 2, name, TEXT_WIDTH)):
        draw.text((MARGIN, 420 + i * 58), line, font=name, fill="#FFFFFF", anchor="ls")
    draw.rectangle((0, BAND, WIDTH, BAND + 18), fill=colors["accent"])


def _draw_tracked(draw: ImageDraw.ImageDraw, label: str, font, column: Column, baseline: int, fill) -> None:
    """Draw tracked capitals (the series label) from the column's starting side, stopped at its end."""
    chars: list[tuple[str, float]] = []
    used = 0.0
    for char in label:
        if used + font.getlength(char) > column.width:
            break
        chars.append((char, used))
        used += font.getlength(char) + 6
    left = column.x(0, used - 6 if chars else 0)  # the label reads left to right on either side
    for char, offset in chars:
        draw.text((left + offset, baseline), char, font=font, fill=fill, anchor="ls")


def _draw_lines(draw, lines: list[str], font: Type, column: Column, top: int, fill, *, pitch: int = 0) -> int:
    """Draw lines from top, a pitch apart (else the type's own); return the y below the last one."""
    pitch = pitch or line_pitch(font, lines)
    first = font.fonts[0]
    ascent = first.getmetrics()[0] if isinstance(first, ImageFont.FreeTypeFont) else 0
    baseline = top + max([ascent, *(font.ink(line)[0] for line in lines)])
    for line in lines:
        font.draw(draw, column, baseline, line, fill)
        baseline += pitch
    return top + pitch * len(lines)


def line_pitch(font: Type, lines: list[str]) -> int:
    """Baseline to baseline: 1.18 of the size, or more for a script whose ink reaches further
    above and below its baseline (Nastaliq's does)."""
    inks = [font.ink(line) for line in lines] or [(0, 0)]
    return max(round(font.size * 1.18), max(a for a, _ in inks) + max(b for _, b in inks) + round(font.size * 0.2))


def _draw_authors(draw: ImageDraw.ImageDraw, authors: tuple[str, ...], colors: dict, font: Type, column) -> None:
    """Draw the author names bottom-aligned above the cover's footer, one a line when they fit."""
    if not authors:
        return
    lines = list(authors)
    if len(authors) > 3 or any(font.getlength(name) > TEXT_WIDTH for name in authors):
        lines = _clip(_wrap(joined(authors), font, TEXT_WIDTH), 3, font, TEXT_WIDTH)
    pitch = max(78, line_pitch(font, lines))
    top = FOOT - 110 - pitch * len(lines)
    draw.rectangle(column.box(0, top - 50, 110, top - 46), fill=colors["muted"])
    _draw_lines(draw, lines, font, column, top, colors["foreground"], pitch=pitch)


def joined(names: tuple[str, ...]) -> str:
    """A, B and C."""
    return ", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else "".join(names)


def _draw_foot(draw: ImageDraw.ImageDraw, brand: Brand, colors: dict, bold) -> None:
    """Draw the cover's footer strip with the institute's name."""
    draw.rectangle((0, FOOT, WIDTH, HEIGHT), fill=colors["tint"])
    draw.rectangle((0, FOOT, WIDTH, FOOT + 6), fill=colors["primary"])
    font = _font(bold, 38)
    for line in _clip(_wrap(brand.name, font, TEXT_WIDTH), 1, font, TEXT_WIDTH):
        draw.text((WIDTH // 2, (FOOT + HEIGHT) // 2 + 3), line, font=font, fill=colors["primary"], anchor="mm")


def _fit_title(
    title: str, paths: tuple[Path, ...], width: int, height: int, sizes: range, most: int
) -> tuple[Type, list[str]]:
    """Pick the largest title size that wraps into at most `most` lines within the width and height."""
    for size in sizes:
        font = Type(paths, size)
        lines = _wrap(title, font, width)
        if len(lines) <= most and len(lines) * line_pitch(font, lines) <= height:
            return font, lines
    return font, _clip(lines, max(1, min(most, height // line_pitch(font, lines))), font, width)


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
    if font.getlength(word) <= width:  # nearly always: shaping it letter by letter is slow in Nastaliq
        return [word]
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
    return lines[: max_lines - 1] + [last.rstrip(" ,;:،") + ELLIPSIS]
