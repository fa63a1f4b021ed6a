// formcheck live: camera -> JPEG frames over a WebSocket -> skeleton, rep count and cues.
// A plain ES module, no build step. The protocol is described in the README ("Live protocol").

const MAX_SIDE_PX = 640; // frames are scaled so the long side is at most this: plenty for the pose model
const JPEG_QUALITY = 0.7;
const MAX_IN_FLIGHT = 2; // frames sent but not yet answered: keeps latency low on a slow server
const MAX_FPS = 30;
const VISIBLE = 0.5; // landmark visibility below this is not drawn

const $ = (id) => document.getElementById(id);
const ui = {
  setup: $("setup"), exercise: $("exercise"), start: $("start"), end: $("end"), mute: $("mute"),
  stage: $("stage"), video: $("video"), overlay: $("overlay"), placeholder: $("placeholder"), cameraTip: $("camera-tip"),
  reps: $("rep-count"), target: $("target"), cue: $("cue"), status: $("status"), stats: $("stats"),
  summary: $("summary"), summaryReps: $("summary-reps"), summaryTarget: $("summary-target"), summaryLines: $("summary-lines"),
};
const encoder = document.createElement("canvas");
const exercises = new Map();
let muted = localStorage.getItem("formcheck.muted") === "1";
let live = null; // the set in progress (one WebSocket, one camera stream)

function setStatus(text) {
  ui.status.textContent = text;
}

function setCue(text) {
  ui.cue.textContent = text || "";
  ui.cue.classList.toggle("show", Boolean(text));
  ui.stage.classList.toggle("fault", Boolean(text));
}

function speak(text) {
  if (muted || !("speechSynthesis" in window)) return;
  speechSynthesis.cancel(); // never queue stale cues behind each other
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = "en-US";
  speechSynthesis.speak(utterance);
}

function showMute() {
  ui.mute.textContent = muted ? "Voice off" : "Voice on";
  ui.mute.setAttribute("aria-pressed", String(muted));
  ui.mute.classList.toggle("off", muted);
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

function cameraError(error) {
  if (error && error.name === "NotAllowedError") return "Camera blocked: allow it in the address bar, then press Start.";
  if (error && error.name === "NotFoundError") return "No camera found: plug one in, then press Start.";
  return `Camera unavailable (${error && error.name ? error.name : error}).`;
}

async function start() {
  const exercise = ui.exercise.value;
  if (!exercise) return;
  stop();
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    setStatus("The camera needs a secure page: open it as http://localhost or over https.");
    return;
  }
  setStatus("Allow the camera…");
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" }, audio: false,
    });
  } catch (error) {
    setStatus(cameraError(error));
    return;
  }
  ui.video.srcObject = stream;
  await ui.video.play();
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const ws = new WebSocket(`${scheme}://${location.host}/ws/live?exercise=${encodeURIComponent(exercise)}`);
  ws.binaryType = "arraybuffer";
  const set = {
    ws, stream, skeleton: [], landmarks: [], ready: false, ending: false, stopped: false, encoding: false,
    sent: 0, answered: 0, dropped: 0, lastT: 0, lastSendAt: 0, sentAt: new Map(), roundTripMs: 0,
  };
  live = set;
  ws.onmessage = (event) => onMessage(set, JSON.parse(event.data));
  ws.onclose = (event) => onClose(set, event);
  ui.reps.textContent = "0";
  setCue(null);
  document.body.classList.add("running");
  ui.start.disabled = true;
  ui.end.disabled = false;
  setStatus("Loading the pose model…");
  nextVideoFrame(set);
}

function stop() {
  if (!live) return;
  live.stopped = true;
  for (const track of live.stream.getTracks()) track.stop();
  if (live.ws.readyState === WebSocket.OPEN || live.ws.readyState === WebSocket.CONNECTING) live.ws.close();
  live = null;
  document.body.classList.remove("running");
  ui.start.disabled = false;
  ui.end.disabled = true;
  setCue(null);
  clearOverlay();
}

function endSet() {
  if (!live || live.ending) return;
  live.ending = true;
  ui.end.disabled = true;
  setStatus("Finishing the set…");
  live.ws.send(JSON.stringify({ type: "end" }));
}

// --- sending frames --------------------------------------------------------------------------
function nextVideoFrame(set) {
  if (set.stopped) return;
  const tick = () => {
    sendFrame(set);
    nextVideoFrame(set);
  };
  if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) ui.video.requestVideoFrameCallback(tick);
  else requestAnimationFrame(tick);
}

