// formcheck live: camera -> JPEG frames over a WebSocket -> skeleton, rep count and cues.
// A plain ES module, no build step. The protocol is described in the README ("Live protocol").
import { LiveLink, clearOver, drawSkeleton, openCamera, voice } from "./live_client.js";

const $ = (id) => document.getElementById(id);
const ui = {
  setup: $("setup"), exercise: $("exercise"), start: $("start"), end: $("end"), mute: $("mute"),
  stage: $("stage"), video: $("video"), overlay: $("overlay"), placeholder: $("placeholder"), cameraTip: $("camera-tip"),
  reps: $("rep-count"), target: $("target"), cue: $("cue"), status: $("status"), stats: $("stats"),
  summary: $("summary"), summaryReps: $("summary-reps"), summaryTarget: $("summary-target"), summaryLines: $("summary-lines"),
};
const exercises = new Map();
const debug = new URLSearchParams(location.search).get("debug") === "1"; // timing is for developers
let live = null; // the set in progress (one LiveLink)

function setStatus(text) {
  ui.status.textContent = text;
}

function setCue(text) {
  ui.cue.textContent = text || "";
  ui.cue.classList.toggle("show", Boolean(text));
  ui.stage.classList.toggle("fault", Boolean(text));
}

function showMute() {
  ui.mute.textContent = voice.muted ? "Voice off" : "Voice on";
  ui.mute.setAttribute("aria-pressed", String(voice.muted));
  ui.mute.classList.toggle("off", voice.muted);
}

function targetText(spec) {
  const reps = spec && spec.prescription && spec.prescription.reps;
  if (!reps) return "";
  return reps[0] === reps[1] ? `target ${reps[0]}` : `target ${reps[0]}–${reps[1]}`;
}

function chooseExercise(id) {
  const spec = exercises.get(id);
  ui.target.textContent = targetText(spec);
  ui.cameraTip.textContent = spec ? `Camera: ${spec.camera}.` : "";
}

async function loadExercises() {
  const response = await fetch("/exercises");
  const list = await response.json();
  ui.exercise.replaceChildren(...list.map((spec) => new Option(spec.title, spec.id)));
  for (const spec of list) exercises.set(spec.id, spec);
  const params = new URLSearchParams(location.search);
  const wanted = params.get("exercise");
  if (wanted && exercises.has(wanted)) ui.exercise.value = wanted;
  chooseExercise(ui.exercise.value);
  if (params.get("autostart") === "1") start();
}

async function start() {
  const exercise = ui.exercise.value;
  if (!exercise) return;
  stop();
  setStatus("Allow the camera…");
  let stream;
  try {
    stream = await openCamera(ui.video);
  } catch (error) {
    setStatus(error.message);
    return;
  }
  const link = new LiveLink(ui.video, stream, exercise, {
    onReady: (message) => setStatus(`${message.title}: step into view, whole body in the picture.`),
    onFeedback,
    onRep,
    onSummary: (message) => onSummary(message.review),
    onClose: (event) => {
      if (event.code !== 1000) setStatus(`Stopped: ${event.reason || "the connection was lost"} (code ${event.code}).`);
      stop();
    },
  });
  live = { link, landmarks: [] };
  ui.reps.textContent = "0";
  setCue(null);
  document.body.classList.add("running");
  ui.start.disabled = true;
  ui.end.disabled = false;
  setStatus("Loading the pose model…");
}

function stop() {
  if (!live) return;
  live.link.stop();
  live = null;
  document.body.classList.remove("running");
  ui.start.disabled = false;
  ui.end.disabled = true;
  setCue(null);
  clearOver(ui.overlay, ui.video);
}

function endSet() {
  if (!live || live.link.ending) return;
  ui.end.disabled = true;
  setStatus("Finishing the set…");
  live.link.end();
}

// --- what the server says --------------------------------------------------------------------
function onFeedback(message, link) {
  ui.reps.textContent = String(message.rep_count);
  setCue(message.cue);
  if (message.cue && message.speak) voice.say(message.cue);
  if (!link.ending) setStatus(message.guidance || statusText(message));
  const ctx = clearOver(ui.overlay, ui.video);
  drawSkeleton(ctx, link.skeleton, message.landmarks, ui.cue.classList.contains("show") ? "#ffb000" : "#31e981");
  if (debug) ui.stats.textContent = link.stats(message.phase);
}

function statusText(message) {
  if (message.status === "low_visibility") return "Hard to see you: more light, or clothes that contrast with the room.";
  if (message.phase === "setup") return "Get into the start position.";
  return message.holding ? "Hold it…" : "Tracking. Keep going.";
}

function onRep(message) {
  ui.reps.textContent = String(message.rep_count);
  ui.reps.classList.remove("bump");
  void ui.reps.offsetWidth; // restart the animation
  ui.reps.classList.add("bump");
}

function onSummary(review) {
  const summary = review.summary;
  ui.summaryReps.textContent = review.rep_count === 1 ? "1 rep" : `${review.rep_count} reps`;
  ui.summaryTarget.textContent = targetText(exercises.get(review.exercise));
  const lines = [`${summary.clean_reps} clean`];
  if (summary.partial_reps) lines.push(`${summary.partial_reps} partial (not counted)`);
  if (summary.most_common_fault) {
    const fault = summary.most_common_fault;
    lines.push(`Work on: ${fault.cue} (${fault.count}×)`);
  }
  for (const warning of new Map(review.warnings.map((w) => [w.id, w.message])).values()) lines.push(`Note: ${warning}`);
  ui.summaryLines.replaceChildren(...lines.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
  stop();
  setStatus("Set done. Press Start for another.");
  ui.summary.showModal();
}

// --- wiring ----------------------------------------------------------------------------------
ui.setup.addEventListener("submit", (event) => {
  event.preventDefault();
  start();
});
ui.end.addEventListener("click", endSet);
ui.exercise.addEventListener("change", () => chooseExercise(ui.exercise.value));
ui.mute.addEventListener("click", () => {
  voice.muted = !voice.muted;
  showMute();
});
ui.summary.addEventListener("close", () => {
  if (ui.summary.returnValue === "again") start();
  else ui.start.focus();
});
ui.stats.hidden = !debug;
showMute();
loadExercises().catch((error) => setStatus(`Could not load the exercises (${error}).`));
