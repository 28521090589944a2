"""The maps folium draws: metres only on the scale, the zoom buttons in the page's
language, nothing fetched from a CDN."""

from __future__ import annotations

from civic.map import render
from tests.factories import SQUARE


def test_the_scale_is_in_metres_only() -> None:
    for fragment in (render.quartier_map(SQUARE, tile_url="", attribution="",
                                         perimeter_label="Périmètre"),
                     render.place_map(43.575, 1.405, tile_url="", attribution="")):
        script = str(fragment.script)
        assert "L.control.scale({imperial: false, metric: true})" in script
        assert "L.control.scale()" not in script
        assert "cdn" not in (str(fragment.html) + script).lower()
