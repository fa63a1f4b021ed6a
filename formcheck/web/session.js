// formcheck guided session: choose a programme stage, check in, and for each exercise: what it is, where the
// camera goes, a set-up check, a countdown, the counted set, each rep in words, rest, next. History stays in
// this browser (localStorage). The server's side is WS /ws/live (begin/end), GET /programs, /exercises, /safety.
import { LiveLink, clearOver, drawBackLine, drawSkeleton, openCamera, voice } from "./live_client.js";

const READY_HOLD_MS = 1000; // the set-up must hold this long before "get into position": no flicker
const POSITION_MIN_MS = 1500; // "get into position" stays this long at least: time to hear it and settle
const COUNTDOWN_S = 3;
const LONG_PAUSE_MS = 20000; // no rep and no hold for this long ends the set
const REST_S = 60; // between sets; the seeds give no rest for these sessions, a minute is the usual default
const MAX_HOLD_STEP_S = 0.5; // a gap between two answers longer than this is not counted as holding
const HISTORY_KEY = "formcheck.history";
const HISTORY_KEPT = 50;
// ?reps=N and ?hold=S cap every set's target: a short first try, and short browser tests.
const query = new URLSearchParams(location.search);
const TARGET_CAP = { reps: Number(query.get("reps")) || Infinity, s: Number(query.get("hold")) || Infinity };
const VIEW_WORDS = { side: "Put the camera side-on to you", front: "Put the camera in front of you, facing you" };

const $ = (id) => document.getElementById(id);
const ui = Object.fromEntries([
  "mute", "pain", "last-session", "stages", "single", "single-exercise", "rules-before", "pain-before", "checkin-go",
  "intro-step", "intro-title", "figure", "intro-trains", "intro-dose", "intro-note", "intro-last", "camera-plan",
  "intro-view", "intro-camera", "intro-skip", "intro-go", "set-figure", "stage", "video", "overlay", "countdown", "instruction",
  "count-label", "set-count", "set-target", "hold-state", "range-box", "range-label", "range", "last-rep", "cue", "end-set",
  "self-count",
  "stats",
  "after-title", "after-count", "rep-strip", "rest-timer", "after-stop", "next", "pain-after", "pain-change",
  "session-summary", "again", "debug", "pain-dialog", "rules-stop",
].map((id) => [id.replace(/-(\w)/g, (_, c) => c.toUpperCase()), $(id)]));

const exercises = new Map(); // id -> /exercises entry
let programs = [];
let safety = { before: [], stop: [] };
let session = null; // today's session: plan, where we are, results
let set = null; // the set in progress
let restTimer = null;

// --- screens -----------------------------------------------------------------------------------
function show(name) {
  for (const screen of document.querySelectorAll(".screen")) screen.hidden = screen.id !== `screen-${name}`;
  document.body.dataset.screen = name;
}

