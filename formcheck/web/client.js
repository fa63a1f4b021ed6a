// A client's history (/clients/{id}/view): upload a session, the sessions with their result and report one click
// away, and per exercise the trends over sessions: clean-rep share and each fault's rate (share of reps), and
// the range reached (the rep metric's median swing: depth in a squat).

import { detailOf } from "/static/job.js";
import { lineChart } from "/static/charts.js";
import { element } from "/static/pages.js";

const $ = (id) => document.getElementById(id);
const clientId = decodeURIComponent(location.pathname.split("/")[2] || "");

function link(text, href, testId) {
  const a = element("a", text, "jump");
  a.href = href;
  if (testId) a.dataset.testid = testId;
  return a;
}

function showTrends(trends, words) {
  const plots = [];
  for (const [exercise, points] of Object.entries(trends)) {
    const dates = points.map((point) => point.date);
    const title = words.exercises[exercise] || exercise;
    const faults = [...new Set(points.flatMap((point) => Object.keys(point.fault_rates)))].sort();
    plots.push(lineChart(`${title}: clean reps and each fault's rate (share of reps)`, dates, [
      { name: "clean reps", values: points.map((point) => point.clean_share) },
      ...faults.map((fault) => ({ name: words.faults[fault] || fault, values: points.map((point) => point.fault_rates[fault] ?? 0) })),
    ], { low: 0, high: 1 }));
    const ranges = points.map((point) => point.range_reached);
    const known = ranges.filter((value) => value !== null);
    if (known.length) {
      const measure = words.range[exercise] || "rep swing";
      plots.push(lineChart(`${title}: range reached (median ${measure} swing)`, dates, [{ name: "range", values: ranges }],
        { low: Math.min(0, ...known), high: Math.max(...known) }));
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
