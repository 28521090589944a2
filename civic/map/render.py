"""The map drawn by folium, served as a fragment of our own page.

folium writes Leaflet's set-up script; its CDN links are replaced by the files in
``static/vendor/`` and its header (inline styles, CDN links) is not used at all. The
page puts the script in a ``<script nonce>``, so the site's Content-Security-Policy
stays strict. Points are not in the script: ``static/js/map.js`` fetches them as
GeoJSON, so the page does not grow with their number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import folium
from branca.element import MacroElement
from jinja2 import Template
from markupsafe import Markup

from civic.map import geometry

#: Where the map sits when a quartier has no perimeter (the centre of France).
FALLBACK_CENTRE = (46.6, 2.4)


class LocalMap(folium.Map):
    """A folium map whose assets come from our own static folder (new lists: folium's
    own module-level lists, shared by every map, stay untouched)."""

    # folium declares these as instance attributes: the lists are never mutated here.
    default_js: list[tuple[str, str]] = []  # noqa: RUF012
    default_css: list[tuple[str, str]] = []  # noqa: RUF012


class ZoomControl(MacroElement):  # type: ignore[misc]
    """Leaflet's + and − buttons, named in the page's language (Leaflet writes the
    title into the buttons' title and aria-label). The names are the site's own
    translations, written as JSON."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.zoom({zoomInTitle: {{ this.zoom_in|tojson }},
                        zoomOutTitle: {{ this.zoom_out|tojson }}})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, zoom_in: str, zoom_out: str) -> None:
        super().__init__()
        self._name = "ZoomControl"
        self.zoom_in, self.zoom_out = zoom_in, zoom_out


class MetricScale(MacroElement):  # type: ignore[misc]
    """The scale in metres only: folium's own scale adds feet and miles, which nobody
    here reads."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, metric: true})
            .addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


@dataclass(frozen=True)
class MapFragment:
    #: The map's ``<div>``.
    html: Markup
    #: Leaflet's set-up code, to put in a ``<script nonce>``.
    script: Markup
    #: The JavaScript variable that holds the map, for ``map.js``.
    name: str


def quartier_map(perimeter: dict[str, Any] | None, *, tile_url: str, attribution: str,
                 perimeter_label: str, zoom_labels: tuple[str, str] = ("+", "−")
                 ) -> MapFragment:
    """The quartier's perimeter on the tile layer of the settings (or on a plain
    background when there is none or it cannot be reached)."""
    centre = FALLBACK_CENTRE
    if perimeter:
        (south, west), (north, east) = geometry.bounds(perimeter)
        centre = ((south + north) / 2, (west + east) / 2)
    fmap = LocalMap(location=centre, zoom_start=15 if perimeter else 5, tiles=None,
                    control_scale=False, width="100%", height="100%", zoom_control=False)
    ZoomControl(*zoom_labels).add_to(fmap)
    MetricScale().add_to(fmap)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution, max_zoom=19,
                         referrer_policy="no-referrer").add_to(fmap)
    if perimeter:
        folium.GeoJson(
            {"type": "Feature", "geometry": perimeter, "properties": {}},
            name=perimeter_label,
            style_function=lambda _feature: {"color": "#1d4e89", "weight": 3,
                                             "fillOpacity": 0.06, "dashArray": "6 4"},
            interactive=False,
        ).add_to(fmap)
        fmap.fit_bounds([[south, west], [north, east]])
    root: Any = fmap.get_root()  # a branca Figure: header, html and script parts
    root.render()
    # folium's own output: the map's <div> and Leaflet's set-up code, built from our
    # settings and the quartier's perimeter (numbers), never from residents' words.
    return MapFragment(html=Markup(root.html.render()),  # noqa: S704
                       script=Markup(root.script.render()),  # noqa: S704
                       name=fmap.get_name())


def place_map(latitude: float, longitude: float, *, tile_url: str, attribution: str,
              label: str = "", zoom_labels: tuple[str, str] = ("+", "−")) -> MapFragment:
    """A small map of one place (an event's venue) with a marker. ``label`` is not put
    in the script: the page writes the place's name and address next to the map."""
    del label
    fmap = LocalMap(location=(latitude, longitude), zoom_start=16, tiles=None,
                    control_scale=False, width="100%", height="100%", scrollWheelZoom=False,
                    zoom_control=False)
    ZoomControl(*zoom_labels).add_to(fmap)
    MetricScale().add_to(fmap)
    if tile_url:
        folium.TileLayer(tiles=tile_url, attr=attribution, max_zoom=19,
                         referrer_policy="no-referrer").add_to(fmap)
    folium.CircleMarker((latitude, longitude), radius=10, color="#1d4e89", weight=3,
                        fill=True, fill_color="#1d4e89", fill_opacity=0.5).add_to(fmap)
    root: Any = fmap.get_root()
    root.render()
    # Numbers from our database (the place's coordinates) and our settings only.
    return MapFragment(html=Markup(root.html.render()),  # noqa: S704
                       script=Markup(root.script.render()),  # noqa: S704
                       name=fmap.get_name())