function listItems(list, texts) {
  list.replaceChildren(...texts.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
}

function painScale(container, onPick) {
  const buttons = [];
  for (let score = 0; score <= 10; score += 1) {
    const button = Object.assign(document.createElement("button"), { type: "button", textContent: String(score) });
    button.dataset.testid = `${container.dataset.testid}-${score}`;
    button.addEventListener("click", () => {
      for (const other of buttons) other.classList.toggle("chosen", other === button);
      onPick(score);
    });
    buttons.push(button);
  }
  container.replaceChildren(...buttons);
}

// --- history (this browser only) ---------------------------------------------------------------
function history() {
  try {
    return JSON.parse(localStorage.getItem(HISTORY_KEY)) || [];
  } catch {
    return [];
  }
}

function saveSession() {
  const kept = history().filter((past) => past.started !== session.started);
  kept.push({
    started: session.started, program: session.name, painBefore: session.painBefore, painAfter: session.painAfter,
    stoppedForPain: session.stoppedForPain, results: session.results,
  });
  localStorage.setItem(HISTORY_KEY, JSON.stringify(kept.slice(-HISTORY_KEPT)));
}

// The best set of an exercise in the latest earlier session that did it: {count, unit} or null.
function lastTime(exercise) {
  const earlier = history().filter((past) => !session || past.started !== session.started);
  for (const past of earlier.reverse()) {
    const sets = past.results.filter((result) => result.exercise === exercise);
    if (sets.length) return best(sets);
  }
  return null;
}

function best(sets) {
  const top = sets.reduce((a, b) => (b.amount > a.amount ? b : a));
  return { amount: top.amount, unit: top.unit };
}

function amountText({ amount, unit }) {
  return unit === "s" ? `${Math.round(amount)} s` : `${amount} ${amount === 1 ? "rep" : "reps"}`;
}

function showLastSession() {
  const past = history().at(-1);
  if (!past) {
    ui.lastSession.textContent = "";
    return;
  }
  const when = new Date(past.started).toLocaleDateString();
  const pain = past.painAfter === null ? "" : `, back ${past.painBefore} before and ${past.painAfter} after`;
  ui.lastSession.textContent = `Last session: ${past.program} on ${when}${pain}.`;
}

// --- choosing ----------------------------------------------------------------------------------
function planOf(entries) {
  return entries.map((entry) => {
    const spec = exercises.get(entry.exercise);
    const sides = entry.per_side ? 2 : 1;
    // The low end of the dose: the seeds say progress conservatively, and stop before any pain.
    const unit = entry.reps ? "reps" : "s";
    const amount = Math.min((entry.reps || entry.hold_s)[0] * sides, TARGET_CAP[unit]);
    return { ...entry, spec, target: { amount, unit } };
  });
}

function showStages() {
  ui.stages.replaceChildren(...programs.map((program) => {
    const card = document.createElement("article");
    card.className = "stage-card";
    const title = Object.assign(document.createElement("h3"), { textContent: program.name });
    const text = Object.assign(document.createElement("p"), { textContent: program.description, className: "muted" });
    const list = document.createElement("ul");
    listItems(list, program.exercises.map((entry) => `${exercises.get(entry.exercise).title}: ${entry.dose_text}`));
    const go = Object.assign(document.createElement("button"), { type: "button", className: "primary", textContent: "Start this session" });
    go.dataset.testid = `stage-${program.id}`;
    go.addEventListener("click", () => checkIn(program.name, planOf(program.exercises)));
    card.append(title, text, list, go);
    return card;
  }));
  ui.singleExercise.replaceChildren(...[...exercises.values()].map((spec) => new Option(spec.title, spec.id)));
}

function singlePlan(id) {
  const spec = exercises.get(id);
  const dose = spec.prescription;
  return planOf([{ exercise: id, sets: dose.sets || 1, reps: dose.reps, hold_s: dose.reps ? null : dose.hold_s,
    per_side: dose.per_side, note: "", dose_text: "" }]);
}

function checkIn(name, plan) {
  session = {
    name, plan, started: new Date().toISOString(), exerciseIndex: 0, setIndex: 0, painBefore: null, painAfter: null,
    stoppedForPain: false, results: [],
  };
  listItems(ui.rulesBefore, safety.before.map((rule) => rule.text));
  ui.checkinGo.disabled = true;
  painScale(ui.painBefore, (score) => {
    session.painBefore = score;
    ui.checkinGo.disabled = false;
  });
  show("checkin");
}

// --- before each exercise ----------------------------------------------------------------------
function current() {
  return session.plan[session.exerciseIndex];
}

function doseText(item) {
  const amount = item.target.unit === "s" ? `${item.target.amount} s held` : `${item.target.amount} reps`;
  return `set ${session.setIndex + 1} of ${item.sets}: ${amount}${item.per_side ? " (both sides together)" : ""}`;
}

function showIntro() {
  const item = current();
  ui.introStep.textContent = `Exercise ${session.exerciseIndex + 1} of ${session.plan.length}`;
  ui.introTitle.textContent = item.spec.title;
  ui.introTrains.textContent = item.spec.trains;
  ui.introDose.textContent = doseText(item);
  ui.introNote.textContent = item.note ? `(${item.note})` : "";
  const last = lastTime(item.exercise);
  ui.introLast.textContent = last ? `Last time: ${amountText(last)} in your best set.` : "";
  const view = item.spec.start_figure.view;
  ui.introView.textContent = `${VIEW_WORDS[view]}.`;
  ui.introCamera.textContent = item.spec.camera.charAt(0).toUpperCase() + item.spec.camera.slice(1) + ".";
  drawFigure(ui.figure, item.spec.start_figure);
  drawCameraPlan(ui.cameraPlan, view);
  show("intro");
}

// The stored start position as a stick figure: far limbs dim, a floor line, the head a circle.
function drawFigure(canvas, figure) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  const points = Object.values(figure.points);
  const r = figure.head_radius;
  const xs = points.map(([x]) => x);
  const ys = points.map(([, y]) => y);
  const left = Math.min(...xs) - r;
  const right = Math.max(...xs) + r;
  const top = Math.max(...ys) + r;
  const margin = 24;
  const scale = Math.min((width - 2 * margin) / (right - left), (height - 2 * margin) / top);
  const floorY = height - margin;
  const offsetX = (width - (right - left) * scale) / 2 - left * scale;
  const at = ([x, y]) => [offsetX + x * scale, floorY - y * scale];
  ctx.strokeStyle = "#3a4350";
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.moveTo(8, floorY);
  ctx.lineTo(width - 8, floorY);
  ctx.stroke();
  ctx.lineCap = "round";
  ctx.lineWidth = 7;
  for (const [a, b] of figure.bones) {
    ctx.strokeStyle = a.startsWith("far") && b.startsWith("far") ? "#1f8f55" : "#31e981";
    ctx.beginPath();
    ctx.moveTo(...at(figure.points[a]));
    ctx.lineTo(...at(figure.points[b]));
    ctx.stroke();
  }
  const shoulderMid = ["far_shoulder", "near_shoulder"].map((name) => figure.points[name]);
  const neck = [(shoulderMid[0][0] + shoulderMid[1][0]) / 2, (shoulderMid[0][1] + shoulderMid[1][1]) / 2];
  ctx.strokeStyle = "#31e981";
  ctx.beginPath();
  ctx.moveTo(...at(neck));
  ctx.lineTo(...at(figure.points.head));
  ctx.stroke();
  ctx.fillStyle = "#31e981";
  ctx.beginPath();
  ctx.arc(...at(figure.points.head), r * scale, 0, 2 * Math.PI);
  ctx.fill();
}

