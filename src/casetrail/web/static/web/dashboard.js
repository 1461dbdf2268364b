// The supervision dashboard: one ECharts chart per [data-chart] element, drawn from the JSON the
// page carries (#dashboard-data). A click on a bar or a point opens the list behind it. Tooltips
// are drawn on the canvas (renderMode "richText"): no HTML is injected, so the page's
// Content-Security-Policy (no inline style) holds.
"use strict";

const SEVERITY = { red: "#b3261e", orange: "#d9730d", yellow: "#c9a400", value: "#1f4e79", count: "#7a869a" };

function chartOption(chart, emptyText) {
  const stacked = chart.kind === "stacked";
  return {
    animation: false,
    title: chart.categories.length ? undefined : { text: emptyText, left: "center", top: "middle", textStyle: { fontSize: 14, color: "#6b7280", fontWeight: "normal" } },
    tooltip: { trigger: "item", renderMode: "richText" },
    legend: { show: chart.series.length > 1 },
    grid: { left: 48, right: 16, bottom: 72, top: 36 },
    xAxis: { type: "category", data: chart.categories, axisLabel: { rotate: chart.categories.length > 6 ? 30 : 0 } },
    yAxis: { type: "value", name: chart.measure, minInterval: 1 },
    series: chart.series.map((s) => ({
      name: s.name,
      type: chart.kind === "line" ? "line" : "bar",
      stack: stacked ? "all" : undefined,
      data: s.values,
      barMaxWidth: 56,
      itemStyle: { color: SEVERITY[s.key] || SEVERITY.value },
    })),
  };
}

function drawDashboard() {
  const holder = document.getElementById("dashboard-data");
  if (!holder || typeof echarts === "undefined") {
    return;
  }
  const data = JSON.parse(holder.textContent);
  window.casetrailCharts = {};
  document.querySelectorAll("[data-chart]").forEach((element) => {
    const chart = data[element.getAttribute("data-chart")];
    if (!chart) {
      return;
    }
    const drawn = echarts.init(element, null, { renderer: "canvas" });
    drawn.setOption(chartOption(chart, element.getAttribute("data-empty") || ""));
    drawn.on("click", (params) => {
      const series = chart.series[params.seriesIndex];
      const link = series && series.links[params.dataIndex];
      if (link) {
        window.location.assign(link);
      }
    });
    element.setAttribute("data-drawn", String(chart.categories.length));
    window.casetrailCharts[chart.id] = drawn;
  });
  window.addEventListener("resize", () => {
    Object.values(window.casetrailCharts).forEach((drawn) => drawn.resize());
  });
}

drawDashboard();
