// Charts on the home dashboard (data from the json_script element "chart-data").
(function () {
  var source = document.getElementById("chart-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var bars = document.getElementById("chart-members");
  if (bars) {
    var bar = echarts.init(bars);
    bar.setOption({
      tooltip: {trigger: "axis"},
      grid: {left: 8, right: 40, bottom: 8, top: 8, containLabel: true},
      xAxis: {type: "value", minInterval: 1},
      yAxis: {type: "category", data: data.labels, inverse: true, axisLabel: {width: 110, overflow: "truncate"}},
      series: [{name: "党员人数", type: "bar", data: data.values, itemStyle: {color: "#b5121b"},
                label: {show: true, position: "right", color: "#333"}}]
    });
    charts.push(bar);
  }
  var pies = document.getElementById("chart-categories");
  if (pies) {
    var pie = echarts.init(pies);
    pie.setOption({
      tooltip: {trigger: "item", formatter: "{b}：{c} 名（{d}%）"},
      legend: {bottom: 0},
      series: [{name: "所在领域", type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"], data: data.categories,
                label: {formatter: "{b} {c}"}}]
    });
    charts.push(pie);
  }
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
