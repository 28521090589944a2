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
  // Without a tile layer (TILE_URL empty) the map has no maximum zoom, and the cluster
  // group refuses to be added ("Map has no maxZoom specified"): give it the tiles' one.
  if (!isFinite(map.getMaxZoom())) { map.setMaxZoom(19); }

  function escape(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  // The shape is drawn by an inner .pin: Leaflet moves the marker itself with an inline
  // transform, which would undo the diamond's rotation. The words name the marker for
  // screen readers; the + or − is only drawn.
  function pinHtml(kind, sign, words) {
    return "<span class=\"pin pin-" + kind + "\" aria-hidden=\"true\"><span>" + sign +
      "</span></span>" + (words ? "<span class=\"visually-hidden\">" + escape(words) +
      "</span>" : "");
  }

  function describe(p) {
    return (labels.signs[p.polarity] || "") + " \u00b7 " + (labels.categories[p.category] || "");
  }

  function icon(p) {
    var positive = p.polarity === "positive";
    return L.divIcon({
      className: "map-marker",
      html: pinHtml(positive ? "positive" : "negative", positive ? "+" : "\u2212", describe(p)),
      iconSize: [34, 34], iconAnchor: [17, 17]
    });
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

  // Leaflet names its own buttons in English (« Zoom in », « Close popup »): marked so,
  // screen readers read them as English words, not as French ones (WCAG 3.1.2).
  function english(element) {
    if (element) { element.setAttribute("lang", "en"); }
  }
  if (map.zoomControl) { english(map.zoomControl.getContainer()); }
  map.on("popupopen", function (event) {
    var element = event.popup.getElement();
    english(element && element.querySelector(".leaflet-popup-close-button"));
  });

  // Thousands of points: one icon per sign and subject, shared by its markers; markers
  // made straight from the features (no L.geoJSON layer); a pop-up made on the first
  // click or Enter, not one per marker up front. The cluster group is on the map before
  // the markers come, so it clusters them in chunks; data-markers is set when it is done.
  var icons = {};
  function sharedIcon(p) {
    var key = p.polarity + " " + p.category;
    if (!icons[key]) { icons[key] = icon(p); }
    return icons[key];
  }

  function openPopup(event) {
    var marker = event.layer;
    if (!marker || !marker.point || marker.getPopup() ||
        (event.type === "keypress" && event.originalEvent.keyCode !== 13)) { return; }
    marker.bindPopup(function () { return popup(marker.point); }).openPopup();
  }

  var url = box.getAttribute("data-points-url");
  if (url) {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (response) { return response.ok ? response.json() : { features: [] }; })
      .then(function (data) {
        var features = data.features || [];
        var done = function () { box.setAttribute("data-markers", String(features.length)); };
        var group = L.markerClusterGroup ?
          L.markerClusterGroup({ showCoverageOnHover: false, chunkedLoading: true,
            // A cluster says what it is to a screen reader, in the page's language.
            iconCreateFunction: function (cluster) {
              var count = cluster.getChildCount();
              var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
              var name = (labels.cluster || "{n}").replace("{n}", String(count));
              var html = document.createElement("div");
              html.setAttribute("role", "img");
              html.setAttribute("aria-label", name);
              html.title = name;
              var number = document.createElement("span");
              number.setAttribute("aria-hidden", "true");
              number.textContent = String(count);
              html.appendChild(number);
              return L.divIcon({ html: html, className: "marker-cluster marker-cluster-" + size,
                                 iconSize: L.point(40, 40) });
            },
            // (called with 0 of 0 when the empty group joins the map: not done yet)
            chunkProgress: function (processed, total) {
              if (processed === total && total === features.length) { done(); }
            }
          }) : L.layerGroup();
        group.on("click keypress", openPopup);
        map.addLayer(group);
        var markers = features.map(function (feature) {
          var p = feature.properties, position = feature.geometry.coordinates;
          var marker = L.marker([position[1], position[0]],
                                { icon: sharedIcon(p), title: describe(p), keyboard: true });
          marker.point = p;
          return marker;
        });
        if (group.addLayers) { group.addLayers(markers); } else {
          markers.forEach(function (marker) { group.addLayer(marker); });
          done();
        }
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
        picked = L.marker(latlng, { icon: L.divIcon({ className: "map-marker",
          html: pinHtml("picked", "\u25cf", ""), iconSize: [34, 34], iconAnchor: [17, 17] }),
          keyboard: false }).addTo(map);
      }
      if (status) { status.textContent = labels.picked; }
    };
    var lat = parseFloat(form.elements.latitude.value);
    var lng = parseFloat(form.elements.longitude.value);
    if (!isNaN(lat) && !isNaN(lng)) { place(L.latLng(lat, lng)); }
    map.on("click", function (event) { place(event.latlng); });
  }
  // A walk: its route, point after point in the order they were noted.
  var route = JSON.parse(box.getAttribute("data-route") || "[]");
  if (route.length > 1) {
    L.polyline(route, { color: "#1d4e89", weight: 3, opacity: 0.7, dashArray: "2 6",
                        interactive: false, className: "walk-route" }).addTo(map);
  }
  // Back after noting a point: the map where it was, and its place sent with the next.
  var view = (box.getAttribute("data-view") || "").split(",");
  if (view.length === 3) {
    map.setView([parseFloat(view[0]), parseFloat(view[1])], parseInt(view[2], 10));
  }
  var keep = document.querySelector("[data-map-view]");
  if (keep) {
    keep.form.addEventListener("submit", function () {
      var centre = map.getCenter();
      keep.value = centre.lat.toFixed(6) + "," + centre.lng.toFixed(6) + "," + map.getZoom();
    });
  }
  box.setAttribute("data-ready", "1");
}());
