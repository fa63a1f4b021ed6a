// The trainer's page (/trainer): sign in with the token `formcheck trainers add` printed, then the clients.

import { detailOf } from "/static/job.js";
import { element } from "/static/pages.js";

const $ = (id) => document.getElementById(id);

async function showClients() {
  const response = await fetch("/clients");
  if (response.status === 401) {
    $("sign-in").hidden = false;
    $("clients-box").hidden = true;
    $("sign-out").hidden = true;
    return;
  }
  if (!response.ok) {
    $("state").textContent = await detailOf(response);
    return;
  }
  const clients = await response.json();
  const items = clients.map((client) => {
    const li = document.createElement("li");
    const link = element("a", client.name, "jump");
    link.href = client.page;
    link.dataset.testid = "client-link";
    li.append(link);
    return li;
  });
  $("clients").replaceChildren(...(items.length ? items : [element("li", "No clients yet: add one below.")]));
  $("sign-in").hidden = true;
  $("clients-box").hidden = false;
  $("sign-out").hidden = false;
}

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/signin", { method: "POST", body: new FormData($("sign-in")) });
  $("state").textContent = response.ok ? "" : await detailOf(response);
  $("token").value = "";
  if (response.ok) await showClients();
});

$("add-client").addEventListener("submit", async (event) => {
  event.preventDefault();
  const response = await fetch("/clients", {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ name: $("client-name").value }),
  });
  $("state").textContent = response.ok ? "" : await detailOf(response);
  if (response.ok) {
    $("client-name").value = "";
    await showClients();
  }
});

$("sign-out").addEventListener("click", async () => {
  await fetch("/signout", { method: "POST" });
  await showClients();
});

showClients();