// Seen from above: the mat, the person on it, and where the camera stands for this view.
function drawCameraPlan(canvas, view) {
  const ctx = canvas.getContext("2d");
  const { width, height } = canvas;
  ctx.clearRect(0, 0, width, height);
  ctx.fillStyle = "#202733";
  ctx.fillRect(30, 20, 160, 50); // the mat, long side left to right
  ctx.fillStyle = "#31e981";
  ctx.beginPath();
  ctx.ellipse(110, 45, 60, 12, 0, 0, 2 * Math.PI); // the person, lying or standing along the mat
  ctx.fill();
  const camera = view === "side" ? [110, 125] : [215, 45];
  ctx.fillStyle = "#ffd400";
  ctx.fillRect(camera[0] - 12, camera[1] - 9, 24, 18);
  ctx.strokeStyle = "#ffd400";
  ctx.setLineDash([5, 5]);
  ctx.lineWidth = 2;
  ctx.beginPath();
  ctx.moveTo(...camera);
  ctx.lineTo(110, 45);
  ctx.stroke();
  ctx.setLineDash([]);
  ctx.fillStyle = "#9aa4b2";
  ctx.font = "14px system-ui, sans-serif";
  ctx.fillText("camera", view === "side" ? camera[0] + 18 : camera[0] - 60, camera[1] + (view === "side" ? 5 : 30));
}

// --- the set -----------------------------------------------------------------------------------
async function startSet() {
  const item = current();
  show("set");
  ui.setCount.textContent = item.target.unit === "s" ? "0" : "0";
  ui.countLabel.textContent = item.target.unit === "s" ? "Seconds held" : "Reps";
  ui.setTarget.textContent = ` / ${item.target.amount}`;
  ui.holdState.textContent = "";
  ui.rangeBox.hidden = item.target.unit === "s" || !item.spec.prescription.reps;
  ui.range.value = 0;
  ui.lastRep.textContent = "";
  ui.setFigure.hidden = false; // the start position to get into, until the set begins
  drawFigure(ui.setFigure, item.spec.start_figure);
  setCue(null);
  instruct("Allow the camera…");
  let stream = set && set.stream && set.stream.active ? set.stream : null;
  try {
    stream = stream || (await openCamera(ui.video));
  } catch (error) {
    instruct(error.message);
    return;
  }
  set = {
    item, stream, state: "loading", readySince: null, positionSince: 0, countdownEnd: 0, spokenCount: null, holdS: 0, lastT: null,
    wasHolding: false, switched: false, count: 0, lastProgressAt: 0, ending: false, endedWhy: "", repMetricLabel: null,
    notCounted: null,
  };
  ui.selfCount.hidden = true;
  set.link = new LiveLink(ui.video, stream, item.exercise, {
    onReady: (message) => {
      set.repMetricLabel = message.rep_metric_label;
      // reps the camera cannot count (a pelvic tilt's few degrees): the person counts them with +1, and the set
      // ends at the target or when they end it, never on a "long pause" the camera cannot see past
      set.notCounted = set.item.target.unit === "reps" ? message.not_counted : null;
      instruct("Step into the picture: your whole body, head to feet.");
    },
    onFeedback: (message, link) => onFeedback(set, message, link),
    onRep: (message) => onRep(set, message.rep),
    onSummary: (message) => onSummary(set, message),
    onClose: (event) => {
      if (event.code !== 1000) instruct(`Stopped: ${event.reason || "the connection was lost"} (code ${event.code}).`);
    },
  });
  instruct("Loading the pose model…");
}

