"""Link-preview cards: the 1200×630 image that WhatsApp, Facebook or a mail program
shows under a shared link (Open Graph's ``og:image``). Pure: texts in, PNG bytes out;
no Flask, no database.

A card is drawn once per content: ``png`` keeps the images it drew by their texts, and
``Card.version`` (a hash of the same texts) is the image's ETag and the ``v`` of its
address, so that a changed title or date makes a new image, which the apps that keep
images by address then fetch again. A card holds what the page shows everyone (a title,
a quartier, dates, a place), never a person.

The font is DejaVu Sans, shipped in ``static/fonts`` so that a card looks the same on
every machine. Arabic letters are joined and ordered by libraqm when Pillow finds it;
without it they are drawn one by one, in the order typed.
"""

from __future__ import annotations

import hashlib
import io
import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont, features

WIDTH, HEIGHT = 1200, 630
#: Space left and right of the text.
MARGIN = 60
FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
#: The site's colours (static/css/civic.css): white on the brand's blue is 8.6:1.
BRAND, INK, MUTED, PAPER = "#1d4e89", "#1b1f24", "#4a5360", "#ffffff"
#: Title sizes tried in turn until the title fits in the room the lines leave.
TITLE_SIZES = (76, 66, 56)
TITLE_TOP = 150
LINE_SIZE = 38
LINE_STEP = int(LINE_SIZE * 1.35)
#: Where the footer starts: the title and the lines stay above it.
FOOTER_TOP = HEIGHT - 70
#: Cards kept in memory, per process.
CACHED = 256
ELLIPSIS = "…"


@dataclass(frozen=True)
class Card:
    """The texts of one card, in the language it is drawn in."""

    #: What kind of page it is, in the band at the top (« Événement »).
    label: str
    title: str
    #: Up to three short lines under the title: quartier, dates, place.
    lines: tuple[str, ...] = ()
    #: The site's address, at the bottom.
    footer: str = ""

    @property
    def version(self) -> str:
        """A hash of the texts: the same texts, the same image."""
        texts = json.dumps([self.label, self.title, list(self.lines), self.footer],
                           ensure_ascii=False)
        return hashlib.sha256(texts.encode()).hexdigest()[:16]


def _layout() -> ImageFont.Layout:
    return ImageFont.Layout.RAQM if features.check("raqm") else ImageFont.Layout.BASIC


@lru_cache(maxsize=16)
def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size, layout_engine=_layout())


def right_to_left(text: str) -> bool:
    """Whether the first letter that has a direction reads right to left (Arabic,
    Hebrew): the line is then aligned on the right."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False


def _fits(font: ImageFont.FreeTypeFont, text: str, width: int) -> bool:
    return font.getlength(text) <= width


def _shorten(font: ImageFont.FreeTypeFont, text: str, width: int) -> str:
    """``text`` cut at a word (or a letter) with an ellipsis, to fit ``width``."""
    if _fits(font, text, width):
        return text
    words = text.split()
    while len(words) > 1:
        words.pop()
        candidate = " ".join(words).rstrip(",;:—–-") + ELLIPSIS
        if _fits(font, candidate, width):
            return candidate
    letters = text
    while letters and not _fits(font, letters + ELLIPSIS, width):
        letters = letters[:-1]
    return letters + ELLIPSIS


def wrap(font: ImageFont.FreeTypeFont, text: str, width: int) -> list[str]:
    """Lines of ``text`` no wider than ``width``, cut between words (inside a word too
    long for a line)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if _fits(font, candidate, width):
            current = candidate
            continue
        if current:
            lines.append(current)
        while not _fits(font, word, width):
            cut = len(word) - 1
            while cut > 1 and not _fits(font, word[:cut], width):
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines


def _step(font: ImageFont.FreeTypeFont) -> int:
    return int(font.size * 1.2)


def _title_lines(title: str, width: int, height: int
                 ) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest title size whose lines fit in ``height``; at the smallest, the lines
    that fit, the last one shortened."""
    for size in TITLE_SIZES:
        font = _font(BOLD, size)
        lines = wrap(font, title, width)
        if len(lines) * _step(font) <= height:
            return font, lines
    room = max(height // _step(font), 1)
    kept = lines[:room]
    kept[-1] = _shorten(font, " ".join(lines[room - 1:]), width)
    return font, kept


def _text(draw: ImageDraw.ImageDraw, y: int, text: str, font: ImageFont.FreeTypeFont,
          fill: str) -> None:
    """One line, from the left margin, or from the right one if it reads right to left."""
    x = MARGIN
    if right_to_left(text):
        x = WIDTH - MARGIN - int(font.getlength(text))
    draw.text((x, y), text, font=font, fill=fill)


def draw(card: Card) -> Image.Image:
    image = Image.new("RGB", (WIDTH, HEIGHT), PAPER)
    pen = ImageDraw.Draw(image)
    width = WIDTH - 2 * MARGIN
    pen.rectangle((0, 0, WIDTH, 110), fill=BRAND)
    label = _font(BOLD, 40)
    _text(pen, 32, _shorten(label, card.label, width), label, PAPER)
    facts = card.lines[:3]
    room = FOOTER_TOP - TITLE_TOP - 20 - len(facts) * LINE_STEP - 20
    font, lines = _title_lines(card.title, width, room)
    y = TITLE_TOP
    for line in lines:
        _text(pen, y, line, font, INK)
        y += _step(font)
    y += 20
    small = _font(REGULAR, LINE_SIZE)
    for line in facts:
        _text(pen, y, _shorten(small, line, width), small, INK)
        y += LINE_STEP
    footer = _font(REGULAR, 30)
    _text(pen, FOOTER_TOP, _shorten(footer, card.footer, width), footer, MUTED)
    pen.rectangle((0, HEIGHT - 16, WIDTH, HEIGHT), fill=BRAND)
    return image


@lru_cache(maxsize=CACHED)
def png(card: Card) -> bytes:
    """The card as a PNG file, without metadata (no text chunk, no date)."""
    buffer = io.BytesIO()
    draw(card).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()
