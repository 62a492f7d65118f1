// The operator's statistics chart: grouped bars of the table's own numbers (read from the
// page's JSON block, so chart and table never disagree). Chart.js, tree-shaken to bars.
import {BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip}
  from 'chart.js';
import './operator.css';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);

const COLOURS = {received: '#1f5fa8', online: '#5aa0e6', decided: '#2e7d32', overdue: '#c62828'};

function draw() {
  const canvas = document.getElementById('stats-chart');
  const source = document.getElementById('stats-chart-data');
  if (!canvas || !source) return;
  const data = JSON.parse(source.textContent);
  if (!data.labels.length) {
    canvas.closest('figure').hidden = true;
    return;
  }
  const language = document.documentElement.lang || 'pl';
  // One bar group per row; a long list scrolls sideways in its own box, not the page.
  canvas.parentElement.style.setProperty('--bars', String(data.labels.length));
  new Chart(canvas, {
    type: 'bar',
    data: {
      labels: data.labels,
      datasets: Object.keys(COLOURS).map((key) => ({
        label: data.series[key], data: data[key], backgroundColor: COLOURS[key],
      })),
    },
    options: {
      locale: language,
      maintainAspectRatio: false,
      animation: false,
      scales: {y: {beginAtZero: true, ticks: {precision: 0}}},
      plugins: {legend: {position: 'bottom'}},
    },
  });
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', draw);
} else {
  draw();
}
