// Draws every <canvas data-chart="{...}"> with the vendored Chart.js. The JSON carries
// {type, labels, datasets:[{label, data}]}; colours come from here so pages stay data-only.
(function () {
  const COLOURS = ["#3446c8", "#1d7a46", "#9a5b00", "#6941c6", "#b42318"];
  function draw() {
    if (typeof window.Chart === "undefined") return;
    document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
      let spec;
      try { spec = JSON.parse(canvas.dataset.chart); } catch (e) { return; }
      const percent = canvas.dataset.percent === "true";
      const datasets = spec.datasets.map((d, i) => ({
        label: d.label, data: d.data,
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: spec.type === "bar" ? COLOURS[i % COLOURS.length] : COLOURS[i % COLOURS.length] + "22",
        fill: spec.type === "line", tension: 0, pointRadius: 2, borderWidth: 2,
      }));
      new window.Chart(canvas, {
        type: spec.type,
        data: { labels: spec.labels, datasets: datasets },
        options: {
          responsive: true, maintainAspectRatio: false, animation: false,
          interaction: { mode: "index", intersect: false },
          plugins: { legend: { position: "bottom" } },
          scales: { y: { beginAtZero: true, ticks: { precision: 0, callback: (v) => percent ? v + "%" : v },
                         max: percent ? 100 : undefined } },
        },
      });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
