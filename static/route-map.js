// The route page's points (postcode and support) on the region map that folium made.
// Each marker has a shape, a letter and a name, so colour is never the only difference.
// Texts go in as text nodes, never as HTML.
(function () {
  "use strict";
  var data = document.getElementById("route-points");
  var map = data && window[data.dataset.map];
  if (!map || typeof L === "undefined") { return; }

  function pin(p) {
    var span = document.createElement("span");
    span.className = "pin pin-" + p.shape;
    span.setAttribute("aria-hidden", "true");
    span.textContent = p.letter;
    return span;
  }

  function tooltip(p) {
    var box = document.createElement("div");
    var name = document.createElement("strong");
    name.textContent = p.name;
    box.appendChild(name);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(p.what));
    return box;
  }

  var layer = L.geoJSON(JSON.parse(data.textContent), {
    pointToLayer: function (feature, latlng) {
      var p = feature.properties;
      return L.marker(latlng, {title: p.name, alt: p.name, icon: L.divIcon(
        {className: "route-marker", iconSize: [26, 26], iconAnchor: [13, 13], html: pin(p)})});
    },
    onEachFeature: function (feature, marker) { marker.bindTooltip(tooltip(feature.properties)); }
  }).addTo(map);
  map.fitBounds(layer.getBounds(), {padding: [16, 16], maxZoom: 14});
}());
