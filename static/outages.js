// The back office's outage form: a click on the map of Sweden fills in
// Latitud and Longitud, and the chosen place (with its radius) is drawn.
// The projection is domain/geo.py's, its constants on the map's data-*.
(function () {
  "use strict";

  function number(input) {
    var value = parseFloat((input.value || "").replace(",", "."));
    return isNaN(value) ? null : value;
  }

  function setup(svg) {
    var form = svg.closest("form");
    var lat = form.querySelector("#latitude");
    var lon = form.querySelector("#longitude");
    var radius = form.querySelector("#radius_km");
    var west = parseFloat(svg.dataset.west), north = parseFloat(svg.dataset.north);
    var kmEast = parseFloat(svg.dataset.kmEast), kmNorth = parseFloat(svg.dataset.kmNorth);
    var pin = svg.querySelector(".picked"), area = svg.querySelector(".picked-area");

    function draw() {
      var la = number(lat), lo = number(lon);
      if (la === null || lo === null) {
        pin.setAttribute("cx", -100);
        area.setAttribute("cx", -100);
        return;
      }
      var x = (lo - west) * kmEast, y = (north - la) * kmNorth;
      pin.setAttribute("cx", x);
      pin.setAttribute("cy", y);
      area.setAttribute("cx", x);
      area.setAttribute("cy", y);
      area.setAttribute("r", Math.max(number(radius) || 0, 0));
    }

    svg.addEventListener("click", function (event) {
      var point = svg.createSVGPoint();
      point.x = event.clientX;
      point.y = event.clientY;
      var local = point.matrixTransform(svg.getScreenCTM().inverse());
      lat.value = (north - local.y / kmNorth).toFixed(4).replace(".", ",");
      lon.value = (west + local.x / kmEast).toFixed(4).replace(".", ",");
      draw();
    });
    [lat, lon, radius].forEach(function (input) { input.addEventListener("input", draw); });
    draw();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var svg = document.getElementById("outage-picker");
    if (svg) setup(svg);
  });
})();
