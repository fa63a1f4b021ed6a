// The live link both live pages use: camera -> JPEG frames over WS /ws/live -> the server's messages.
// The protocol is described in formcheck/api/live_stream.py (and the README's "Live protocol").

const MAX_SIDE_PX = 640; // frames are scaled so the long side is at most this: plenty for the pose model
const JPEG_QUALITY = 0.7;
const MAX_IN_FLIGHT = 2; // frames sent but not yet answered: keeps latency low on a slow server
const MAX_FPS = 30;
const VISIBLE = 0.5; // landmark visibility below this is not drawn
const MUTED_KEY = "formcheck.muted";

export function cameraError(error) {
  if (error && error.name === "NotAllowedError") return "Camera blocked: allow it in the address bar, then try again.";
  if (error && error.name === "NotFoundError") return "No camera found: plug one in, then try again.";
  return `Camera unavailable (${error && error.name ? error.name : error}).`;
}

// The camera on `video`; throws an Error whose message tells the person what to do.
export async function openCamera(video) {
  if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    throw new Error("The camera needs a secure page: open it as http://localhost or over https.");
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      video: { width: { ideal: 1280 }, height: { ideal: 720 }, facingMode: "user" }, audio: false,
    });
  } catch (error) {
    throw new Error(cameraError(error));
  }
  video.srcObject = stream;
  await video.play();
  return stream;
}

// One set: a WebSocket fed with the camera's frames. `handlers` get the server's messages:
// onReady(message), onFeedback(message, link), onRep(message), onSummary(message), onClose(event).
export class LiveLink {
  constructor(video, stream, exercise, handlers) {
    this.video = video;
    this.stream = stream;
    this.handlers = handlers;
    this.encoder = document.createElement("canvas");
    this.ready = false;
    this.ending = false;
    this.stopped = false;
    this.encoding = false;
    this.sent = 0;
    this.answered = 0;
    this.dropped = 0;
    this.lastT = 0;
    this.lastSendAt = 0;
    this.sentAt = new Map();
    this.roundTripMs = 0;
    this.skeleton = [];
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    this.ws = new WebSocket(`${scheme}://${location.host}/ws/live?exercise=${encodeURIComponent(exercise)}`);
    this.ws.binaryType = "arraybuffer";
    this.ws.onmessage = (event) => this.onMessage(JSON.parse(event.data));
    this.ws.onclose = (event) => {
      if (!this.stopped) handlers.onClose(event);
    };
    this.nextVideoFrame();
  }

