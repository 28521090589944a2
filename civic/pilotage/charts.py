"""Charts of the steering dashboard, drawn on the server as inline SVG.

Each chart is one ``<svg role="img">`` named by its own ``<title>`` and ``<desc>``. The
page puts a data table next to it, which carries the full labels and every value, so
the picture is never the only way in. No JavaScript, no chart library: the SVG scales
with the page, prints, and inherits the page's font and text colour. Series colours come
from the ``chart-series-0`` … ``chart-series-3`` classes of civic.css; a fill pattern
(bars) or a marker shape and dash (lines) tells the series apart in black and white.

Drawing happens in left-to-right coordinates; ``rtl=True`` mirrors every x and sets
``direction="rtl"``, under which the logical text anchors (start, end) follow suit. Each
text takes its own direction from its first letter (``unicode-bidi="plaintext"``, like
``<bdi>`` in HTML), so a French name on an Arabic page keeps its punctuation in place.

Pure: no Flask, no database. The same input gives the same string.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

Number = int | float
MAX_LABEL = 28  #: longer labels are cut with "…" (the data table has the full text)
FONT = 13  #: font size, in the SVG's own units
LIFT = 4.5  #: from a text's middle to its baseline, at FONT
CHAR = 7.0  #: estimated width of a character at FONT: there is no text measuring here
PAD = 8
ROW = 20  #: height of a legend row
PLOT_HEIGHT = 200  #: of a vertical bar chart
_PATTERNS = (  # 8×8 tiles drawn in currentColor: solid, diagonal hatch, dots, cross-hatch
    '<rect width="8" height="8"/>',
    '<rect width="8" height="8" fill-opacity="0.25"/>'
    '<path d="M-2 2l4-4M0 8l8-8M6 10l4-4" stroke="currentColor" stroke-width="2"/>',
    '<rect width="8" height="8" fill-opacity="0.25"/><circle cx="4" cy="4" r="2"/>',
    '<rect width="8" height="8" fill-opacity="0.25"/>'
    '<path d="M0 0l8 8M8 0l-8 8" stroke="currentColor" stroke-width="1.5"/>',
)
_DASHES = ("", ' stroke-dasharray="6 3"', ' stroke-dasharray="2 3"', ' stroke-dasharray="8 3 2 3"')
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


@dataclass(frozen=True)
class Series:
    """One series: its legend name (already translated), one value per label — ``None``
    where the value is not shown, e.g. a suppressed small cell — and its fill pattern
    (0 solid, 1 diagonal hatch, 2 dots, 3 cross-hatch). Give the series of one chart
    different patterns, so that colour is never the only cue."""

    name: str
    values: Sequence[Number | None]
    pattern: int = 0


def nice_ticks(maximum: float, *, integers: bool = False) -> list[Number]:
    """Ticks from 0 to at least ``maximum`` in at most 4 steps of 1, 2, 2.5 or 5 × 10ⁿ
    (the smallest such step). ``integers`` keeps the step whole, for counts. A maximum
    of 0 or less gives the axis 0..1."""
    top = maximum if maximum > 0 else 1
    first = math.floor(math.log10(top / 4)) - 1
    for exponent in range(first, first + 4):
        for multiple in (1, 2, 2.5, 5):
            step = multiple * 10.0**exponent
            count = math.ceil(top / step - 1e-9)
            if count <= 4 and (not integers or (step >= 1 and step.is_integer())):
                return [_tidy(i * step) for i in range(count + 1)]
    raise AssertionError("unreachable: 10 × 10ⁿ⁺¹ always fits")  # pragma: no cover


@dataclass
class _Bars:
    """What both orientations of a bar chart draw from."""

    canvas: _Canvas
    labels: Sequence[str]
    slots: list[list[Slot]]
    ticks: list[Number]
    value_format: Callable[[float], str]
    prefix: str
    top: float
    width: int
    bar_height: int
    #: Bars side by side in one group, and groups.
    k: int
    n: int

    @property
    def scale(self) -> float:
        return float(self.ticks[-1])

    @property
    def tick_width(self) -> float:
        return max(len(self.value_format(t)) for t in self.ticks) * CHAR


def bar_chart(title: str, labels: Sequence[str], series: Sequence[Series], *,
              description: str = "", stacked: bool = False, horizontal: bool = False,
              value_format: Callable[[float], str] = str, rtl: bool = False,
              width: int = 640, bar_height: int = 28, id_prefix: str | None = None) -> Markup:
    """Bars, grouped or ``stacked``, vertical or ``horizontal`` (the better choice for
    long labels). Each bar ends with its value (a stack with its total, "≥ total" when a
    part is hidden); a hidden value draws no bar and a "—"."""
    _check(labels, series)
    prefix = _prefix(id_prefix, title, "bar", labels, series)
    canvas = _Canvas(width, rtl)
    top = PAD + _legend(canvas, series, prefix, lines=False)
    slots = [_slots([one.values[i] for one in series], stacked, value_format)
             for i in range(len(labels))]
    ends = [end for group in slots for _, _, end in group]
    bars = _Bars(canvas, labels, slots, _ticks(ends, [v for one in series for v in one.values]),
                 value_format, prefix, top, width, bar_height,
                 k=1 if stacked else max(len(series), 1), n=max(len(labels), 1))
    height = _horizontal_bars(bars) if horizontal else _vertical_bars(bars)
    return _svg(canvas, prefix, title, description, height, _fills(series, prefix))


def _horizontal_bars(b: _Bars) -> float:
    canvas, k, bar_height = b.canvas, b.k, b.bar_height
    gap, inset = max(8, bar_height // 2), min(1, bar_height / 4)
    label_width = min(max((len(_cut(label)) for label in b.labels), default=0) * CHAR,
                      b.width * 0.45)
    end_width = max((len(text) for g in b.slots for _, text, _ in g), default=0) * CHAR
    left = PAD + label_width + 6
    right = b.width - PAD - max(end_width + 4, b.tick_width / 2)
    bottom = b.top + b.n * (k * bar_height + gap)
    span = right - left

    def at(v: float) -> float:
        return left + v / b.scale * span

    for t in b.ticks:
        canvas.line(at(t), b.top, at(t), bottom, "chart-grid" if t else "chart-axis")
        canvas.text(at(t), bottom + FONT + 4, b.value_format(t), "middle", "chart-tick")
    for i, label in enumerate(b.labels):
        y0 = b.top + i * (k * bar_height + gap) + gap / 2
        canvas.text(left - 6, y0 + k * bar_height / 2 + LIFT, _cut(label), "end")
        for j, (segments, text, end) in enumerate(b.slots[i]):
            y = y0 + j * bar_height
            for s, v0, v1 in segments:
                canvas.bar(at(v0), y + inset, at(v1) - at(v0), bar_height - 2 * inset, s,
                           b.prefix)
            canvas.text(at(end) + 4, y + bar_height / 2 + LIFT, text, "start",
                        "chart-value" if segments else "chart-missing")
    return bottom + FONT + 12


def _vertical_bars(b: _Bars) -> float:
    canvas, k = b.canvas, b.k
    left = PAD + b.tick_width + 6
    right = b.width - PAD
    bottom = b.top + FONT + 4 + PLOT_HEIGHT  # room above the plot for a value
    band = (right - left) / b.n
    thickness = min(float(b.bar_height), band * 0.8 / k)
    inset = min(1, thickness / 4)  # a hair of space between grouped bars

    def at(v: float) -> float:
        return bottom - v / b.scale * PLOT_HEIGHT

    for t in b.ticks:
        canvas.line(left, at(t), right, at(t), "chart-grid" if t else "chart-axis")
        canvas.text(left - 6, at(t) + LIFT, b.value_format(t), "end", "chart-tick")
    for i, label in enumerate(b.labels):
        x0 = left + i * band + (band - k * thickness) / 2
        canvas.text(left + (i + 0.5) * band, bottom + FONT + 4, _cut(label), "middle")
        for j, (segments, text, end) in enumerate(b.slots[i]):
            x = x0 + j * thickness
            for s, v0, v1 in segments:
                canvas.bar(x + inset, at(v1), thickness - 2 * inset, at(v0) - at(v1), s,
                           b.prefix)
            canvas.text(x + thickness / 2, at(end) - 4, text, "middle",
                        "chart-value" if segments else "chart-missing")
    return bottom + FONT + 12


def line_chart(title: str, labels: Sequence[str], series: Sequence[Series], *,
               description: str = "", value_format: Callable[[float], str] = str,
               rtl: bool = False, width: int = 640, height: int = 260,
               id_prefix: str | None = None) -> Markup:
    """One line per series, with a marker at each value (circle, square, triangle,
    diamond, and a dash pattern, per series); a hidden value breaks the line."""
    _check(labels, series)
    prefix = _prefix(id_prefix, title, "line", labels, series)
    canvas = _Canvas(width, rtl)
    top = PAD + _legend(canvas, series, prefix, lines=True) + FONT / 2
    values = [v for one in series for v in one.values]
    ticks = _ticks([v for v in values if v is not None], values)
    scale = float(ticks[-1])
    left = PAD + max(len(value_format(t)) for t in ticks) * CHAR + 6
    right, bottom = width - PAD, max(height - FONT - 12, top + 40)
    band = (right - left) / max(len(labels), 1)

    def at(v: float) -> float:
        return bottom - v / scale * (bottom - top)

    for t in ticks:
        canvas.line(left, at(t), right, at(t), "chart-grid" if t else "chart-axis")
        canvas.text(left - 6, at(t) + LIFT, value_format(t), "end", "chart-tick")
    for i, label in enumerate(labels):
        canvas.text(left + (i + 0.5) * band, bottom + FONT + 4, _cut(label), "middle")
    for s, one in enumerate(series):
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(one.values):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((left + (i + 0.5) * band, at(v)))
        for run in filter(None, runs):
            canvas.polyline(run, s)
            for x, y in run:
                canvas.marker(x, y, s)
    return _svg(canvas, prefix, title, description, max(height, bottom + FONT + 12), "")


Slot = tuple[list[tuple[int, float, float]], str, float]


def _slots(values: Sequence[Number | None], stacked: bool,
           value_format: Callable[[float], str]) -> list[Slot]:
    """The bars of one category: for each, its segments (series, from, to), the text at
    its end and the value where that text goes."""
    if not stacked:
        return [([(s, 0, v)], value_format(_tidy(v)), v) if v is not None else ([], "—", 0)
                for s, v in enumerate(values)]
    total, segments = 0.0, []
    for s, v in enumerate(values):
        if v is not None:
            segments.append((s, total, total + v))
            total += v
    if not segments:
        return [([], "—", 0)]
    end = value_format(_tidy(total))
    return [(segments, end if len(segments) == len(values) else "≥ " + end, total)]


class _Canvas:
    """Collects SVG elements drawn in left-to-right coordinates, mirrored when rtl."""

    def __init__(self, width: int, rtl: bool) -> None:
        self.width, self.rtl = width, rtl
        self.parts: list[str] = []

    def x(self, x: float) -> float:
        return self.width - x if self.rtl else x

    def line(self, x1: float, y1: float, x2: float, y2: float, cls: str) -> None:
        self.parts.append(f'<line class="{cls}" x1="{_n(self.x(x1))}" y1="{_n(y1)}" '
                          f'x2="{_n(self.x(x2))}" y2="{_n(y2)}" stroke="currentColor"'
                          + (' stroke-opacity="0.3"/>' if cls == "chart-grid" else "/>"))

    def text(self, x: float, y: float, content: str, anchor: str, cls: str = "") -> None:
        attribute = f' class="{cls}"' if cls else ""
        self.parts.append(f'<text{attribute} x="{_n(self.x(x))}" y="{_n(y)}" '
                          f'text-anchor="{anchor}" unicode-bidi="plaintext">{_esc(content)}</text>')

    def bar(self, x: float, y: float, w: float, h: float, s: int, prefix: str,
            cls: str = "chart-bar") -> None:
        left = self.width - x - w if self.rtl else x
        self.parts.append(f'<rect class="{cls} chart-series-{s % 4}" x="{_n(left)}" '
                          f'y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
                          f'fill="url(#{prefix}-fill-{s})" stroke="currentColor"/>')

    def polyline(self, points: Sequence[tuple[float, float]], s: int,
                 cls: str = "chart-line") -> None:
        xy = " ".join(f"{_n(self.x(x))},{_n(y)}" for x, y in points)
        self.parts.append(f'<polyline class="{cls} chart-series-{s % 4}" points="{xy}" '
                          f'fill="none" stroke="currentColor" stroke-width="2"{_DASHES[s % 4]}/>')

    def marker(self, x: float, y: float, s: int) -> None:
        cx, shape = self.x(x), s % 4
        cls = f'class="chart-marker chart-series-{s % 4}" fill="currentColor"'
        if shape == 0:
            self.parts.append(f'<circle {cls} cx="{_n(cx)}" cy="{_n(y)}" r="4"/>')
        elif shape == 1:
            self.parts.append(f'<rect {cls} x="{_n(cx - 3.5)}" y="{_n(y - 3.5)}" '
                              'width="7" height="7"/>')
        else:
            corners = ([(0, -5), (4.5, 3.5), (-4.5, 3.5)] if shape == 2
                       else [(0, -5), (5, 0), (0, 5), (-5, 0)])
            xy = " ".join(f"{_n(cx + dx)},{_n(y + dy)}" for dx, dy in corners)
            self.parts.append(f'<polygon {cls} points="{xy}"/>')


def _legend(canvas: _Canvas, series: Sequence[Series], prefix: str, *, lines: bool) -> float:
    """A swatch and a name per series, in rows, when there is more than one series;
    returns the height it takes."""
    if len(series) < 2:
        return 0
    x, y = float(PAD), float(PAD)
    canvas.parts.append('<g class="chart-legend">')
    for s, one in enumerate(series):
        name = _cut(one.name)
        item = 20 + len(name) * CHAR + 16
        if x > PAD and x + item > canvas.width - PAD:
            x, y = PAD, y + ROW
        if lines:
            canvas.polyline([(x, y + 7), (x + 14, y + 7)], s, "chart-swatch")
            canvas.marker(x + 7, y + 7, s)
        else:
            canvas.bar(x, y, 14, 14, s, prefix, "chart-swatch")
        canvas.text(x + 20, y + 7 + LIFT, name, "start")
        x += item
    canvas.parts.append("</g>")
    return y - PAD + ROW


def _fills(series: Sequence[Series], prefix: str) -> str:
    return "".join(f'<pattern id="{prefix}-fill-{s}" class="chart-series-{s % 4}" width="8" '
                   f'height="8" patternUnits="userSpaceOnUse" fill="currentColor">'
                   f"{_PATTERNS[one.pattern]}</pattern>" for s, one in enumerate(series))


def _svg(canvas: _Canvas, prefix: str, title: str, description: str, height: float,
         defs: str) -> Markup:
    labelled = f"{prefix}-title" + (f" {prefix}-desc" if description else "")
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'aria-labelledby="{labelled}" viewBox="0 0 {canvas.width} {_n(height)}" '
            f'width="100%" preserveAspectRatio="xMidYMid meet" font-family="inherit" '
            f'font-size="{FONT}" fill="currentColor" '
            f'direction="{"rtl" if canvas.rtl else "ltr"}">'
            f'<title id="{prefix}-title">{_esc(title)}</title>')
    if description:
        head += f'<desc id="{prefix}-desc">{_esc(description)}</desc>'
    if defs:
        head += f"<defs>{defs}</defs>"
    # Every text went through _esc, every number through _n, every id through _prefix.
    return Markup("\n".join([head, *canvas.parts, "</svg>"]))  # noqa: S704


def _check(labels: Sequence[str], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(f"series {one.name!r}: {len(one.values)} values "
                             f"for {len(labels)} labels")
        if one.pattern not in range(len(_PATTERNS)):
            raise ValueError(f"series {one.name!r}: pattern {one.pattern} is not 0..3")
        if any(v is not None and not (math.isfinite(v) and v >= 0) for v in one.values):
            raise ValueError(f"series {one.name!r}: values must be finite and not negative")


def _ticks(ends: Sequence[float], values: Sequence[Number | None]) -> list[Number]:
    whole = all(v is None or float(v).is_integer() for v in values)
    return nice_ticks(max(ends, default=0), integers=whole)


def _prefix(given: str | None, title: str, kind: str, labels: Sequence[str],
            series: Sequence[Series]) -> str:
    """The caller's prefix, or "chart-" + a slug of the title + a hash of the whole input:
    two different charts on a page never share an id, and the output stays stable."""
    if given is not None:
        if not _ID.fullmatch(given):
            raise ValueError(f"not a usable id prefix: {given!r}")
        return given
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:24].strip("-")
    digest = hashlib.sha256(repr((kind, title, list(labels), series)).encode()).hexdigest()
    return "-".join(filter(None, ["chart", slug, digest[:6]]))


def _cut(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1].rstrip() + "…"


def _esc(text: str) -> str:
    """Escaped for XML, without the control characters XML 1.0 cannot carry at all."""
    return str(escape(_NOT_XML.sub("", text)))


def _tidy(value: float) -> Number:
    """0.30000000000000004 → 0.3 and 4.0 → 4, so that ticks and totals print well."""
    value = round(float(value), 10)
    return int(value) if value.is_integer() else value


def _n(value: float) -> str:
    text = f"{round(value, 1) + 0.0:.1f}"
    return text.removesuffix(".0")
