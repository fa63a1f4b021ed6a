// A client's history (/clients/{id}/view): upload a session, the sessions with their result and report one click
// away, and per exercise the trends over sessions: clean-rep share and each fault's rate (share of reps), and
// the range reached (the rep metric's median swing: depth in a squat).

import { detailOf } from "/static/job.js";
import { element } from "/static/pages.js";

const $ = (id) => document.getElementById(id);
const clientId = decodeURIComponent(location.pathname.split("/")[2] || "");
const COLOURS = ["#3fb950", "#f85149", "#d29922", "#58a6ff", "#bc8cff", "#ff7b72", "#79c0ff", "#e3b341"];
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 600;
const HEIGHT = 200;
const PAD = 30;

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  return node;
}

function link(text, href, testId) {
  const a = element("a", text, "jump");
  a.href = href;
  if (testId) a.dataset.testid = testId;
  return a;
}

// One plot: each series a line over the sessions (x: session order), y from ``low`` to ``high``.
function plot(title, dates, series, low, high) {
  const box = element("section", undefined, "trend");
  box.append(element("h3", title));
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: "img", "aria-label": title });
  const x = (index) => PAD + (dates.length === 1 ? (WIDTH - 2 * PAD) / 2 : (index * (WIDTH - 2 * PAD)) / (dates.length - 1));
  const y = (value) => HEIGHT - PAD - ((value - low) / (high - low || 1)) * (HEIGHT - 2 * PAD);
  chart.append(svg("line", { x1: PAD, y1: HEIGHT - PAD, x2: WIDTH - PAD, y2: HEIGHT - PAD, class: "axis" }));
  for (const label of [low, high]) {
    const text = svg("text", { x: 2, y: y(label) + 4 });
    text.textContent = Math.abs(label) >= 10 ? label.toFixed(0) : String(Math.round(label * 100) / 100);
    chart.append(text);
  }
  dates.forEach((date, index) => {
    const text = svg("text", { x: x(index) - 28, y: HEIGHT - 8 });
    text.textContent = date;
    chart.append(text);
  });
  const legend = element("p", undefined, "legend");
  series.forEach(({ name, values }, number) => {
    const colour = COLOURS[number % COLOURS.length];
    const points = values.map((value, index) => (value === null ? null : [x(index), y(value)])).filter(Boolean);
    chart.append(svg("polyline", { points: points.map((p) => p.join(",")).join(" "), fill: "none", stroke: colour, "stroke-width": 2 }));
    for (const [cx, cy] of points) chart.append(svg("circle", { cx, cy, r: 4, fill: colour }));
    const swatch = element("span", undefined, "swatch");
    swatch.style.background = colour;
    const item = element("span");
    item.append(swatch, name);
    legend.append(item);
  });
  box.append(chart, legend);
  return box;
}

function showTrends(trends, words) {
  const plots = [];
  for (const [exercise, points] of Object.entries(trends)) {
    const dates = points.map((point) => point.date);
    const title = words.exercises[exercise] || exercise;
    const faults = [...new Set(points.flatMap((point) => Object.keys(point.fault_rates)))].sort();
    plots.push(plot(`${title}: clean reps and each fault's rate (share of reps)`, dates, [
      { name: "clean reps", values: points.map((point) => point.clean_share) },
      ...faults.map((fault) => ({ name: words.faults[fault] || fault, values: points.map((point) => point.fault_rates[fault] ?? 0) })),
    ], 0, 1));
    const ranges = points.map((point) => point.range_reached);
    const known = ranges.filter((value) => value !== null);
    if (known.length) {
      const measure = words.range[exercise] || "rep swing";
      plots.push(plot(`${title}: range reached (median ${measure} swing)`, dates, [{ name: "range", values: ranges }],
        Math.min(0, ...known), Math.max(...known)));
    }
  }
  $("trends").replaceChildren(...(plots.length ? plots : [element("p", "No analysed sessions yet.")]));
}

async function load() {
  const response = await fetch(`/clients/${encodeURIComponent(clientId)}`);
  if (!response.ok) {
    $("state").textContent = response.status === 401 ? "Sign in first (on /trainer)." : await detailOf(response);
    return null;
  }
  const client = await response.json();
  document.title = `${client.name}: formcheck`;
  $("name").textContent = client.name;
  $("export").href = `/clients/${client.id}/labels`;
  $("sessions").replaceChildren(...client.sessions.slice().reverse().map((session) => {
    const tr = document.createElement("tr");
    tr.dataset.testid = "session";
    for (const cell of [session.session_date, client.words.exercises[session.exercise] || session.exercise, session.status,
      link("open", session.page, "session-link"), session.status === "done" ? link("report", session.report) : "–"]) {
      const td = document.createElement("td");
      td.append(cell);
      tr.append(td);
    }
    return tr;
  }));
  showTrends(client.trends, client.words);
  $("state").textContent = "";
  return client;
}

async function fillExercises() {
  const exercises = await (await fetch("/exercises")).json();
  // no exercise chosen for the trainer (the first alphabetically would be a guess): the select is required
  const prompt = Object.assign(element("option", "Choose the exercise…"), { value: "", selected: true, disabled: true });
  $("exercise").replaceChildren(prompt, ...exercises.map((exercise) => {
    const option = element("option", exercise.title);
    option.value = exercise.id;
    return option;
  }));
  $("date").value = new Date().toISOString().slice(0, 10);
}

$("upload").addEventListener("submit", async (event) => {
  event.preventDefault();
  const form = new FormData($("upload"));
  form.append("client", clientId);
  $("state").textContent = "Uploading…";
  const response = await fetch("/analyses", { method: "POST", body: form });
  if (!response.ok) {
    $("state").textContent = await detailOf(response);
    return;
  }
  const job = await response.json();
  location.href = job.page;
});

$("delete-client").addEventListener("click", async () => {
  if (!confirm("Delete this client with every session, video and judgement?")) return;
  const response = await fetch(`/clients/${encodeURIComponent(clientId)}`, { method: "DELETE" });
  if (response.ok) location.href = "/trainer";
  else $("state").textContent = await detailOf(response);
});

fillExercises();
load();
