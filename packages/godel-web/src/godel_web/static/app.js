// godel ui: live updates, actions and the tree's folding. Hand-written, no build step.
// The server renders every part of a page; a server-sent event says what changed and this
// script fetches the affected fragments again (at most once a second, one request at a time).
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf"]').content;
  const body = document.body;

  // Fragments: "id=url id=url". Each element with that id is replaced by the fetched HTML.
  function fragments() {
    const spec = body.dataset.fragments || "";
    return spec.split(" ").filter(Boolean).map((pair) => {
      const i = pair.indexOf("=");
      return [pair.slice(0, i), pair.slice(i + 1)];
    });
  }

  function setFragment(id, url) {
    body.dataset.fragments = fragments()
      .map(([k, v]) => k + "=" + (k === id ? url : v))
      .join(" ");
  }

  let fetching = false;
  let again = false;
  let lastFetch = 0;
  async function refresh() {
    if (fetching) { again = true; return; }
    const wait = 1000 - (Date.now() - lastFetch);
    if (wait > 0) { fetching = true; await new Promise((r) => setTimeout(r, wait)); fetching = false; }
    fetching = true;
    lastFetch = Date.now();
    try {
      for (const [id, url] of fragments()) {
        const old = document.getElementById(id);
        if (!old) continue;
        const res = await fetch(url, { credentials: "same-origin" });
        if (!res.ok) continue;
        const html = await res.text();
        const tpl = document.createElement("template");
        tpl.innerHTML = html.trim();
        const fresh = tpl.content.firstElementChild;
        if (fresh && fresh.id === id) {
          const folded = id === "tree" ? foldedIds() : null;
          old.replaceWith(fresh);
          if (folded) refold(folded);
        }
      }
      body.dataset.refreshed = String(Number(body.dataset.refreshed || "0") + 1);
    } finally {
      fetching = false;
      if (again) { again = false; refresh(); }
    }
  }

  // Live stream: the first message describes the page as rendered; later ones mean "changed".
  function live() {
    const url = body.dataset.stream;
    if (!url || !window.EventSource) return;
    const dot = document.getElementById("live-dot");
    const source = new EventSource(url);
    let first = true;
    source.onopen = () => dot && dot.classList.add("on");
    source.onerror = () => dot && dot.classList.remove("on");
    source.onmessage = (msg) => {
      const data = JSON.parse(msg.data);
      body.dataset.version = data.version !== undefined ? data.version : body.dataset.version;
      if (data.status) body.dataset.status = data.status;
      if (data.events !== undefined) {
        const el = document.getElementById("events");
        if (el) el.textContent = data.events.toLocaleString("en-US");
      }
      if (first) { first = false; return; }
      refresh();
    };
  }

  // Actions: POST with the CSRF value; the answer's [godel] lines go under the header.
  function say(lines, ok) {
    const box = document.getElementById("message");
    if (!box) return;
    box.className = "message " + (ok ? "ok" : "bad");
    box.textContent = lines.join("\n");
  }

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    if (!form.classList.contains("action")) return;
    ev.preventDefault();
    const data = new FormData(form);
    data.set("csrf", csrf);
    const res = await fetch(form.action, {
      method: "POST",
      body: new URLSearchParams(data),
      headers: { "X-CSRF-Token": csrf, Accept: "application/json" },
      credentials: "same-origin",
    });
    let out = { ok: false, lines: ["[godel] the server answered " + res.status] };
    try { out = await res.json(); } catch (e) { /* not JSON: keep the status line */ }
    say(out.lines, out.ok);
    refresh();
  });

  // Copy the resume command.
  document.addEventListener("click", async (ev) => {
    const btn = ev.target.closest("button.copy");
    if (btn) {
      const text = btn.dataset.copy;
      try {
        await navigator.clipboard.writeText(text);
        btn.textContent = "copied";
      } catch (e) {
        const code = btn.nextElementSibling;
        if (code) window.getSelection().selectAllChildren(code);
        btn.textContent = "press Ctrl+C";
      }
      setTimeout(() => (btn.textContent = "copy resume command"), 2000);
      return;
    }
    // Tree paging without reloading the page (and keeping the live stream).
    const pageLink = ev.target.closest("#tree a[data-page]");
    if (pageLink) {
      ev.preventDefault();
      const base = location.pathname;
      setFragment("tree", base + "/tree?page=" + pageLink.dataset.page);
      history.replaceState(null, "", "?page=" + pageLink.dataset.page);
      lastFetch = 0;
      refresh();
      return;
    }
    // Fold and unfold a subtree of the step tree.
    const twisty = ev.target.closest("#tree .twisty");
    if (twisty) toggle(twisty.closest("tr"));
  });

  function subtree(row) {
    const depth = Number(row.dataset.depth);
    const out = [];
    for (let r = row.nextElementSibling; r && Number(r.dataset.depth) > depth; r = r.nextElementSibling) out.push(r);
    return out;
  }

  function toggle(row) {
    const folded = !row.classList.contains("folded");
    row.classList.toggle("folded", folded);
    for (const r of subtree(row)) r.hidden = folded;
  }

  function foldedIds() {
    return Array.from(document.querySelectorAll("#tree tr.folded")).map((r) => r.dataset.id);
  }

  function refold(ids) {
    for (const id of ids) {
      const row = document.querySelector('#tree tr[data-id="' + CSS.escape(id) + '"]');
      if (row && !row.classList.contains("folded")) toggle(row);
    }
  }

  function markParents() {
    for (const row of document.querySelectorAll("#tree tbody tr")) {
      const next = row.nextElementSibling;
      if (next && Number(next.dataset.depth) > Number(row.dataset.depth)) row.classList.add("parent");
    }
  }
  new MutationObserver(markParents).observe(document.querySelector("main"), { childList: true, subtree: true });
  markParents();

  // The runs filters apply as you choose them.
  const filters = document.getElementById("filters");
  if (filters) {
    filters.addEventListener("change", () => filters.requestSubmit());
  }

  live();
})();
