// formcheck history: the guided sessions kept in this browser (localStorage, written by session.js), as charts
// over days (each exercise's best set and clean share, the back's 0-10 rating before and after) and a table.
// Nothing is fetched: the history never leaves the device.
const HISTORY_KEY = "formcheck.history";
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 480;
const HEIGHT = 180;
const PAD = { left: 36, right: 12, top: 12, bottom: 28 };
const COLOURS = ["#31e981", "#58a6ff", "#ffb000", "#ff7b72"];

function sessions() {
  try {
    const kept = JSON.parse(localStorage.getItem(HISTORY_KEY)) || [];
    return kept.filter((past) => past && past.started).sort((a, b) => a.started.localeCompare(b.started));
  } catch {
    return [];
  }
}

const dateOf = (past) => new Date(past.started).toLocaleDateString();

function element(name, attributes = {}, text = "") {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text) node.textContent = text;
  return node;
}

// One line chart: `series` is [{name, points: [[session index, value], ...]}], over the sessions' dates.
function lineChart(title, dates, series, { min = 0, max = null, unit = "" } = {}) {
  const figure = document.createElement("figure");
  figure.className = "chart";
  figure.dataset.testid = "history-chart";
  figure.append(Object.assign(document.createElement("figcaption"), { textContent: title }));
  const values = series.flatMap((line) => line.points.map(([, value]) => value));
  const top = max ?? Math.max(1, ...values);
  const x = (index) => PAD.left + (dates.length > 1 ? (index / (dates.length - 1)) * (WIDTH - PAD.left - PAD.right) : (WIDTH - PAD.left - PAD.right) / 2);
  const y = (value) => HEIGHT - PAD.bottom - ((value - min) / (top - min || 1)) * (HEIGHT - PAD.top - PAD.bottom);
  const svg = element("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": title });
  svg.append(element("line", { class: "axis", x1: PAD.left, y1: y(min), x2: WIDTH - PAD.right, y2: y(min) }));
  svg.append(element("line", { class: "axis", x1: PAD.left, y1: y(min), x2: PAD.left, y2: y(top) }));
  svg.append(element("text", { class: "label", x: 4, y: y(top) + 4 }, `${Math.round(top)}${unit}`));
  svg.append(element("text", { class: "label", x: 4, y: y(min) }, `${min}${unit}`));
  svg.append(element("text", { class: "label", x: PAD.left, y: HEIGHT - 8 }, dates[0] || ""));
  if (dates.length > 1) {
    svg.append(element("text", { class: "label", x: WIDTH - PAD.right, y: HEIGHT - 8, "text-anchor": "end" }, dates.at(-1)));
  }
  const legend = document.createElement("div");
  legend.className = "legend";
  series.forEach((line, index) => {
    const colour = COLOURS[index % COLOURS.length];
    const path = line.points.map(([at, value]) => `${x(at).toFixed(1)},${y(value).toFixed(1)}`).join(" ");
    svg.append(element("polyline", { class: "series", points: path, stroke: colour, "data-series": line.name }));
    for (const [at, value] of line.points) {
      svg.append(element("circle", { class: "dot", cx: x(at), cy: y(value), r: 4, fill: colour }));
    }
    const key = Object.assign(document.createElement("span"), { textContent: line.name });
    key.style.color = colour; // through the CSSOM: the page's policy allows no inline style attribute
    legend.append(key);
  });
  figure.append(svg);
  if (series.length > 1) figure.append(legend);
  return figure;
}

function charts(kept) {
  const dates = kept.map(dateOf);
  const figures = [];
  const pain = [
    { name: "before", points: kept.flatMap((past, i) => (Number.isFinite(past.painBefore) ? [[i, past.painBefore]] : [])) },
    { name: "after", points: kept.flatMap((past, i) => (Number.isFinite(past.painAfter) ? [[i, past.painAfter]] : [])) },
  ].filter((line) => line.points.length);
  if (pain.length) figures.push(lineChart("Your back (0-10, lower is better)", dates, pain, { max: 10 }));
  const exercises = [...new Set(kept.flatMap((past) => (past.results || []).map((result) => result.exercise)))];
  for (const exercise of exercises) {
    const best = [];
    const clean = [];
    let unit = "reps";
    kept.forEach((past, i) => {
      const sets = (past.results || []).filter((result) => result.exercise === exercise);
      if (!sets.length) return;
      unit = sets[0].unit;
      best.push([i, Math.max(...sets.map((result) => result.amount))]);
      const judged = sets.filter((result) => Number.isFinite(result.clean) && result.amount > 0);
      if (judged.length) {
        const reps = judged.reduce((sum, result) => sum + result.amount, 0);
        clean.push([i, (100 * judged.reduce((sum, result) => sum + result.clean, 0)) / reps]);
      }
    });
    const name = exercise.replaceAll("_", " ");
    figures.push(lineChart(`${name}: best set (${unit === "s" ? "seconds held" : "reps"})`, dates, [{ name: "best set", points: best }]));
    if (clean.length) {
      figures.push(lineChart(`${name}: clean reps`, dates, [{ name: "clean", points: clean }], { max: 100, unit: "%" }));
    }
  }
  return figures;
}

function row(past) {
  const tr = document.createElement("tr");
  const best = new Map();
  for (const result of past.results || []) {
    const earlier = best.get(result.exercise);
    if (!earlier || result.amount > earlier.amount) best.set(result.exercise, result);
  }
  const sets = [...best.values()].map((result) => `${result.exercise.replaceAll("_", " ")} ${result.amount}${result.unit === "s" ? " s" : ""}`);
  const pain = `${past.painBefore ?? "-"} / ${past.painAfter ?? "-"}${past.stoppedForPain ? " (stopped for pain)" : ""}`;
  for (const text of [dateOf(past), past.program || "", pain, sets.join(", ") || "-"]) {
    tr.append(Object.assign(document.createElement("td"), { textContent: text }));
  }
  return tr;
}

const kept = sessions();
document.getElementById("empty").hidden = kept.length > 0;
document.getElementById("charts").replaceChildren(...charts(kept));
document.getElementById("sessions").replaceChildren(...kept.slice().reverse().map(row));
