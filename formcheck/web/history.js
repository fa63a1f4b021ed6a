// formcheck history: the guided sessions kept in this browser (localStorage, written by session.js), as charts
// over days (each exercise's best set and clean share, the back's 0-10 rating before and after) and a table.
// Nothing is fetched: the history never leaves the device.

import { lineChart } from "/static/charts.js";

const HISTORY_KEY = "formcheck.history";

function sessions() {
  try {
    const kept = JSON.parse(localStorage.getItem(HISTORY_KEY)) || [];
    return kept.filter((past) => past && past.started).sort((a, b) => a.started.localeCompare(b.started));
  } catch {
    return [];
  }
}

const dateOf = (past) => new Date(past.started).toLocaleDateString();

function charts(kept) {
  const dates = kept.map(dateOf);
  const figures = [];
  const pain = [
    { name: "before", values: kept.map((past) => (Number.isFinite(past.painBefore) ? past.painBefore : null)) },
    { name: "after", values: kept.map((past) => (Number.isFinite(past.painAfter) ? past.painAfter : null)) },
  ].filter((line) => line.values.some((value) => value !== null));
  if (pain.length) figures.push(lineChart("Your back (0-10, lower is better)", dates, pain, { low: 0, high: 10 }));
  const exercises = [...new Set(kept.flatMap((past) => (past.results || []).map((result) => result.exercise)))];
  for (const exercise of exercises) {
    const setsOf = (past) => (past.results || []).filter((result) => result.exercise === exercise);
    const best = kept.map((past) => {
      const sets = setsOf(past);
      return sets.length ? Math.max(...sets.map((result) => result.amount)) : null;
    });
    const clean = kept.map((past) => {
      const judged = setsOf(past).filter((result) => Number.isFinite(result.clean) && result.amount > 0);
      if (!judged.length) return null;
      const reps = judged.reduce((sum, result) => sum + result.amount, 0);
      return (100 * judged.reduce((sum, result) => sum + result.clean, 0)) / reps;
    });
    const unit = kept.flatMap(setsOf)[0].unit;
    const name = exercise.replaceAll("_", " ");
    const known = best.filter((value) => value !== null);
    figures.push(lineChart(`${name}: best set (${unit === "s" ? "seconds held" : "reps"})`, dates,
      [{ name: "best set", values: best }], { low: 0, high: Math.max(1, ...known) }));
    if (clean.some((value) => value !== null)) {
      figures.push(lineChart(`${name}: clean reps`, dates, [{ name: "clean", values: clean }], { low: 0, high: 100, unit: "%" }));
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