function instruct(text) {
  ui.instruction.textContent = text;
}

function sentence(text) {
  return text.charAt(0).toUpperCase() + text.slice(1) + ".";
}

function setCue(text) {
  ui.cue.textContent = text || "";
  ui.cue.classList.toggle("show", Boolean(text));
  ui.stage.classList.toggle("fault", Boolean(text));
}

// Good reps get feedback too: how far the rep went, against the smallest swing that counts (range less margin).
function onRep(run, rep) {
  ui.setCount.classList.remove("bump");
  void ui.setCount.offsetWidth; // restart the animation
  ui.setCount.classList.add("bump");
  if (!run.repMetricLabel || rep.margin === null || rep.margin === undefined) return;
  const countsFrom = Math.round(rep.range - rep.margin);
  ui.lastRep.textContent = `Rep ${rep.index}: ${run.repMetricLabel} ${Math.round(rep.range)}, counts from ${countsFrom}`;
}

function onFeedback(run, message, link) {
  if (run !== set) return;
  const now = performance.now();
  drawPreview(run, message, link);
  if (ui.debug.checked) ui.stats.textContent = link.stats(message.phase);
  if (run.state === "counting") {
    if (message.counting) count(run, message, now);
    return;
  }
  if (run.ending) return;
  if (!message.setup.ready) {
    run.state = "setup";
    run.readySince = null;
    ui.countdown.hidden = true;
    instruct(sentence(message.setup.advice));
    return;
  }
  if (run.state === "loading" || run.state === "setup") {
    run.state = "setup";
    run.readySince = run.readySince ?? now;
    instruct("Good: hold still…");
    if (now - run.readySince < READY_HOLD_MS) return;
    run.state = "position";
    run.positionSince = now;
    instruct("Get into the start position.");
    voice.say("Get into position");
  }
  // A counted exercise knows its start position (the counter leaves set-up); a hold starts from the countdown.
  const inPosition = run.item.target.unit === "s" || message.phase !== "setup";
  if (run.state === "position" && inPosition && now - run.positionSince >= POSITION_MIN_MS) {
    run.state = "countdown";
    run.countdownEnd = now + COUNTDOWN_S * 1000;
  }
  if (run.state === "countdown") countdown(run, now);
}

function countdown(run, now) {
  const left = Math.ceil((run.countdownEnd - now) / 1000);
  if (left > 0) {
    ui.countdown.hidden = false;
    ui.countdown.textContent = String(left);
    instruct("Get ready…");
    if (run.spokenCount !== left) voice.say(String(left));
    run.spokenCount = left;
    return;
  }
  ui.countdown.hidden = true;
  ui.setFigure.hidden = true;
  run.state = "counting";
  run.lastProgressAt = now;
  run.link.begin();
  instruct(run.item.target.unit === "s" ? "Go: hold the position." : "Go!");
  voice.say("Go");
}

