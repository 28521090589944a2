"""The dashboard's SVG charts, read back as XML: what a person checks by looking at them."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from civic.pilotage.charts import Series, bar_chart, line_chart, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
LABELS = ["Emploi", "Cadre de vie", "Santé"]


def parse(chart: Markup) -> ET.Element:
    assert isinstance(chart, Markup)
    root = ET.fromstring(str(chart))  # noqa: S314 (our own output, and well-formed is the test)
    assert root.tag == f"{SVG}svg"
    return root


def find(root: ET.Element, path: str) -> ET.Element:
    found = root.find(path)
    assert found is not None, path
    return found


def classes(element: ET.Element) -> list[str]:
    return element.get("class", "").split()


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if "chart-bar" in classes(r)]


def texts(root: ET.Element, cls: str | None = None) -> list[str]:
    return [t.text or "" for t in root.iter(f"{SVG}text") if cls is None or cls in classes(t)]


def num(element: ET.Element, attribute: str) -> float:
    return float(element.get(attribute, "nan"))


# --- The frame: one accessible, scalable svg ---------------------------------------------


def test_an_svg_named_by_its_own_title_and_description() -> None:
    root = parse(bar_chart("Projets par axe", LABELS, [Series("2025", [3, 5, 2])],
                           description="Nombre de projets votés, par axe du contrat"))
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("preserveAspectRatio")
    assert root.get("font-family") == "inherit"
    assert len(root.get("viewBox", "").split()) == 4
    title_id, desc_id = root.get("aria-labelledby", "").split()
    assert find(root, f"{SVG}title[@id='{title_id}']").text == "Projets par axe"
    desc = find(root, f"{SVG}desc[@id='{desc_id}']")
    assert desc.text == "Nombre de projets votés, par axe du contrat"


def test_without_a_description_the_name_is_the_title_alone() -> None:
    root = parse(bar_chart("Votes", LABELS, [Series("2025", [1, 2, 3])]))
    (title_id,) = root.get("aria-labelledby", "").split()
    assert find(root, f"{SVG}title").get("id") == title_id
    assert root.find(f"{SVG}desc") is None


def test_same_input_same_string_and_two_charts_never_share_an_id() -> None:
    one = bar_chart("Votes", LABELS, [Series("2025", [1, 2, 3])])
    assert one == bar_chart("Votes", LABELS, [Series("2025", [1, 2, 3])])
    other = bar_chart("Votes", LABELS, [Series("2025", [1, 2, 4])])
    ids = {e.get("id", "") for e in parse(one).iter()} - {""}
    other_ids = {e.get("id", "") for e in parse(other).iter()} - {""}
    assert ids
    assert not ids & other_ids
    assert all(i.startswith("chart-votes-") for i in ids)


def test_fills_point_to_patterns_of_the_chart_itself() -> None:
    root = parse(bar_chart("Votes", LABELS, [Series("a", [1, 2, 3]), Series("b", [3, 2, 1], 1)],
                           id_prefix="copil-votes"))
    patterns = {p.get("id") for p in root.iter(f"{SVG}pattern")}
    assert patterns == {"copil-votes-fill-0", "copil-votes-fill-1"}
    assert {r.get("fill") for r in bars(root)} == {f"url(#{p})" for p in patterns}
    assert root.get("aria-labelledby") == "copil-votes-title"


def test_an_id_prefix_that_is_not_an_xml_name_is_refused() -> None:
    with pytest.raises(ValueError, match="id prefix"):
        bar_chart("Votes", LABELS, [], id_prefix='x" onload="alert(1)')


# --- What residents wrote stays text ------------------------------------------------------


def test_labels_names_and_title_are_escaped() -> None:
    hostile = "<script>alert(1)</script>&co"  # 28 characters: not cut
    chart = bar_chart(f"Idées {hostile}", [hostile, "ok"],
                      [Series(hostile, [1, 2]), Series("b", [2, 1], 1)],
                      description=hostile, horizontal=True)
    assert "<script" not in chart
    assert "&co" not in chart
    root = parse(chart)
    assert find(root, f"{SVG}title").text == f"Idées {hostile}"
    assert texts(root).count(hostile) == 2  # the category label and the legend


def test_control_characters_are_dropped_so_the_xml_stays_well_formed() -> None:
    root = parse(line_chart("Votes\x00", ["a\x1bb", "c"], [Series("s\x07", [1, 2])]))
    assert "ab" in texts(root)


def test_long_labels_are_cut_in_the_picture() -> None:
    label = "Accompagnement vers l'emploi des jeunes diplômés du quartier"
    root = parse(bar_chart("Axes", [label], [Series("n", [4])], horizontal=True))
    (cut,) = [t for t in texts(root) if t.startswith("Accompagnement")]
    assert len(cut) == 28
    assert cut.endswith("…")
    assert label.startswith(cut[:-1])


# --- Bars -------------------------------------------------------------------------------


def test_one_bar_per_value_in_order_and_lengths_proportional() -> None:
    series = [Series("2024", [10, 20, 5]), Series("2025", [40, 0, 15], pattern=1)]
    root = parse(bar_chart("Projets", LABELS, series, horizontal=True))
    found = bars(root)
    assert [classes(r)[1] for r in found] == ["chart-series-0", "chart-series-1"] * 3
    ys = [num(r, "y") for r in found]
    assert ys == sorted(ys)  # category by category, series by series, top to bottom
    widths = [num(r, "width") for r in found]
    assert widths[3] == 0
    assert widths[0] > 0
    for width, value in zip(widths, [10, 40, 20, 0, 5, 15], strict=True):
        assert width == pytest.approx(widths[1] * value / 40, abs=0.15)
    assert texts(root, "chart-value") == ["10", "40", "20", "0", "5", "15"]


def test_vertical_bars_grow_up_from_one_baseline() -> None:
    root = parse(bar_chart("Votes", LABELS, [Series("n", [2, 8, 4])]))
    found = bars(root)
    heights = [num(r, "height") for r in found]
    assert heights[1] == pytest.approx(4 * heights[0], abs=0.2)
    assert heights[2] == pytest.approx(2 * heights[0], abs=0.2)
    bottoms = {round(num(r, "y") + num(r, "height"), 1) for r in found}
    (baseline,) = [e for e in root.iter(f"{SVG}line") if "chart-axis" in classes(e)]
    assert bottoms == {num(baseline, "y1")}
    xs = [num(r, "x") for r in found]
    assert xs == sorted(xs)


def test_stacked_bars_add_up_and_show_their_totals() -> None:
    series = [Series("Femmes", [6, 3]), Series("Hommes", [4, None], 1), Series("Autre", [2, 1], 2)]
    root = parse(bar_chart("Votants", ["Izards", "Reynerie"], series, stacked=True,
                           horizontal=True, value_format=lambda v: f"{v:g} votants"))
    found = bars(root)
    assert len(found) == 5
    first = found[:3]
    for before, after in itertools.pairwise(first):  # end to end
        assert num(after, "x") == pytest.approx(num(before, "x") + num(before, "width"), abs=0.1)
    assert sum(num(r, "width") for r in first) == pytest.approx(
        num(first[0], "width") * 12 / 6, abs=0.3)
    # A hidden part: the total shown is only a lower bound.
    assert texts(root, "chart-value") == ["12 votants", "≥ 4 votants"]


def test_many_categories_still_give_bars_of_positive_size() -> None:
    labels = [f"Q{i}" for i in range(120)]
    series = [Series(str(s), [i % 7 + 1 for i in range(120)], s) for s in range(4)]
    root = parse(bar_chart("Tous les quartiers", labels, series))
    assert len(bars(root)) == 480
    assert all(num(r, "width") > 0 and num(r, "height") > 0 for r in bars(root))


def test_whole_floats_print_as_whole_numbers() -> None:
    root = parse(bar_chart("Votes", ["a", "b"], [Series("n", [3.0, 2.5])]))
    assert texts(root, "chart-value") == ["3", "2.5"]


def test_a_hidden_value_draws_no_bar_but_a_dash() -> None:
    root = parse(bar_chart("Votes", LABELS, [Series("n", [3, None, 1])], horizontal=True))
    assert len(bars(root)) == 2
    assert texts(root, "chart-missing") == ["—"]
    assert texts(root, "chart-value") == ["3", "1"]


def test_all_zero_and_empty_data_still_make_a_chart_on_0_to_1() -> None:
    for horizontal in (False, True):
        zero = parse(bar_chart("Rien", LABELS, [Series("n", [0, 0, 0])], horizontal=horizontal))
        assert texts(zero, "chart-tick") == ["0", "1"]
        assert all(num(r, "width") * num(r, "height") == 0 for r in bars(zero))
        empty = bar_chart("Rien", [], [], horizontal=horizontal, stacked=True)
        assert not bars(parse(empty))
        assert "nan" not in empty
        hidden = parse(bar_chart("Rien", ["a"], [Series("n", [None])], horizontal=horizontal))
        assert not bars(hidden)
        assert texts(hidden, "chart-missing") == ["—"]
    assert texts(parse(line_chart("Rien", [], [])), "chart-tick") == ["0", "1"]


def test_tick_labels_go_through_value_format() -> None:
    root = parse(bar_chart("Montants", ["a", "b"], [Series("€", [950, 400])],
                           value_format=lambda v: f"{v:g} €"))
    assert texts(root, "chart-tick") == ["0 €", "250 €", "500 €", "750 €", "1000 €"]
    grid = [e for e in root.iter(f"{SVG}line") if "chart-grid" in classes(e)]
    assert len(grid) == 4


def test_a_legend_only_when_there_are_several_series() -> None:
    one = parse(bar_chart("Votes", LABELS, [Series("2025", [1, 2, 3])]))
    assert one.find(f"{SVG}g[@class='chart-legend']") is None
    two = parse(bar_chart("Votes", LABELS, [Series("2024", [1, 2, 3]),
                                            Series("2025", [1, 2, 3], 1)]))
    legend = two.find(f"{SVG}g[@class='chart-legend']")
    assert legend is not None
    assert [t.text for t in legend.iter(f"{SVG}text")] == ["2024", "2025"]
    assert len(legend.findall(f"{SVG}rect")) == 2


@pytest.mark.parametrize("horizontal", [True, False])
def test_rtl_mirrors_the_x_positions(horizontal: bool) -> None:
    series = [Series("a", [3, 1, 2]), Series("b", [1, None, 4], 1)]
    ltr = parse(bar_chart("Votes", LABELS, series, horizontal=horizontal, width=600))
    rtl = parse(bar_chart("Votes", LABELS, series, horizontal=horizontal, width=600, rtl=True))
    assert (ltr.get("direction"), rtl.get("direction")) == ("ltr", "rtl")
    for left, right in zip(bars(ltr), bars(rtl), strict=True):
        assert num(right, "x") == pytest.approx(600 - num(left, "x") - num(left, "width"), abs=0.1)
        assert num(right, "y") == num(left, "y")
    for left, right in zip(ltr.iter(f"{SVG}text"), rtl.iter(f"{SVG}text"), strict=True):
        assert num(right, "x") == pytest.approx(600 - num(left, "x"), abs=0.1)
    if horizontal:  # bars start at the right-hand axis
        assert min(num(r, "x") + num(r, "width") for r in bars(rtl)) > 300


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        bar_chart("x", LABELS, [Series("n", [1, 2])])
    with pytest.raises(ValueError, match="not negative"):
        bar_chart("x", ["a"], [Series("n", [-1])])
    with pytest.raises(ValueError, match="pattern"):
        line_chart("x", ["a"], [Series("n", [1], pattern=4)])


# --- Ticks ------------------------------------------------------------------------------


@pytest.mark.parametrize(("maximum", "integers", "expected"), [
    (7, True, [0, 2, 4, 6, 8]),
    (950, True, [0, 250, 500, 750, 1000]),
    (0.4, False, [0, 0.1, 0.2, 0.3, 0.4]),
    (0.37, False, [0, 0.1, 0.2, 0.3, 0.4]),
    (1, False, [0, 0.25, 0.5, 0.75, 1]),
    (62, True, [0, 20, 40, 60, 80]),
    (4, True, [0, 1, 2, 3, 4]),
    (10, True, [0, 5, 10]),  # a count never gets 2.5 steps
    (1, True, [0, 1]),
    (0, True, [0, 1]),
    (12_345, True, [0, 5000, 10000, 15000]),
])
def test_nice_ticks(maximum: float, integers: bool, expected: list[float]) -> None:
    assert nice_ticks(maximum, integers=integers) == expected


# --- Lines ------------------------------------------------------------------------------


def polylines(root: ET.Element) -> list[ET.Element]:
    return [p for p in root.iter(f"{SVG}polyline") if "chart-line" in classes(p)]


def points(line: ET.Element) -> list[tuple[float, float]]:
    pairs = (pair.split(",") for pair in line.get("points", "").split())
    return [(float(x), float(y)) for x, y in pairs]


def test_one_line_per_series_a_hidden_value_breaks_it() -> None:
    months = ["janv.", "févr.", "mars", "avr.", "mai"]
    series = [Series("Izards", [3, 5, None, 8, 9]), Series("Reynerie", [1, 2, 4, 4, 6])]
    root = parse(line_chart("Participants", months, series, description="Par mois"))
    lines = polylines(root)
    assert [len(points(line)) for line in lines] == [2, 2, 5]
    assert [classes(line)[1] for line in lines] == ["chart-series-0"] * 2 + ["chart-series-1"]
    izards = points(lines[0]) + points(lines[1])
    assert [x for x, _ in izards] == sorted(x for x, _ in izards)
    ys = {value: y for value, (_, y) in zip([3, 5, 8, 9], izards, strict=True)}
    assert (ys[3] - ys[9]) / (ys[3] - ys[5]) == pytest.approx(3, rel=0.01)  # 6 is 3 × 2
    assert set(months) <= set(texts(root))


def test_each_series_has_its_own_marker_shape_and_dash() -> None:
    series = [Series(name, [1, 2]) for name in "abcd"]
    root = parse(line_chart("Formes", ["x", "y"], series))
    shapes: dict[str, set[str]] = {}
    for element in root.iter():
        if "chart-marker" in classes(element):
            shapes.setdefault(classes(element)[1], set()).add(element.tag)
    assert len(shapes) == 4
    assert shapes["chart-series-0"] == {f"{SVG}circle"}
    assert shapes["chart-series-1"] == {f"{SVG}rect"}
    assert shapes["chart-series-2"] == shapes["chart-series-3"] == {f"{SVG}polygon"}
    triangle, diamond = (next(e for e in root.iter(f"{SVG}polygon")
                              if f"chart-series-{s}" in classes(e)) for s in (2, 3))
    assert len(points(triangle)) == 3
    assert len(points(diamond)) == 4
    dashes = [line.get("stroke-dasharray") for line in polylines(root)]
    assert len(set(dashes)) == 4
    assert sum(len(points(line)) for line in polylines(root)) == 8


def test_line_chart_mirrors_in_rtl() -> None:
    series = [Series("n", [1, 3, 2])]
    ltr = points(polylines(parse(line_chart("n", LABELS, series)))[0])
    rtl = points(polylines(parse(line_chart("n", LABELS, series, rtl=True)))[0])
    assert [c for x, y in ltr for c in (640 - x, y)] == pytest.approx(
        [c for point in rtl for c in point], abs=0.1)
