// redwatch status page: plain JS, no build step. Every value from the network reaches the page
// through textContent (el() below turns strings into text nodes), never through innerHTML.
"use strict";

const TOKEN_KEY = "redwatch.api_token";
const view = document.getElementById("view");
let charts = [];

// ---- DOM -----------------------------------------------------------------------------------
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else if (k === "class") e.className = v;
    // through CSSOM: the page's CSP blocks style attributes, not style properties
    else if (k === "style") e.style.cssText = v;
    else e.setAttribute(k, v === true ? "" : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    e.appendChild(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

function show(...nodes) {
  for (const c of charts) c.destroy();
  charts = [];
  view.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
}

// ---- formatting ----------------------------------------------------------------------------
function bytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = Math.abs(n), u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return (n < 0 ? "-" : "") + (v >= 100 || u === 0 ? v.toFixed(0) : v.toFixed(1)) + " " + units[u];
}

function count(n) {
  if (n === null || n === undefined) return "–";
  if (Math.abs(n) >= 1e9) return (n / 1e9).toFixed(1) + "G";
  if (Math.abs(n) >= 1e6) return (n / 1e6).toFixed(1) + "M";
  if (Math.abs(n) >= 1e4) return (n / 1e3).toFixed(0) + "k";
  return String(Math.round(n * 100) / 100);
}

function ago(iso) {
  if (!iso) return "never";
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 90) return s + " s ago";
  if (s < 5400) return Math.round(s / 60) + " min ago";
  if (s < 172800) return Math.round(s / 3600) + " h ago";
  return Math.round(s / 86400) + " d ago";
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "–";
}

// ---- API -----------------------------------------------------------------------------------
class Unauthorized extends Error {}

async function api(path, options) {
  const headers = Object.assign({ "Accept": "application/json" }, (options && options.headers) || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  const response = await fetch(path, Object.assign({}, options, { headers }));
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (response.status === 401) {
    askForToken(token ? "The collector refused this token: " + ((body && body.error) || "401") : null);
    throw new Unauthorized("API token needed");
  }
  if (!response.ok) {
    throw new Error((body && body.error) || (path + " answered HTTP " + response.status));
  }
  return body;
}

function askForToken(problem) {
  const form = document.getElementById("token-form");
  const error = document.getElementById("token-error");
  error.hidden = !problem;
  error.textContent = problem || "";
  form.hidden = false;
  show(el("p", { class: "muted" }, "Enter the API token to see this collector's data."));
  document.getElementById("token-input").focus();
}

document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = document.getElementById("token-input");
  sessionStorage.setItem(TOKEN_KEY, input.value.trim());
  input.value = "";
  document.getElementById("token-form").hidden = true;
  route();
});

function failed(what, e) {
  if (e instanceof Unauthorized) return;
  show(el("p", { class: "error", id: "load-error" }, "Could not load " + what + ": " + e.message
    + ". The collector may be restarting or its database unreachable; this page retries when you reload it."));
}

// ---- fleet ---------------------------------------------------------------------------------
const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 };

async function fleetView() {
  let data;
  try { data = await api("/api/status/fleet"); } catch (e) { return failed("the fleet", e); }
  const rows = data.instances;
  const firing = rows.filter((r) => r.alerts.length > 0).length;
  const header = el("div", {},
    el("h1", {}, "Fleet"),
    el("p", { class: "muted", id: "fleet-summary" }, rows.length + " instance" + (rows.length === 1 ? "" : "s")
      + (data.total > rows.length ? " shown of " + data.total : "") + ", " + firing + " with firing alerts"));
  if (rows.length === 0) {
    return show(header, el("p", {}, "No instance has reported yet. Start an agent pointed at this collector's gRPC port."));
  }
  show(header, el("div", { id: "fleet" }, rows.map(fleetRow)));
}