function count(run, message, now) {
  const item = run.item;
  setCue(message.cue);
  if (message.cue && message.speak) voice.say(message.cue);
  if (message.range !== null && message.range !== undefined) ui.range.value = Math.min(1.5, message.range);
  const t = message.t_ms / 1000;
  const step = run.lastT === null ? 0 : Math.min(MAX_HOLD_STEP_S, t - run.lastT);
  run.lastT = t;
  if (message.holding) {
    run.holdS += step;
    run.lastProgressAt = now;
    ui.holdState.textContent = `holding ${Math.floor(run.holdS)} s`;
  } else if (run.wasHolding || (item.target.unit === "s" && run.holdS > 0)) {
    ui.holdState.textContent = `paused: ${message.cue || "back into the position"}`;
  }
  run.wasHolding = message.holding;
  if (run.notCounted) {
    ui.selfCount.hidden = false;
    ui.holdState.textContent = "the camera cannot count these: tap +1 after each";
  } else if (message.rep_count !== run.count) {
    run.count = message.rep_count;
    run.lastProgressAt = now;
  }
  if (item.target.unit === "s") {
    ui.setCount.textContent = String(Math.floor(run.holdS));
    if (item.per_side && !run.switched && run.holdS >= item.target.amount / 2) {
      run.switched = true;
      instruct("Switch sides.");
      voice.say("Switch sides", { after: true });
    }
  } else {
    ui.setCount.textContent = String(run.count);
    instruct(message.holding ? "Hold it…" : `Keep going: ${item.target.amount - run.count} to go.`);
  }
  const done = item.target.unit === "s" ? run.holdS >= item.target.amount : run.count >= item.target.amount;
  if (done) endSet(run, "target reached");
  else if (!run.notCounted && now - run.lastProgressAt > LONG_PAUSE_MS) endSet(run, "ended after a long pause");
}

function countOwnRep() {
  if (!set || set.state !== "counting" || !set.notCounted || set.ending) return;
  set.count += 1;
  ui.setCount.textContent = String(set.count);
  instruct(`Keep going: ${set.item.target.amount - set.count} to go.`);
  if (set.count >= set.item.target.amount) endSet(set, "target reached");
}

function endSet(run, why) {
  if (run.ending) return;
  run.ending = true;
  run.endedWhy = why;
  instruct("Set done.");
  voice.say(why === "target reached" ? "Well done. Set done" : "Set ended", { after: true });
  run.link.end();
}

// The framing outline: where the whole body should fit, amber until the set-up check passes.
function drawPreview(run, message, link) {
  const ctx = clearOver(ui.overlay, ui.video);
  const { width, height } = ctx.canvas;
  if (run.state !== "counting") {
    const inset = Math.round(Math.min(width, height) * 0.05);
    ctx.setLineDash([18, 12]);
    ctx.lineWidth = Math.max(4, width / 160);
    ctx.strokeStyle = message.setup.ready ? "#31e981" : "#ffb000";
    ctx.strokeRect(inset, inset, width - 2 * inset, height - 2 * inset);
    ctx.setLineDash([]);
  }
  drawSkeleton(ctx, link.skeleton, message.landmarks, ui.cue.classList.contains("show") ? "#ffb000" : "#31e981");
  drawBackLine(ctx, message.back_line);
}

function onSummary(run, message) {
  if (run !== set) return;
  const item = run.item;
  const review = message.review;
  const amount = item.target.unit === "s" ? Math.round(run.holdS) : run.notCounted ? run.count : review.rep_count;
  // clean reps for the history's clean share; none where the person counted (the camera judged no rep)
  const clean = item.target.unit === "reps" && !run.notCounted ? review.summary.clean_reps : null;
  session.results.push({ exercise: item.exercise, set: session.setIndex + 1, amount, unit: item.target.unit, clean });
  saveSession();
  run.link.stop(true); // the camera stays on for the next set
  showAfter(item, review, message.words, amount, run.endedWhy);
}

// --- after a set -------------------------------------------------------------------------------
function showAfter(item, review, words, amount, why) {
  ui.afterTitle.textContent = `${item.spec.title}: set ${session.setIndex + 1} of ${item.sets} done`;
  const target = amountText({ amount: item.target.amount, unit: item.target.unit });
  ui.afterCount.textContent = `${amountText({ amount, unit: item.target.unit })} (target ${target})${why ? ` - ${why}` : ""}`;
  ui.repStrip.replaceChildren(...review.reps.map((rep) => {
    const li = document.createElement("li");
    const names = [...new Set(rep.faults.map((fault) => words.faults[fault.id] || fault.id))];
    li.className = names.length ? "fault" : "clean";
    li.textContent = `${rep.index}${rep.side ? ` (${rep.side})` : ""}: ${names.length ? names.join(", ") : "clean"}`;
    return li;
  }));
  const lastSet = session.setIndex + 1 >= item.sets;
  const lastExercise = session.exerciseIndex + 1 >= session.plan.length;
  if (!lastSet) ui.next.textContent = `Next: set ${session.setIndex + 2} of ${item.sets}`;
  else if (!lastExercise) ui.next.textContent = `Next exercise: ${session.plan[session.exerciseIndex + 1].spec.title}`;
  else ui.next.textContent = "Finish";
  show("after");
  startRest(lastSet && lastExercise ? 0 : item.spec.prescription.rest_s || REST_S);
}

