// Draws every chart of a report page with ECharts (served from the platform, no CDN). Each chart's
// option and drill-down links arrive as JSON in <script type="application/json" data-chart-spec>;
// a click on a bar or point opens the list of clocks, items or events behind it.
(function () {
  'use strict';
  if (!window.echarts) return;
  var specs = document.querySelectorAll('script[data-chart-spec]');
  var charts = [];
  for (var i = 0; i < specs.length; i++) {
    var key = specs[i].getAttribute('data-chart-spec');
    var el = document.querySelector('[data-chart="' + key + '"]');
    if (!el) continue;
    var spec;
    try {
      spec = JSON.parse(specs[i].textContent);
    } catch {
      continue;
    }
    var chart = window.echarts.init(el, null, { renderer: 'svg' });
    chart.setOption(spec.option);
    el.setAttribute('data-rendered', 'true');
    (function (drill) {
      chart.on('click', function (p) {
        var row = drill && drill[p.seriesIndex];
        var url = row && row[p.dataIndex];
        if (url) window.location.href = url;
      });
    })(spec.drill);
    charts.push(chart);
  }
  window.addEventListener('resize', function () {
    for (var j = 0; j < charts.length; j++) charts[j].resize();
  });
  window.addEventListener('beforeprint', function () {
    for (var j = 0; j < charts.length; j++) charts[j].resize();
  });
})();