function fleetRow(r) {
  const worst = r.alerts.map((a) => a.severity).sort((a, b) => SEVERITY_ORDER[a] - SEVERITY_ORDER[b])[0] || "ok";
  const memPct = r.maxmemory ? Math.min(100, 100 * r.used_memory / r.maxmemory) : null;
  const fdPct = r.fd_limit ? Math.min(100, 100 * r.fd_total / r.fd_limit) : null;
  return el("a", { class: "card instance " + worst, href: "#/instance/" + encodeURIComponent(r.instance), "data-instance": r.instance },
    el("div", { class: "row" },
      el("span", { class: "name" }, r.instance),
      el("span", { class: "muted" }, "heard " + ago(r.agent_last_seen || r.last_seen))),
    el("div", {}, r.alerts.length === 0 ? el("span", { class: "badge ok" }, "ok")
      : r.alerts.map((a) => el("span", { class: "badge " + a.severity, title: a.summary }, a.rule))),
    el("div", { class: "facts" },
      el("span", {}, r.role || "role ?"),
      el("span", {}, "redis " + (r.redis_version || "?")),
      el("span", {}, "mem " + bytes(r.used_memory) + (r.maxmemory ? " / " + bytes(r.maxmemory) : " (no maxmemory)")),
      el("span", {}, "fds " + count(r.fd_total) + (r.fd_limit ? " / " + count(r.fd_limit) : ""))),
    memPct === null ? null : el("div", { class: "bar", title: "memory against maxmemory" },
      el("span", { class: memPct > 90 ? "high" : "", style: "width:" + memPct.toFixed(1) + "%" })),
    fdPct === null ? null : el("div", { class: "bar", title: "fds against the ceiling" },
      el("span", { class: fdPct > 90 ? "high" : "", style: "width:" + fdPct.toFixed(1) + "%" })));
}

// ---- one instance --------------------------------------------------------------------------
async function instanceView(name, window) {
  let data;
  try { data = await api("/api/status/instance?name=" + encodeURIComponent(name)); } catch (e) { return failed(name, e); }
  const firing = data.alerts.filter((a) => a.state === "firing")
    .sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
  const recent = data.alerts.filter((a) => a.state !== "firing");
  const chartsBox = el("div", { class: "charts", id: "charts" });
  const windows = el("div", { class: "windows" }, ["1h", "24h", "7d"].map((w) =>
    el("button", { type: "button", class: w === window ? "active" : "", "data-window": w,
      onclick: () => { location.hash = "#/instance/" + encodeURIComponent(name) + "/" + w; } }, w)));
  show(
    el("h1", {}, data.instance),
    el("div", { class: "facts" },
      el("span", {}, data.role || "role ?"),
      el("span", {}, "redis " + (data.redis_version || "?")),
      el("span", {}, "agent " + (data.agent_id || "?") + " " + (data.agent_version || "")),
      el("span", {}, "heard " + ago(data.agent_last_seen || data.last_seen))),
    el("h2", {}, "Firing alerts (" + firing.length + ")"),
    el("div", { id: "firing" }, firing.length ? firing.map(alertCard) : el("p", { class: "muted" }, "Nothing firing.")),
    el("h2", {}, "Charts"),
    windows,
    chartsBox,
    recent.length ? el("details", {}, el("summary", {}, "Recent alerts (" + recent.length + ")"), recent.map(alertCard)) : null,
    factsTable("Latest CONFIG" + (data.config ? " (" + ago(data.config.ts) + ")" : ""), data.config && data.config.values, "config"),
    factsTable("Host facts of " + data.host + (data.host_facts ? " (" + ago(data.host_facts.ts) + ")" : ""), data.host_facts, "host-facts"),
    factsTable("Process facts" + (data.process_facts ? " (" + ago(data.process_facts.ts) + ")" : ""), data.process_facts, "process-facts"));
  try {
    const s = await api("/api/status/series?name=" + encodeURIComponent(name) + "&window=" + window + "&host=" + encodeURIComponent(data.host));
    drawCharts(chartsBox, s);
  } catch (e) {
    if (!(e instanceof Unauthorized)) chartsBox.replaceChildren(el("p", { class: "error" }, "Could not load the charts: " + e.message));
  }
}

function alertCard(a) {
  const card = el("div", { class: "card alert " + (a.state === "firing" ? a.severity : "ok"), "data-rule": a.rule, "data-state": a.state },
    el("div", { class: "row" },
      el("span", {}, el("span", { class: "badge " + (a.state === "firing" ? a.severity : "resolved") }, a.state === "firing" ? a.severity : "resolved"),
        " ", el("b", {}, a.rule)),
      el("span", { class: "muted", title: when(a.started_at) }, "started " + ago(a.started_at)
        + (a.resolved_at ? ", resolved " + ago(a.resolved_at) : ""))),
    el("div", { class: "summary" }, a.summary),
    evidence(a.evidence || []),
    a.advice ? el("div", { class: "advice" }, a.advice) : null);
  if (a.state === "firing") {
    const button = el("button", { type: "button", class: "silence-button", onclick: () => {
      button.replaceWith(silenceForm({ rule: a.rule, instance: a.instance }, () => route()));
    } }, "Silence…");
    card.appendChild(el("div", { style: "margin-top:8px" }, button));
  }
  return card;
}

