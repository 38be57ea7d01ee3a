// Member distribution chart on the home dashboard (data from the json_script element).
(function () {
  var el = document.getElementById("chart-members");
  var source = document.getElementById("chart-data");
  if (!el || !source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el);
  chart.setOption({
    tooltip: {trigger: "item"},
    grid: {left: 8, right: 8, bottom: 8, top: 24, containLabel: true},
    xAxis: {type: "value", minInterval: 1},
    yAxis: {type: "category", data: data.labels, inverse: true, axisLabel: {width: 110, overflow: "truncate"}},
    series: [
      {name: "党员人数", type: "bar", data: data.values, itemStyle: {color: "#b5121b"}, label: {show: true, position: "right"}},
      {name: "领域", type: "pie", radius: ["0%", "22%"], center: ["82%", "78%"], data: data.categories, label: {show: false}}
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
