/* cir-portal: draws Vega-Lite charts from data-vega-spec attributes.
 * The Vega bundle is served by the site (no CDN) and loaded only on pages with a chart.
 * Runs on every Material document$ emission, so charts survive instant navigation. */
(function () {
  "use strict";
  var script = document.currentScript;
  var bundleUrl = new URL("vendor/vega-bundle.js", script ? script.src : location.href).href;
  var loading = null;

  function loadBundle() {
    if (window.vegaEmbed) return Promise.resolve(window.vegaEmbed);
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = bundleUrl;
        s.onload = function () { resolve(window.vegaEmbed); };
        s.onerror = function () { reject(new Error("cannot load " + bundleUrl)); };
        document.head.appendChild(s);
      });
    }
    return loading;
  }

  function draw() {
    var views = Array.prototype.slice.call(document.querySelectorAll(".cir-chart__view[data-vega-spec]:not([data-drawn])"));
    if (!views.length) return;
    loadBundle().then(function (vegaEmbed) {
      views.forEach(function (view) {
        view.setAttribute("data-drawn", "1");
        var spec = JSON.parse(view.getAttribute("data-vega-spec"));
        // Vega names its container "Vega visualization"; the summary is the chart's real name.
        var role = view.getAttribute("role"), label = view.getAttribute("aria-label");
        vegaEmbed(view, spec, { actions: false, renderer: "svg" }).then(function () {
          if (role) view.setAttribute("role", role);
          if (label) view.setAttribute("aria-label", label);
          view.removeAttribute("aria-roledescription");
          // The view is one image named by the summary; Vega's own roles inside it would
          // announce unnamed marks (axe: svg-img-alt).
          var svg = view.querySelector("svg");
          if (svg) svg.setAttribute("aria-hidden", "true");
          var figure = view.closest(".cir-chart");
          if (figure) figure.classList.add("cir-chart--live");
        }).catch(function (err) { console.warn("chart", err); });
      });
    }).catch(function (err) { console.warn(String(err)); });
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(draw);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