  // Start the set over from the next frame: what came before (set-up, countdown) does not count.
  begin() {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify({ type: "begin" }));
  }

  // Finish the set: the server answers with the summary.
  end() {
    if (this.ending || this.stopped) return;
    this.ending = true;
    this.ws.send(JSON.stringify({ type: "end" }));
  }

  // Drop the set without a summary; `keepCamera` leaves the camera on for the next set.
  stop(keepCamera = false) {
    if (this.stopped) return;
    this.stopped = true;
    if (!keepCamera) for (const track of this.stream.getTracks()) track.stop();
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }

  stats(phase) {
    return `${Math.round(this.roundTripMs)} ms · ${this.dropped} dropped · ${phase}`;
  }

  onMessage(message) {
    if (this.stopped) return;
    if (message.type === "ready") {
      this.skeleton = message.skeleton;
      this.ready = true;
      this.handlers.onReady(message);
    } else if (message.type === "feedback") {
      this.answered += 1;
      this.dropped = message.dropped;
      const sentAt = this.sentAt.get(message.t_ms);
      if (sentAt !== undefined) this.roundTripMs = performance.now() - sentAt;
      for (const t of this.sentAt.keys()) if (t <= message.t_ms) this.sentAt.delete(t); // answered or dropped
      this.handlers.onFeedback(message, this);
    } else if (message.type === "rep") {
      this.handlers.onRep(message);
    } else if (message.type === "summary") {
      this.handlers.onSummary(message);
    }
  }

  nextVideoFrame() {
    if (this.stopped) return;
    const tick = () => {
      this.sendFrame();
      this.nextVideoFrame();
    };
    if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) this.video.requestVideoFrameCallback(tick);
    else requestAnimationFrame(tick);
  }

  async sendFrame() {
    const now = performance.now();
    const inFlight = this.sent - this.answered - this.dropped;
    if (!this.ready || this.ending || this.stopped || this.encoding) return;
    if (inFlight >= MAX_IN_FLIGHT || now - this.lastSendAt < 1000 / MAX_FPS) return;
    const width = this.video.videoWidth;
    const height = this.video.videoHeight;
    if (!width || !height) return;
    this.encoding = true;
    this.lastSendAt = now;
    const scale = Math.min(1, MAX_SIDE_PX / Math.max(width, height));
    this.encoder.width = Math.round(width * scale);
    this.encoder.height = Math.round(height * scale);
    this.encoder.getContext("2d").drawImage(this.video, 0, 0, this.encoder.width, this.encoder.height);
    const captureMs = Math.max(Date.now(), this.lastT + 1); // the server needs increasing times
    this.lastT = captureMs;
    try {
      const blob = await new Promise((resolve) => this.encoder.toBlob(resolve, "image/jpeg", JPEG_QUALITY));
      if (!blob || this.ending || this.stopped || this.ws.readyState !== WebSocket.OPEN) return;
      const jpeg = new Uint8Array(await blob.arrayBuffer());
      const message = new Uint8Array(8 + jpeg.byteLength);
      new DataView(message.buffer).setBigUint64(0, BigInt(captureMs)); // big-endian by default
      message.set(jpeg, 8);
      this.ws.send(message.buffer);
      this.sent += 1;
      this.sentAt.set(captureMs, performance.now());
    } finally {
      this.encoding = false;
    }
  }
}

// Size `canvas` to the video and clear it; returns its 2-D context.
export function clearOver(canvas, video) {
  if (canvas.width !== video.videoWidth || canvas.height !== video.videoHeight) {
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
  }
  const ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  return ctx;
}

// The person's skeleton from a feedback message's landmarks (normalised image coordinates).
export function drawSkeleton(ctx, skeleton, landmarks, color) {
  if (!landmarks || landmarks.length === 0) return;
  const { width, height } = ctx.canvas;
  const at = (i) => [landmarks[i][0] * width, landmarks[i][1] * height];
  const seen = (i) => landmarks[i][2] !== null && landmarks[i][2] >= VISIBLE;
  const size = Math.max(width, height);
  ctx.lineCap = "round";
  ctx.lineWidth = Math.max(4, size / 140);
  ctx.strokeStyle = color;
  for (const [a, b] of skeleton) {
    if (!seen(a) || !seen(b)) continue;
    ctx.beginPath();
    ctx.moveTo(...at(a));
    ctx.lineTo(...at(b));
    ctx.stroke();
  }
  ctx.fillStyle = "#ffffff";
  const radius = Math.max(4, size / 150);
  for (const [a, b] of skeleton) {
    for (const i of [a, b]) {
      if (!seen(i)) continue;
      ctx.beginPath();
      ctx.arc(...at(i), radius, 0, 2 * Math.PI);
      ctx.fill();
    }
  }
}

// --- the voice: the browser's own speech, one utterance at a time, muted across pages ---------
export const voice = {
  get muted() {
    return localStorage.getItem(MUTED_KEY) === "1";
  },
  set muted(value) {
    localStorage.setItem(MUTED_KEY, value ? "1" : "0");
    if (value && "speechSynthesis" in window) speechSynthesis.cancel();
  },
  say(text) {
    if (this.muted || !text || !("speechSynthesis" in window)) return;
    speechSynthesis.cancel(); // never queue stale cues behind each other
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = "en-US";
    speechSynthesis.speak(utterance);
  },
};
