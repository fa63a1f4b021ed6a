// "Review a recorded set": upload a clip (XHR, for the upload's own progress), follow the job, open its result page.

import { describeJob, detailOf, followJob, showProgress } from "/static/job.js";

const $ = (id) => document.getElementById(id);
const ui = {
  form: $("upload"), file: $("upload-file"), exercise: $("upload-exercise"), start: $("upload-start"),
  box: $("upload-progress"), bar: $("upload-bar"), status: $("upload-status"),
};

function show(text, value) {
  ui.box.hidden = false;
  ui.status.textContent = text;
  showProgress(ui.bar, value);
}

// POST /analyses with upload progress; resolves with the response (fetch cannot report the upload's progress).
function send(form) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", "/analyses");
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) show(`Uploading: ${Math.round((100 * event.loaded) / event.total)}%`, event.loaded / event.total);
    };
    request.onload = () => resolve(new Response(request.responseText, { status: request.status, statusText: request.statusText }));
    request.onerror = () => reject(new Error("the upload did not reach the server"));
    request.send(form);
  });
}

async function upload(event) {
  event.preventDefault();
  if (!ui.file.files.length || !ui.exercise.value) return;
  ui.start.disabled = true;
  show("Uploading…", 0);
  try {
    const response = await send(new FormData(ui.form));
    if (response.status !== 202) {
      show(`Not accepted: ${await detailOf(response)}`, 0);
      return;
    }
    const created = await response.json();
    const job = await followJob(created.id, (update) => {
      const { text, value } = describeJob(update);
      show(text, value);
    });
    if (job.status === "done") {
      show("Done: opening the review…", 1);
      location.assign(job.page);
    }
  } catch (error) {
    show(`Stopped: ${error.message}`, 0);
  } finally {
    ui.start.disabled = false;
  }
}

async function loadExercises() {
  const list = await (await fetch("/exercises")).json();
  ui.exercise.replaceChildren(...list.map((spec) => new Option(spec.title, spec.id)));
  const wanted = new URLSearchParams(location.search).get("exercise");
  if (wanted && list.some((spec) => spec.id === wanted)) ui.exercise.value = wanted;
}

ui.form.addEventListener("submit", upload);
loadExercises().catch((error) => show(`Could not load the exercises (${error}).`, 0));