async function sendFrame(set) {
  const now = performance.now();
  const inFlight = set.sent - set.answered - set.dropped;
  if (!set.ready || set.ending || set.stopped || set.encoding) return;
  if (inFlight >= MAX_IN_FLIGHT || now - set.lastSendAt < 1000 / MAX_FPS) return;
  const width = ui.video.videoWidth;
  const height = ui.video.videoHeight;
  if (!width || !height) return;
  set.encoding = true;
  set.lastSendAt = now;
  const scale = Math.min(1, MAX_SIDE_PX / Math.max(width, height));
  encoder.width = Math.round(width * scale);
  encoder.height = Math.round(height * scale);
  encoder.getContext("2d").drawImage(ui.video, 0, 0, encoder.width, encoder.height);
  const captureMs = Math.max(Date.now(), set.lastT + 1); // the server needs increasing times
  set.lastT = captureMs;
  try {
    const blob = await new Promise((resolve) => encoder.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
    if (!blob || set.ending || set.stopped || set.ws.readyState !== WebSocket.OPEN) return;
    const jpeg = new Uint8Array(await blob.arrayBuffer());
    const message = new Uint8Array(8 + jpeg.byteLength);
    new DataView(message.buffer).setBigUint64(0, BigInt(captureMs)); // big-endian by default
    message.set(jpeg, 8);
    set.ws.send(message.buffer);
    set.sent += 1;
    set.sentAt.set(captureMs, performance.now());
  } finally {
    set.encoding = false;
  }
}

// --- what the server says --------------------------------------------------------------------
function onMessage(set, message) {
  if (set !== live) return;
  if (message.type === "ready") onReady(set, message);
  else if (message.type === "feedback") onFeedback(set, message);
  else if (message.type === "rep") onRep(message);
  else if (message.type === "summary") onSummary(message.review);
}

function onReady(set, message) {
  set.skeleton = message.skeleton;
  set.ready = true;
  ui.overlay.width = ui.video.videoWidth;
  ui.overlay.height = ui.video.videoHeight;
  setStatus(`${message.title}: step into view, whole body in the picture.`);
}

function onFeedback(set, message) {
  set.answered += 1;
  set.dropped = message.dropped;
  const sentAt = set.sentAt.get(message.t_ms);
  if (sentAt !== undefined) set.roundTripMs = performance.now() - sentAt;
  for (const t of set.sentAt.keys()) if (t <= message.t_ms) set.sentAt.delete(t); // answered or dropped
  ui.reps.textContent = String(message.rep_count);
  setCue(message.cue);
  if (message.cue && message.speak) speak(message.cue);
  if (!set.ending) setStatus(message.guidance || statusText(message));
  set.landmarks = message.landmarks;
  drawSkeleton(set);
  ui.stats.textContent = `${Math.round(set.roundTripMs)} ms · ${set.dropped} dropped · ${message.phase}`;
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

function onClose(set, event) {
  if (set !== live) return;
  if (event.code !== 1000) setStatus(`Stopped: ${event.reason || "the connection was lost"} (code ${event.code}).`);
  stop();
}

// --- drawing ---------------------------------------------------------------------------------
function clearOverlay() {
  ui.overlay.getContext("2d").clearRect(0, 0, ui.overlay.width, ui.overlay.height);
}

function drawSkeleton(set) {
  const canvas = ui.overlay;
  if (canvas.width !== ui.video.videoWidth || canvas.height !== ui.video.videoHeight) {
    canvas.width = ui.video.videoWidth;
    canvas.height = ui.video.videoHeight;
  }
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const points = set.landmarks;
  if (!points || points.length === 0) return;
  const at = (i) => [points[i][0] * canvas.width, points[i][1] * canvas.height];
  const seen = (i) => points[i][2] !== null && points[i][2] >= VISIBLE;
  const size = Math.max(canvas.width, canvas.height);
  const color = ui.cue.classList.contains("show") ? "#ffb000" : "#31e981";
  ctx.lineCap = "round";
  ctx.lineWidth = Math.max(4, size / 140);
  ctx.strokeStyle = color;
  for (const [a, b] of set.skeleton) {
    if (!seen(a) || !seen(b)) continue;
    ctx.beginPath();
    ctx.moveTo(...at(a));
    ctx.lineTo(...at(b));
    ctx.stroke();
  }
  ctx.fillStyle = "#ffffff";
  const radius = Math.max(4, size / 150);
  for (const [a, b] of set.skeleton) {
    for (const i of [a, b]) {
      if (!seen(i)) continue;
      ctx.beginPath();
      ctx.arc(...at(i), radius, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

// --- wiring ----------------------------------------------------------------------------------
ui.setup.addEventListener("submit", (event) => {
  event.preventDefault();
  start();
});
ui.end.addEventListener("click", endSet);
ui.exercise.addEventListener("change", () => chooseExercise(ui.exercise.value));
ui.mute.addEventListener("click", () => {
  muted = !muted;
  localStorage.setItem("formcheck.muted", muted ? "1" : "0");
  if (muted && "speechSynthesis" in window) speechSynthesis.cancel();
  showMute();
});
ui.summary.addEventListener("close", () => {
  if (ui.summary.returnValue === "again") start();
  else ui.start.focus();
});
showMute();
loadExercises().catch((error) => setStatus(`Could not load the exercises (${error}).`));