function startRest(seconds) {
  clearInterval(restTimer);
  const until = performance.now() + seconds * 1000;
  const tick = () => {
    const left = Math.max(0, Math.ceil((until - performance.now()) / 1000));
    ui.restTimer.textContent = left ? `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}` : "over";
    if (!left) {
      clearInterval(restTimer);
      if (seconds) voice.say("Rest over", { after: true });
    }
  };
  tick();
  restTimer = setInterval(tick, 250);
}

function next() {
  clearInterval(restTimer);
  const item = current();
  if (session.setIndex + 1 < item.sets) {
    session.setIndex += 1;
    startSet();
    return;
  }
  nextExercise();
}

function nextExercise() {
  session.setIndex = 0;
  session.exerciseIndex += 1;
  if (session.exerciseIndex < session.plan.length) showIntro();
  else finish();
}

// --- the end, and pain -------------------------------------------------------------------------
function stopCamera() {
  if (!set) return;
  set.link.stop();
  for (const track of set.stream.getTracks()) track.stop();
  set = null;
}

function finish() {
  stopCamera();
  clearInterval(restTimer);
  ui.painChange.textContent = "";
  painScale(ui.painAfter, (score) => {
    session.painAfter = score;
    const change = score - session.painBefore;
    ui.painChange.textContent = change > 0
      ? `Your back is ${change} worse than before (${session.painBefore} → ${score}). ${safety.stop.at(-1).text}`
      : `Before ${session.painBefore}, now ${score}.`;
    saveSession();
  });
  const byExercise = new Map();
  for (const result of session.results) {
    byExercise.set(result.exercise, [...(byExercise.get(result.exercise) || []), result]);
  }
  listItems(ui.sessionSummary, [...byExercise].map(([exercise, sets]) => {
    const today = best(sets);
    const last = lastTime(exercise);
    const then = last ? `last time ${amountText(last)}, ` : "";
    return `${exercises.get(exercise).title}: ${then}today ${amountText(today)}`;
  }));
  if (session.stoppedForPain) ui.sessionSummary.prepend(Object.assign(document.createElement("li"), { textContent: "Stopped for pain." }));
  saveSession();
  show("done");
}

function pain() {
  if (set) {
    set.ending = true;
    stopCamera();
  }
  clearInterval(restTimer);
  if (session) session.stoppedForPain = true;
  listItems(ui.rulesStop, safety.stop.map((rule) => rule.text));
  voice.say("Stop. Rest in a comfortable position.");
  ui.painDialog.showModal();
}

// --- wiring ------------------------------------------------------------------------------------
function showMute() {
  ui.mute.textContent = voice.muted ? "Voice off" : "Voice on";
  ui.mute.setAttribute("aria-pressed", String(voice.muted));
  ui.mute.classList.toggle("off", voice.muted);
}

ui.mute.addEventListener("click", () => {
  voice.muted = !voice.muted;
  showMute();
});
ui.pain.addEventListener("click", pain);
ui.painDialog.addEventListener("close", () => {
  if (!session) show("start");
  else if (ui.painDialog.returnValue === "resume") showIntro();
  else finish();
});
ui.single.addEventListener("submit", (event) => {
  event.preventDefault();
  const id = ui.singleExercise.value;
  if (id) checkIn(exercises.get(id).title, singlePlan(id));
});
ui.checkinGo.addEventListener("click", showIntro);
ui.introGo.addEventListener("click", startSet);
ui.introSkip.addEventListener("click", nextExercise);
ui.endSet.addEventListener("click", () => set && set.state === "counting" && endSet(set, "ended by you"));
ui.selfCount.addEventListener("click", countOwnRep);
ui.next.addEventListener("click", next);
ui.afterStop.addEventListener("click", finish);
ui.again.addEventListener("click", () => {
  session = null;
  showLastSession();
  show("start");
});
ui.debug.addEventListener("change", () => {
  ui.stats.hidden = !ui.debug.checked;
});

async function load() {
  const [exerciseList, programList, rules] = await Promise.all(
    ["/exercises", "/programs", "/safety"].map((url) => fetch(url).then((response) => response.json())),
  );
  for (const spec of exerciseList) exercises.set(spec.id, spec);
  programs = programList;
  safety = rules;
  showStages();
  showLastSession();
}

showMute();
show("start");
load().catch((error) => {
  ui.lastSession.textContent = `Could not load the session (${error}).`;
});
