// Charts of the server-rendered pages: data comes from <script type="application/json"> blocks.
(function () {
  "use strict";

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  var COLOURS = { green: "#2e9e44", yellow: "#e5a50a", red: "#d0312d", grey: "#9a9a9a" };
  var NONE = "#e4e4e4"; // 未报送: a region without a counted report

  function drawMap() {
    var el = document.getElementById("map");
    if (!el || !window.echarts) return;
    var level = el.dataset.level, period = el.dataset.period;
    var values = data("map-data") || [];
    fetch("/geo/" + level + ".json").then(function (r) { return r.json(); }).then(function (geo) {
      var mapName = "zj-" + level;
      echarts.registerMap(mapName, geo);
      var centres = {};
      geo.features.forEach(function (f) { centres[f.properties.name] = f.properties; });
      var chart = echarts.init(el, null, { renderer: "canvas" });
      var nums = values.map(function (v) { return v.value; }).filter(function (v) { return v !== null; });
      // by status: each region in its own status colour (a chosen target's red/yellow/green);
      // by completion: a continuous scale from red to green
      var byStatus = el.dataset.by === "status";
      var RANK = { green: 3, yellow: 2, red: 1, grey: 0 };
      var visual = byStatus ? {
        type: "piecewise", left: 10, bottom: 10, dimension: 1,
        pieces: ["green", "yellow", "red", "grey"].map(function (c) {
          var v = values.find(function (x) { return x.colour === c && x.reported; });
          return { value: RANK[c], color: COLOURS[c], label: v ? v.status : c };
        }).concat([{ value: -1, color: NONE, label: "未报送" }])
      } : {
        min: nums.length ? Math.min.apply(null, nums.concat([0])) : 0,
        max: nums.length ? Math.max.apply(null, nums.concat([100])) : 100,
        calculable: true, left: 10, bottom: 10,
        inRange: { color: ["#d0312d", "#f3d36b", "#2e9e44"] }
      };
      chart.setOption({
        tooltip: {
          trigger: "item",
          formatter: function (p) {
            var d = p.data || {};
            var name = (centres[p.name] || {}).name_zh || p.name;
            return name + "<br>" + el.dataset.label + "：" + (d.pct == null ? "—" : d.pct) +
              (d.status ? "<br>" + d.status : "");
          }
        },
        visualMap: visual,
        series: [{
          type: "map", map: mapName, roam: false, nameProperty: "name",
          label: { show: level === "city", formatter: function (p) { return (centres[p.name] || {}).name_zh || p.name; } },
          itemStyle: { areaColor: NONE },
          data: values.map(function (v) {
            var rank = v.reported ? RANK[v.colour || "grey"] : -1;
            var shown = byStatus ? [v.value, rank] : v.value;
            var item = { name: v.code, value: shown, status: v.reported ? v.status : "未报送", pct: v.value };
            // a total with too few reports: grey, outside the colour scale
            if (!byStatus && v.coverage) item.itemStyle = { areaColor: COLOURS.grey };
            return item;
          })
        }]
      });
      chart.on("click", function (p) {
        if (p.name) window.location.href = "/regions/" + p.name + "?period=" + encodeURIComponent(period);
      });
      function locate() {
        // pixel position of each region's centroid: lets people (and tests) find a region
        var px = {};
        Object.keys(centres).forEach(function (code) {
          if (centres[code].cp) px[code] = chart.convertToPixel({ seriesIndex: 0 }, centres[code].cp);
        });
        window.zsMap = { chart: chart, pixels: px };
        el.dataset.ready = "1";
      }
      locate();
      window.addEventListener("resize", function () { chart.resize(); locate(); });
    });
  }

  function drawTrend() {
    var el = document.getElementById("trend");
    if (!el || !window.echarts) return;
    var rows = data("trend-data") || [];
    var chart = echarts.init(el);
    function col(k) { return rows.map(function (r) { return r[k]; }); }
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["实际", "序时进度", "目标"] },
      xAxis: { type: "category", data: col("month") },
      yAxis: { type: "value" },
      series: [
        { name: "实际", type: "bar", data: col("actual"), itemStyle: { color: "#3a6ea5" } },
        { name: "序时进度", type: "line", data: col("schedule"), lineStyle: { type: "dashed" }, itemStyle: { color: COLOURS.yellow } },
        { name: "目标", type: "line", data: col("target"), showSymbol: false, itemStyle: { color: COLOURS.red } }
      ]
    });
    el.dataset.ready = "1";
  }

  // A major project's plan against its actual investment, year to date by month.
  function drawPlan() {
    var el = document.getElementById("plan-chart");
    if (!el || !window.echarts) return;
    var rows = data("plan-data") || [];
    var chart = echarts.init(el);
    function col(k) { return rows.map(function (r) { return r[k]; }); }
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["计划累计", "完成累计"] },
      xAxis: { type: "category", data: col("month") },
      yAxis: { type: "value", name: "万元" },
      series: [
        { name: "计划累计", type: "line", data: col("planned_ytd_wan"), lineStyle: { type: "dashed" }, itemStyle: { color: COLOURS.yellow } },
        { name: "完成累计", type: "bar", data: col("actual_ytd_wan"), itemStyle: { color: "#3a6ea5" } }
      ]
    });
    el.dataset.ready = "1";
  }

  // A region's rectification cases: completions and verifications by month.
  function drawCaseMonths() {
    var el = document.getElementById("case-months");
    if (!el || !window.echarts) return;
    var rows = data("case-months-data") || [];
    var chart = echarts.init(el);
    function col(k) { return rows.map(function (r) { return r[k]; }); }
    chart.setOption({
      animation: false, // drawn at once: the board is read, not watched
      tooltip: { trigger: "axis" },
      legend: { data: [el.dataset.completed, el.dataset.verified] },
      xAxis: { type: "category", data: col("month") },
      yAxis: { type: "value", minInterval: 1 },
      series: [
        { name: el.dataset.completed, type: "bar", data: col("completed"), itemStyle: { color: "#3a6ea5" } },
        { name: el.dataset.verified, type: "bar", data: col("verified"), itemStyle: { color: COLOURS.green } }
      ]
    });
    el.dataset.ready = "1";
  }

  // A "tick all" box ticks every box of its name (the candidates of the review table).
  document.addEventListener("change", function (e) {
    var name = e.target.dataset && e.target.dataset.checkAll;
    if (!name) return;
    document.querySelectorAll("input[type=checkbox][name='" + name + "']").forEach(function (box) {
      box.checked = e.target.checked;
    });
  });

  // A refused request (400/403/422) still shows its message where the form asked for it to go.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    var target = e.detail.target;
    if (status >= 400 && status < 500 && target && target.dataset.swapErrors) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
      // a whole error page (a request refused before its handler): only its message, in a
      // container like the one it replaces
      var page = new DOMParser().parseFromString(e.detail.serverResponse, "text/html");
      var message = page.querySelector("section.error-page");
      if (message && page.querySelector("header.top")) {
        var box = document.createElement("div");
        box.id = target.id;
        box.dataset.swapErrors = "1";
        box.appendChild(message);
        e.detail.serverResponse = box.outerHTML;
      }
    }
  });

  document.addEventListener("DOMContentLoaded", function () { drawMap(); drawTrend(); drawPlan(); drawCaseMonths(); });
})();
