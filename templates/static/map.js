/* Kaifang: the map of a resource with coordinates (templates/dataset/map.html).
 *
 * Progressive enhancement: the page already lists the first points and links the GeoJSON;
 * this draws every point with Leaflet, clustered by leaflet.markercluster (both vendored
 * by the build). The configuration is a JSON data block beside the map. Without a basemap
 * in site.yaml no tile is requested: the points are drawn over a longitude/latitude grid.
 * Cell values reach the page only as text nodes, never as HTML.
 */
(function () {
  "use strict";

  var STEPS = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30];

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = content;
    return node;
  }

  function popupFor(properties, config) {
    var box = element("div", "map-popup");
    var name = config.label ? properties[config.label] : null;
    if (name !== null && name !== undefined && name !== "") {
      box.appendChild(element("p", "map-popup-title", String(name)));
    }
    var list = element("dl");
    config.fields.forEach(function (pair) {
      var value = properties[pair[0]];
      list.appendChild(element("dt", "", pair[1]));
      list.appendChild(
        element("dd", "", value === null || value === undefined || value === "" ? config.strings.empty : String(value))
      );
    });
    box.appendChild(list);
    return box;
  }

  function gridStep(span) {
    for (var i = 0; i < STEPS.length; i++) {
      if (span / STEPS[i] <= 8) return STEPS[i];
    }
    return STEPS[STEPS.length - 1];
  }

  function degrees(value, positive, negative) {
    var rounded = Math.round(value * 1000) / 1000;
    return Math.abs(rounded) + "°" + (rounded >= 0 ? positive : negative);
  }

  /* Lines every `step` degrees over the points' extent (and a margin), with labels. */
  function drawGraticule(map, bounds) {
    var south = bounds[0][0], west = bounds[0][1], north = bounds[1][0], east = bounds[1][1];
    var step = gridStep(Math.max(east - west, north - south, 0.001));
    var x0 = Math.floor(west / step - 2) * step, x1 = Math.ceil(east / step + 2) * step;
    var y0 = Math.max(Math.floor(south / step - 2) * step, -85);
    var y1 = Math.min(Math.ceil(north / step + 2) * step, 85);
    var style = { color: "#8a94a6", weight: 1, opacity: 0.6, interactive: false };
    var layer = L.layerGroup();
    for (var x = x0; x <= x1 + step / 2; x += step) {
      layer.addLayer(L.polyline([[y0, x], [y1, x]], style));
      layer.addLayer(gridLabel([y0, x], degrees(x, "E", "W")));
    }
    for (var y = y0; y <= y1 + step / 2; y += step) {
      layer.addLayer(L.polyline([[y, x0], [y, x1]], style));
      layer.addLayer(gridLabel([y, x0], degrees(y, "N", "S")));
    }
    layer.addTo(map);
  }

  function gridLabel(latlng, text) {
    var icon = L.divIcon({ className: "map-grid-label", html: escapeHtml(text), iconSize: null });
    return L.marker(latlng, { icon: icon, interactive: false, keyboard: false });
  }

  function clusterIcon(strings) {
    return function (cluster) {
      var count = cluster.getChildCount();
      var size = count < 10 ? "small" : count < 100 ? "medium" : "large";
      return L.divIcon({
        className: "map-cluster map-cluster-" + size,
        html: "<span>" + count + "</span><span class=\"visually-hidden\"> " + escapeHtml(strings.points) + "</span>",
        iconSize: L.point(40, 40),
      });
    };
  }

  function pointIcon() {
    return L.divIcon({ className: "map-point", iconSize: L.point(16, 16) });
  }

  function start(canvas) {
    var block = document.getElementById(canvas.getAttribute("data-kaifang-map"));
    if (!block || typeof L === "undefined" || !L.markerClusterGroup) return;
    var config = JSON.parse(block.textContent);
    var strings = config.strings;
    canvas.hidden = false;
    var help = canvas.parentNode.querySelector(".map-help");
    if (help) help.hidden = false;
    var map = L.map(canvas, { zoomControl: false, maxZoom: config.maxZoom, keyboard: true });
    L.control.zoom({ zoomInTitle: strings.zoomIn, zoomOutTitle: strings.zoomOut }).addTo(map);
    map.attributionControl.setPrefix('<a href="https://leafletjs.com/">Leaflet</a>');
    if (config.tiles) {
      L.tileLayer(config.tiles, {
        attribution: escapeHtml(config.attribution),
        maxZoom: config.maxZoom,
        subdomains: config.subdomains,
      }).addTo(map);
    } else {
      drawGraticule(map, config.bounds);
      map.attributionControl.addAttribution(escapeHtml(strings.grid));
    }
    map.fitBounds(config.bounds, { padding: [24, 24], maxZoom: 15 });
    map.on("popupopen", function (event) {
      var close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close) close.setAttribute("aria-label", strings.close);
    });
    fetch(config.geojson, { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (collection) {
        var markers = collection.features.map(function (feature) {
          var coordinates = feature.geometry.coordinates;
          var properties = feature.properties || {};
          var name = config.label ? properties[config.label] : "";
          var marker = L.marker([coordinates[1], coordinates[0]], {
            icon: pointIcon(),
            title: name ? String(name) : strings.point,
            keyboard: true,
          });
          marker.bindPopup(function () {
            return popupFor(properties, config);
          });
          return marker;
        });
        var group = L.markerClusterGroup({
          iconCreateFunction: clusterIcon(strings),
          showCoverageOnHover: false,
          chunkedLoading: true,
        });
        group.addLayers(markers);
        map.addLayer(group);
        canvas.setAttribute("data-points", String(markers.length));
      })
      .catch(function () {
        canvas.parentNode.insertBefore(element("p", "map-failed", strings.failed), canvas.nextSibling);
      });
  }

  function startAll() {
    var canvases = document.querySelectorAll("[data-kaifang-map]");
    for (var i = 0; i < canvases.length; i++) start(canvases[i]);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
