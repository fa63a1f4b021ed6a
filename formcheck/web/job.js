// Following one analysis job (GET /analyses/{id}) until it is done: shared by the upload form and the result page.

const POLL_MS = 300;

// What a person reads about a job that is not done yet, and the bar's value (null: no measure, a moving bar).
export function describeJob(job) {
  if (job.status === "queued") return { text: "Waiting for the analyser…", value: null };
  if (job.status === "running" && job.stage === "video") return { text: "Drawing the annotated video…", value: null };
  if (job.status === "running" && job.frames_done === 0) return { text: "Analysing the frames…", value: null };
  if (job.status === "running") {
    return { text: `Analysing the frames: ${Math.round(job.progress * 100)}% (${job.frames_done} frames)`, value: job.progress };
  }
  if (job.status === "failed") return { text: `The analysis failed: ${job.error}`, value: null };
  return { text: "Done.", value: 1 };
}

// Show a progress bar's value, or its moving "no measure" look for null.
export function showProgress(bar, value) {
  if (value === null) bar.removeAttribute("value");
  else bar.value = value;
}

// The error detail of a refused request, in one line.
export async function detailOf(response) {
  try {
    const body = await response.json();
    if (typeof body.detail === "string") return body.detail;
    return body.detail.map((item) => item.msg).join("; ");
  } catch {
    return `${response.status} ${response.statusText}`;
  }
}

// Poll the job, calling onUpdate with each state, until it is done or failed; resolves with the last one.
export async function followJob(id, onUpdate) {
  for (;;) {
    const response = await fetch(`/analyses/${encodeURIComponent(id)}`);
    if (!response.ok) throw new Error(await detailOf(response));
    const job = await response.json();
    onUpdate(job);
    if (job.status === "done" || job.status === "failed") return job;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