/** The first lines of evidence, the rest one tap away: a phone screen is for the advice. */
function evidence(items) {
  if (items.length === 0) return null;
  const li = (e) => el("li", {}, typeof e === "string" ? e : JSON.stringify(e));
  const shown = 2;
  return el("div", {},
    el("ul", { class: "evidence" }, items.slice(0, shown).map(li)),
    items.length > shown ? el("details", {}, el("summary", {}, (items.length - shown) + " more lines of evidence"),
      el("ul", { class: "evidence" }, items.slice(shown).map(li))) : null);
}

function factsTable(title, values, id) {
  if (!values) return el("details", { id }, el("summary", {}, title), el("p", { class: "muted" }, "Nothing stored yet."));
  const rows = Object.keys(values).sort().map((k) => {
    const v = values[k];
    return el("tr", {}, el("td", {}, k), el("td", {}, v === null ? "–" : typeof v === "object" ? JSON.stringify(v) : String(v)));
  });
  return el("details", { id }, el("summary", {}, title), el("table", { class: "kv" }, el("tbody", {}, rows)));
}

// ---- charts (uPlot) --------------------------------------------------------------------------
const COLORS = ["#1565c0", "#c62828", "#2e7d32", "#b26a00", "#6a1b9a", "#00838f", "#5b6470"];

function drawCharts(box, s) {
  const m = s.memory, f = s.fds, r = s.replication;
  const logKinds = Object.keys(s.logs);
  const specs = [
    { id: "memory", title: "Memory against maxmemory", fmt: bytes,
      series: [["used_memory", m.used_memory], ["RSS", m.used_memory_rss], ["maxmemory", m.maxmemory, true]] },
    { id: "fds", title: "File descriptors by type against the ceiling", fmt: count,
      series: [["sockets", f.sockets], ["pipes", f.pipes], ["files", f.files], ["other", f.other], ["ceiling", f.limit, true]] },
    { id: "replication", title: "Replication offset", fmt: count, series: [["master_repl_offset", r.master_repl_offset]] },
    { id: "link", title: "Replica link (1 up, 0 down)", fmt: count, series: [["link up", r.link_up]] },
    { id: "clients", title: "Connected clients", fmt: count, series: [["clients", s.clients.connected_clients]] },
    { id: "logs", title: "Log events by kind (per " + s.step_s + " s)", fmt: count,
      series: logKinds.map((k) => [k, s.logs[k]]) },
    { id: "headroom", title: "Host commit headroom against Redis memory", fmt: bytes,
      series: [["CommitLimit − Committed_AS", s.host.commit_headroom], ["Redis RSS", s.process_rss]] },
  ];
  // A window longer than the history starts where the history does: a new instance's first
  // minutes are not squeezed against the right edge of an empty hour.
  let first = s.t.length - 1;
  for (const spec of specs) for (const [, d] of spec.series) {
    const k = d.findIndex((v) => v !== null && v !== 0);
    if (k >= 0 && k < first) first = k;
  }
  first = Math.max(0, Math.min(first, s.t.length - 30));
  const t = s.t.slice(first);
  for (const spec of specs) spec.series = spec.series.map(([label, d, dashed]) => [label, d.slice(first), dashed]);
  box.replaceChildren();
  for (const spec of specs) box.appendChild(chart(t, spec));
}

function chart(t, spec) {
  const points = spec.series.reduce((n, [, data]) => n + data.filter((v) => v !== null).length, 0);
  const box = el("div", { class: "chart", id: "chart-" + spec.id, "data-points": points }, el("h3", {}, spec.title));
  if (points === 0 || typeof uPlot === "undefined") {
    box.appendChild(el("p", { class: "muted" }, points === 0 ? "No data in this window." : "Charting library not loaded."));
    return box;
  }
  const width = Math.max(240, Math.min(document.documentElement.clientWidth - 44, 520));
  const opts = {
    width, height: 170,
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    scales: { x: { time: true } },
    axes: [{ size: 30 }, { size: 64, values: (u, vals) => vals.map(spec.fmt) }],
    series: [{}].concat(spec.series.map(([label], i) => ({
      label, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: false,
      dash: spec.series[i][2] ? [6, 4] : undefined,
      value: (u, v) => spec.fmt(v),
    }))),
  };
  // uPlot reads its size from opts; the element must be in the page before the first draw.
  requestAnimationFrame(() => charts.push(new uPlot(opts, [t].concat(spec.series.map(([, d]) => d)), box)));
  return box;
}

