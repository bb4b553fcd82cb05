// The page's points (the postcode and the places, see maps.route_points) on the region map that
// folium made, tied to the list: a marker's popup gives each place at that point with its name,
// hours and a link to its card; each card with a point gets an "op de kaart" button that opens
// its marker's popup. The map opens on the postcode and the nearest places, not on the whole
// region. A marker has a shape, a letter and a name, so colour is never the only difference; a
// number says how many places share the point. Texts go in as text nodes, never as HTML.
// Without JavaScript the list says all of this already.
(function () {
  "use strict";
  var data = document.getElementById("route-points");
  var map = data && window[data.dataset.map];
  if (!map || typeof L === "undefined") { return; }
  var words = data.dataset;

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) { made.className = className; }
    if (text) { made.textContent = text; }
    return made;
  }

  function icon(p) {
    var box = element("span");
    var pin = element("span", "pin pin-" + p.shape, p.letter);
    box.appendChild(pin);
    if (p.places.length > 1) { box.appendChild(element("span", "pin-count", String(p.places.length))); }
    box.setAttribute("aria-hidden", "true");
    return box;
  }

  // A card in a folded list is unfolded, then gets the focus (the link itself scrolls to it).
  function showCard(card) {
    for (var folded = card.closest("details"); folded; folded = folded.parentElement.closest("details")) {
      folded.open = true;
    }
    card.setAttribute("tabindex", "-1");
    card.focus({preventScroll: true});
  }

  function popup(p) {
    var box = element("div", "popup");
    if (!p.places.length) { box.appendChild(element("strong", "", p.name)); }
    p.places.forEach(function (place) {
      var part = element("div", "popup-place");
      var name = element("strong", "", place.name);
      name.lang = "nl";  // the catalogue's names are Dutch
      part.appendChild(name);
      part.appendChild(element("div", "", place.what));
      if (place.hours) { part.appendChild(element("div", "", place.hours)); }
      var card = document.getElementById("plek-" + place.id);
      if (card) {
        var link = element("a", "", words.toList);
        link.href = "#" + card.id;
        link.appendChild(element("span", "visually-hidden", " (" + place.name + ")"));
        link.addEventListener("click", function () { showCard(card); });
        part.appendChild(link);
      }
      box.appendChild(part);
    });
    return box;
  }

  function addButton(place, marker) {
    var card = document.getElementById("plek-" + place.id);
    var actions = card && card.querySelector(".actions");
    if (!actions) { return; }
    var button = element("button", "on-map", words.onMap);
    button.type = "button";
    button.appendChild(element("span", "visually-hidden", " (" + place.name + ")"));
    button.addEventListener("click", function () {
      map.getContainer().scrollIntoView({block: "center"});
      map.setView(marker.getLatLng(), Math.max(map.getZoom(), 13), {animate: false});
      marker.openPopup();
      marker.getElement().focus({preventScroll: true});
    });
    var item = element("li");
    item.appendChild(button);
    actions.appendChild(item);
  }

  var layer = L.geoJSON(JSON.parse(data.textContent), {
    pointToLayer: function (feature, latlng) {
      var p = feature.properties;
      return L.marker(latlng, {title: p.name, alt: p.name, icon: L.divIcon(
        {className: "route-marker", iconSize: [26, 26], iconAnchor: [13, 13], html: icon(p)})});
    },
    onEachFeature: function (feature, marker) {
      marker.bindPopup(popup(feature.properties), {maxWidth: 260, maxHeight: 260});
      feature.properties.places.forEach(function (place) { addButton(place, marker); });
    }
  }).addTo(map);

  // The zoom buttons in the page's language (Leaflet's own titles are English).
  if (map.zoomControl) {
    map.zoomControl.remove();
    map.zoomControl = L.control.zoom({zoomInTitle: words.zoomIn, zoomOutTitle: words.zoomOut}).addTo(map);
  }

  map.on("popupopen", function (event) {
    var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
    if (close) { close.setAttribute("aria-label", words.close); close.title = words.close; }
  });

  var near = layer.getLayers().filter(function (marker) { return marker.feature.properties.near; });
  var shown = L.featureGroup(near.length ? near : layer.getLayers());
  if (shown.getLayers().length) {
    // At once, not animated: the map opens where it matters (maps.region_map sets no view).
    // No closer than the least precisely known of those points allows (maps.MAX_ZOOM).
    var maxZoom = Math.min.apply(null, shown.getLayers().map(function (marker) {
      return marker.feature.properties.zoom;
    }));
    map.fitBounds(shown.getBounds(), {padding: [24, 24], maxZoom: maxZoom, animate: false});
  }
}());
