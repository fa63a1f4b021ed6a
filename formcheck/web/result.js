// The result page of one analysis (/analyses/{id}/view): the annotated video beside the reps, faults, cues and what
// was not judged. Everything comes from GET /analyses/{id}; clicking a rep or a fault seeks the video to its start.

import { describeJob, detailOf, followJob } from "/static/job.js";
import { element } from "/static/pages.js";

const RARELY_JUDGED = 0.5; // a check judged in less of the frames than this is listed as mostly unjudged

const $ = (id) => document.getElementById(id);
const id = decodeURIComponent(location.pathname.split("/")[2] || "");
const video = $("video");

// "7.5 s", or "1:07.5" past a minute.
function clock(t) {
  if (t < 60) return `${t.toFixed(1)} s`;
  const seconds = t % 60;
  return `${Math.floor(t / 60)}:${seconds < 10 ? "0" : ""}${seconds.toFixed(1)}`;
}

function span(start, end) {
  return `${clock(start).replace(" s", "")}–${clock(end)}`;
}

// Whole numbers for angles and seconds-sized values, two decimals for ratios and torso lengths.
function amount(value) {
  if (value === null || value === undefined) return "–";
  return Math.abs(value) >= 10 ? value.toFixed(0) : value.toFixed(2);
}

function seek(t) {
  video.currentTime = t;
  if (video.getBoundingClientRect().top < 0) video.scrollIntoView({ behavior: "smooth", block: "start" });
}

// A button that seeks the video to ``t`` (a rep's or a fault's start).
function seekButton(text, t, className, testId) {
  const button = element("button", text, `seek ${className}`);
  button.type = "button";
  button.dataset.start = String(t);
  if (testId) button.dataset.testid = testId;
  button.title = `Play from ${clock(t)}`;
  button.addEventListener("click", (event) => {
    event.stopPropagation(); // a fault inside a rep's row seeks to the fault, not the rep
    seek(t);
  });
  return button;
}

// A table row; each cell carries its column's name, shown above it on phones.
function row(cells, head) {
  const tr = document.createElement("tr");
  for (const [index, cell] of cells.entries()) {
    const td = document.createElement("td");
    td.dataset.label = head[index];
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell;
    tr.append(td);
  }
  return tr;
}

function faultList(faults, words) {
  if (!faults.length) return element("span", "clean", "clean-tag");
  const list = element("span", undefined, "faults");
  for (const fault of faults) list.append(seekButton(words.faults[fault.id] || fault.id, fault.start_s, `fault ${fault.severity}`, "fault"));
  return list;
}

// The rep (or hold) table: one row per stretch of the set, a click on the row seeking the video to its start.
function showSegments(head, segments) {
  $("reps-head").replaceChildren(...head.map((text) => element("th", text)));
  const rows = segments.map(({ cells, start_s, end_s }) => {
    const tr = row(cells, head);
    tr.dataset.start = String(start_s);
    tr.dataset.end = String(end_s);
    tr.addEventListener("click", () => seek(start_s));
    return tr;
  });
  $("reps-body").replaceChildren(...rows);
  $("reps").hidden = false;
}

function showReps(review, words) {
  const head = ["Rep", "Time", `${words.rep_metric_label} at the turn`, "Range", "Out / back", "Faults"];
  showSegments(head, review.reps.map((rep) => ({
    start_s: rep.start_s,
    end_s: rep.end_s,
    cells: [
      seekButton(String(rep.index) + (rep.side ? ` ${rep.side}` : ""), rep.start_s, "rep", "rep"),
      span(rep.start_s, rep.end_s),
      amount(rep.metrics[words.rep_metric]),
      amount(rep.range),
      `${rep.tempo_out_s.toFixed(1)} / ${rep.tempo_return_s.toFixed(1)} s`,
      faultList(rep.faults, words),
    ],
  })));
}

function showHolds(review, words) {
  const head = ["Hold", "Time", "Held", "Good form", "Faults"];
  showSegments(head, review.holds.map((hold, index) => {
    const faults = Object.entries(hold.fault_s).map(([faultId, seconds]) => `${words.faults[faultId] || faultId} ${seconds.toFixed(1)} s`);
    return {
      start_s: hold.start_s,
      end_s: hold.end_s,
      cells: [
        seekButton(String(index + 1) + (hold.side ? ` ${hold.side}` : ""), hold.start_s, "rep", "rep"),
        span(hold.start_s, hold.end_s),
        `${(hold.end_s - hold.start_s).toFixed(1)} s`,
        `${hold.good_form_s.toFixed(1)} s`,
        faults.join(", ") || "clean",
      ],
    };
  }));
}

function fill(listId, items) {
  $(listId).replaceChildren(...items);
  $(`${listId}-box`).hidden = items.length === 0;
}

function line(...parts) {
  const li = document.createElement("li");
  li.append(...parts);
  return li;
}