// ---- silences ------------------------------------------------------------------------------
function silenceForm(preset, done) {
  const status = el("p", { class: "muted" });
  const form = el("form", { class: "silence", id: "silence-form" },
    el("label", {}, "Rule (empty: any)", el("input", { name: "rule", value: preset.rule || "", placeholder: "misconf_writes_refused" })),
    el("label", {}, "Instance (empty: any)", el("input", { name: "instance", value: preset.instance || "", placeholder: "host:6379" })),
    el("label", {}, "For", el("select", { name: "duration" },
      ["1h", "4h", "24h", "7d"].map((d) => el("option", { value: d }, d)))),
    el("label", {}, "Why, and who silences it", el("input", { name: "comment", required: true, placeholder: "disk replaced tonight — ana" })),
    el("button", { type: "submit", class: "primary" }, "Create silence"),
    status);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { duration: form.duration.value, comment: form.comment.value };
    if (form.rule.value.trim()) body.rule = form.rule.value.trim();
    if (form.instance.value.trim()) body.instance = form.instance.value.trim();
    status.className = "muted";
    status.textContent = "Saving…";
    try {
      const s = await api("/api/silences", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      status.className = "notice";
      status.id = "silence-created";
      status.textContent = "Silence " + s.id + " in force until " + when(s.expires_at) + ".";
      setTimeout(done, 1200);
    } catch (e) {
      if (e instanceof Unauthorized) return;
      status.className = "error";
      status.textContent = "Not saved: " + e.message;
    }
  });
  return form;
}

async function silencesView(showExpired) {
  let list;
  try { list = await api("/api/silences" + (showExpired ? "?expired=true" : "")); } catch (e) { return failed("silences", e); }
  const now = Date.now();
  show(
    el("h1", {}, "Silences"),
    el("p", { class: "muted" }, "A silence stops notifications of matching alerts (rule, instance, host; empty matches any) until it expires. Alerts still show here."),
    el("label", {}, el("input", { type: "checkbox", id: "show-expired", checked: showExpired,
      onchange: (e) => { location.hash = e.target.checked ? "#/silences/all" : "#/silences"; } }), " show expired"),
    el("div", { id: "silences" }, list.length === 0 ? el("p", { class: "muted" }, "No silence in force.") : list.map((s) => {
      const active = Date.parse(s.expires_at) > now;
      return el("div", { class: "card silence " + (active ? "info" : ""), "data-silence": s.id },
        el("div", { class: "row" },
          el("b", {}, [s.rule || "any rule", " on ", s.instance || s.host || "any instance"].join("")),
          el("span", { class: "muted" }, (active ? "until " : "expired ") + when(s.expires_at))),
        el("div", {}, s.comment),
        active ? el("button", { type: "button", class: "expire", onclick: async () => {
          try { await api("/api/silences/" + encodeURIComponent(s.id), { method: "DELETE" }); route(); }
          catch (e) { if (!(e instanceof Unauthorized)) alert("Could not expire silence " + s.id + ": " + e.message); }
        } }, "Expire now") : null);
    })),
    el("h2", {}, "New silence"),
    silenceForm({}, () => route()));
}

// ---- routing -------------------------------------------------------------------------------
function route() {
  const parts = location.hash.replace(/^#\/?/, "").split("/");
  for (const a of document.querySelectorAll("nav a")) a.classList.remove("active");
  if (parts[0] === "instance" && parts[1]) {
    instanceView(decodeURIComponent(parts[1]), ["1h", "24h", "7d"].includes(parts[2]) ? parts[2] : "1h");
  } else if (parts[0] === "silences") {
    document.getElementById("nav-silences").classList.add("active");
    silencesView(parts[1] === "all");
  } else {
    document.getElementById("nav-fleet").classList.add("active");
    fleetView();
  }
}

window.addEventListener("hashchange", route);
route();
// The fleet refreshes itself while it is on screen; the other views hold forms and are reloaded by hand.
setInterval(() => {
  const onFleet = location.hash === "" || location.hash === "#/" || location.hash === "#";
  if (onFleet && document.visibilityState === "visible" && document.getElementById("token-form").hidden) fleetView();
}, 30000);
