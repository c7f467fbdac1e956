// q2c's own script: small, no inline code anywhere (the CSP forbids it).
// It localises times, draws charts, and moves focus to form errors.
(function () {
  "use strict";

  // Times arrive in UTC; show them in the viewer's own time zone.
  function localise(root) {
    var dt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
    var d = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
    root.querySelectorAll("time[data-local]").forEach(function (el) {
      var t = new Date(el.getAttribute("datetime"));
      if (isNaN(t)) return;
      el.textContent = el.dataset.local === "date" ? d.format(t) : dt.format(t);
      el.title = t.toISOString();
    });
  }

  // Charts: <div class="chart" data-chart='{"kind":"bar","labels":[...],"series":[{"label":..,"values":[..]}],"unit":".."}'>
  var palette = ["#2557d6", "#e0822d", "#1d9a6c", "#b23b6e", "#6b5bd2"];
  function drawCharts(root) {
    if (typeof uPlot === "undefined") return;
    root.querySelectorAll("div.chart[data-chart]").forEach(function (el) {
      try { drawChart(el); } catch (e) { el.textContent = "Chart unavailable"; }
    });
  }

  function drawChart(el) {
    {
      if (el.dataset.drawn) return;
      el.dataset.drawn = "1";
      var spec = JSON.parse(el.dataset.chart);
      spec.labels = spec.labels || [];
      spec.series = spec.series || [];
      if (spec.labels.length === 0 || spec.series.length === 0) {
        el.classList.add("no-data");
        el.textContent = "No data yet";
        return;
      }
      var xs = spec.labels.map(function (_, i) { return i; });
      var bars = spec.kind === "bar" ? uPlot.paths.bars({ size: [0.6, 64] }) : null;
      var series = [{}].concat(spec.series.map(function (s, i) {
        return { label: s.label, stroke: palette[i % palette.length], fill: bars ? palette[i % palette.length] + "cc" : undefined,
          width: 2, paths: bars || undefined, points: { show: !bars } };
      }));
      var width = Math.max(240, el.clientWidth || 600);
      var plot = new uPlot({
        width: width, height: 240, series: series,
        scales: { x: { time: false, range: [-0.5, xs.length - 0.5] },
                  y: { range: function (u, min, max) { return [0, max > 0 ? max * 1.1 : 1]; } } },
        axes: [
          { values: function (u, ticks) { return ticks.map(function (t) { return spec.labels[t] || ""; }); }, splits: function () { return xs; } },
          spec.integer ? { label: spec.unit || "", size: 70, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 100000] }
                       : { label: spec.unit || "", size: 70 }
        ],
        legend: { show: spec.series.length > 1 }
      }, [xs].concat(spec.series.map(function (s) {
        return s.values.map(function (v, i) { return s.gaps && s.gaps[i] ? null : v; });
      })), el);
      plots.push({ plot: plot, el: el });
    }
  }

  // Charts follow the width of their box (a phone turned, a window resized).
  var plots = [];
  var resizing = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      plots = plots.filter(function (p) { return document.body.contains(p.el); });
      plots.forEach(function (p) { p.plot.setSize({ width: Math.max(240, p.el.clientWidth), height: 240 }); });
    }, 100);
  });

  function focusErrors(root) {
    var summary = root.querySelector(".error-summary");
    if (summary) summary.focus();
  }

  function enhance(root) {
    localise(root);
    drawCharts(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); focusErrors(document); });
  document.addEventListener("htmx:afterSwap", function (e) { enhance(e.target); });
  document.addEventListener("htmx:afterSettle", function (e) { if (e.target === document.body) focusErrors(document); });
})();