function showReview(job) {
  const { review, words } = job;
  const summary = review.summary;
  document.title = `${words.title}: formcheck review`;
  $("title").textContent = `${words.title} · ${review.source.path}`;
  const unit = review.reps.length || !review.holds.length ? "reps" : "holds";
  $("dose").textContent = summary.prescription || `${review.rep_count} ${review.rep_count === 1 ? unit.slice(0, -1) : unit}`;
  const clean = [];
  if (review.reps.length) clean.push(`${summary.clean_reps} clean`);
  if (summary.hold_s !== null) clean.push(`held ${summary.hold_s.toFixed(1)} s, ${summary.good_form_s.toFixed(1)} s with good form`);
  if (summary.partial_reps) clean.push(`${summary.partial_reps} partial (not counted)`);
  $("clean").textContent = clean.join(" · ");

  if (review.reps.length) showReps(review, words);
  else if (review.holds.length) showHolds(review, words);
  const uncounted = review.uncounted_reps.map((rep) => line(seekButton(span(rep.start_s, rep.end_s), rep.start_s, "time"), ` not counted: ${rep.reason}`));
  $("uncounted").replaceChildren(...uncounted);
  $("uncounted").hidden = uncounted.length === 0;

  // One cue per fault, in the order they first happened, with every time it happened.
  const cues = new Map();
  for (const fault of review.faults) {
    if (!cues.has(fault.id)) cues.set(fault.id, { cue: fault.cue, times: [] });
    cues.get(fault.id).times.push(fault.start_s);
  }
  fill("cues", [...cues].map(([faultId, { cue, times }]) => line(
    element("strong", words.faults[faultId] || faultId), `: ${cue} `,
    ...times.map((t) => seekButton(clock(t), t, "time", "cue-time")),
  )));

  const notJudged = [];
  for (const check of review.checks) {
    const name = element("strong", words.faults[check.id] || check.id);
    if (check.skipped_reason) notJudged.push(line(name, `: ${check.skipped_reason}`));
    else if (check.judged_fraction < RARELY_JUDGED) {
      notJudged.push(line(name, `: judged in only ${Math.round(check.judged_fraction * 100)}% of the frames with a person in them`));
    }
  }
  fill("not-judged", notJudged);

  fill("unseen", [
    ...review.unseen_spans.map((unseen) => line(seekButton(span(unseen.start_s, unseen.end_s), unseen.start_s, "time"), ` ${unseen.description}`)),
    ...review.warnings.map((warning) => line(seekButton(span(warning.start_s, warning.end_s), warning.start_s, "time"), ` ${warning.message}`)),
  ]);

  if (job.client !== null) showJudgement(job);
  if (job.video) video.src = job.video;
  else {
    video.hidden = true;
    $("no-video").hidden = false;
  }
  $("state").hidden = true;
  $("result").hidden = false;
}

async function judge(body) {
  const response = await fetch(`/analyses/${encodeURIComponent(id)}/judgements`, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  if (!response.ok) {
    $("judge-state").textContent = await detailOf(response);
    return;
  }
  $("judge-state").textContent = "";
  showJudgement(await (await fetch(`/analyses/${encodeURIComponent(id)}`)).json());
}

// A trainer's analysis: confirm or dismiss each flagged fault, add a missed one, and what was said so far.
function showJudgement(job) {
  const { review, words } = job;
  $("client-link").href = `/clients/${job.client}/view`;
  $("client-link").hidden = false;
  $("flagged").replaceChildren(...review.faults.map((fault) => {
    const where = fault.rep !== null ? { rep: fault.rep } : { start_s: fault.start_s };
    const note = element("input");
    note.placeholder = "note";
    note.dataset.testid = "note";
    const buttons = ["confirm", "dismiss"].map((verdict) => {
      const button = element("button", verdict[0].toUpperCase() + verdict.slice(1));
      button.type = "button";
      button.dataset.testid = verdict;
      button.addEventListener("click", () => judge({ verdict, fault_id: fault.id, ...where, note: note.value }));
      return button;
    });
    const li = line(element("strong", words.faults[fault.id] || fault.id),
      fault.rep !== null ? ` in rep ${fault.rep} ` : ` at ${clock(fault.start_s)} `);
    li.className = "judge";
    li.dataset.testid = "flagged-fault";
    li.append(note, ...buttons);
    return li;
  }));
  $("judgements").replaceChildren(...job.judgements.map((judgement) => {
    const where = judgement.rep !== null ? `rep ${judgement.rep}` : clock(judgement.start_s);
    const li = line(`${judgement.verdict}: ${words.faults[judgement.fault_id] || judgement.fault_id} (${where})`
      + (judgement.note ? ` · ${judgement.note}` : ""));
    li.dataset.testid = "judgement";
    return li;
  }));
  $("judge-box").hidden = false;
}

$("add-fault").addEventListener("submit", (event) => {
  event.preventDefault();
  judge({ verdict: "add", fault_id: $("add-id").value.trim(), rep: Number($("add-rep").value), note: $("add-note").value });
});

// The row of the rep (or hold) playing now stands out.
video.addEventListener("timeupdate", () => {
  for (const tr of $("reps-body").children) {
    tr.classList.toggle("now", Number(tr.dataset.start) <= video.currentTime && video.currentTime <= Number(tr.dataset.end));
  }
});

async function main() {
  $("json-link").href = `/analyses/${encodeURIComponent(id)}`;
  const job = await followJob(id, (update) => {
    if (update.status !== "done") $("state").textContent = describeJob(update).text;
  });
  if (job.status === "done") showReview(job);
}

main().catch((error) => {
  $("state").textContent = `${error.message}. Finished analyses are kept for a while, then forgotten: upload the clip again.`;
});
