// Adds the points to the map that folium drew: fetched as GeoJSON (so the page does not
// grow with them), clustered when zoomed out, + in a circle and − in a diamond so that
// colour is never the only cue. On the « add a point » pages, a tap places the point.
(function () {
  "use strict";
  var box = document.querySelector("[data-map-var]");
  if (!box || !window.L) { return; }
  var map = window[box.getAttribute("data-map-var")];
  if (!map) { return; }
  var labels = JSON.parse(box.getAttribute("data-labels") || "{}");

  function icon(polarity) {
    var sign = polarity === "positive" ? "+" : "\u2212";
    return L.divIcon({
      className: "pin pin-" + (polarity === "positive" ? "positive" : "negative"),
      html: "<span>" + sign + "</span>", iconSize: [34, 34], iconAnchor: [17, 17]
    });
  }

  function describe(p) {
    return (labels.signs[p.polarity] || "") + " \u00b7 " + (labels.categories[p.category] || "");
  }

  function popup(p) {
    var root = document.createElement("div");
    root.className = "map-popup";
    var title = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = describe(p);
    title.appendChild(strong);
    root.appendChild(title);
    var text = document.createElement("p");
    text.textContent = p.text;
    text.dir = "auto";
    root.appendChild(text);
    if (p.photo) {
      var img = document.createElement("img");
      img.src = p.photo;
      img.alt = labels.photo;
      img.loading = "lazy";
      root.appendChild(img);
    }
    var meta = document.createElement("p");
    meta.textContent = p.date + " \u00b7 " + p.supports + " " + labels.supports;
    root.appendChild(meta);
    var link = document.createElement("a");
    link.href = p.url;
    link.textContent = labels.open;
    root.appendChild(link);
    return root;
  }

  var url = box.getAttribute("data-points-url");
  if (url) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : { features: [] }; })
      .then(function (data) {
        var layer = L.geoJSON(data, {
          pointToLayer: function (feature, latlng) {
            var p = feature.properties;
            return L.marker(latlng, { icon: icon(p.polarity), title: describe(p),
                                      alt: describe(p), keyboard: true });
          },
          onEachFeature: function (feature, marker) {
            marker.bindPopup(function () { return popup(feature.properties); });
          }
        });
        var group = L.markerClusterGroup ?
          L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true }) :
          L.layerGroup();
        group.addLayer(layer);
        map.addLayer(group);
        box.setAttribute("data-markers", String(data.features.length));
      })
      .catch(function () { box.setAttribute("data-markers", "error"); });
  }

  var form = document.querySelector("[data-pick-form]");
  if (box.hasAttribute("data-pick") && form) {
    var hint = form.querySelector("[data-pick-hint]");
    var status = form.querySelector("[data-pick-status]");
    if (hint) { hint.hidden = false; }
    var picked = null;
    var place = function (latlng) {
      form.elements.latitude.value = latlng.lat.toFixed(6);
      form.elements.longitude.value = latlng.lng.toFixed(6);
      if (picked) { picked.setLatLng(latlng); } else {
        picked = L.marker(latlng, { icon: L.divIcon({ className: "pin pin-picked",
          html: "<span>\u25cf</span>", iconSize: [34, 34], iconAnchor: [17, 17] }),
          keyboard: false }).addTo(map);
      }
      if (status) { status.textContent = labels.picked; }
    };
    var lat = parseFloat(form.elements.latitude.value);
    var lng = parseFloat(form.elements.longitude.value);
    if (!isNaN(lat) && !isNaN(lng)) { place(L.latLng(lat, lng)); }
    map.on("click", function (event) { place(event.latlng); });
  }
  box.setAttribute("data-ready", "1");
}());
