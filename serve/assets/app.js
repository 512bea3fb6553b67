// omnimix planner: the page's script (plain JavaScript, no library, no network
// beyond this server). Every change sends the changed fields as --set overrides to
// /api/whatif; only the answer to the latest request is shown.
"use strict";

const state = { scenario: null, latest: 0, current: null, set: [], job: null };

const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, text) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
};

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) {
    opts.headers["content-type"] = "application/json";
    opts.body = JSON.stringify(body);
  }
  const r = await fetch(path, opts);
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
  return { ok: r.ok, status: r.status, data };
}

// ---- controls ---------------------------------------------------------------

function input(key, base, step) {
  const td = el("td");
  const i = el("input", { type: "number", step: step || "any", "data-key": key });
  i.value = base === null || base === undefined ? "" : String(base);
  i.dataset.base = i.value;
  td.appendChild(i);
  td.appendChild(el("span", { class: "err", "data-err": key }));
  return td;
}

function grid(table, rows, cols, keyOf, valueOf, step) {
  table.textContent = "";
  const head = el("tr");
  head.appendChild(el("th", {}, ""));
  for (const c of cols) head.appendChild(el("th", {}, c.replace(/_/g, " ")));
  table.appendChild(head);
  for (const r of rows) {
    const tr = el("tr");
    tr.appendChild(el("th", { title: r.name }, r.code));
    for (const c of cols) tr.appendChild(input(keyOf(r, c), valueOf(r, c), step));
    table.appendChild(tr);
  }
}

function buildControls(s) {
  const simple = {
    "finance.annual_budget": s.annual_budget,
    "horizon_weeks": s.horizon_weeks,
    "finance.volatility": s.volatility,
    "strategy.creative_share": s.creative_share,
  };
  for (const [k, v] of Object.entries(simple)) {
    const i = document.querySelector(`#controls fieldset input[data-key="${k}"]`);
    i.value = String(v);
    i.dataset.base = i.value;
  }
  const used = s.channels.filter((c) => s.countries.some((x) => x.spend[c] > 0));
  grid($("#spend"), s.countries, used, (r, c) => `strategy.annual_spend.${r.code}.${c}`, (r, c) => r.spend[c]);
  grid($("#staff"), s.countries, s.staffed_channels, (r, c) => `strategy.service_staff.${r.code}.${c}`,
    (r, c) => r.service_staff[c] ?? 0);
  grid($("#integration"), s.countries, s.initiatives, (r, c) => `strategy.integration.${r.code}.${c}`,
    (r, c) => r.integration[c], "1");
  for (const i of document.querySelectorAll("#controls input[data-key]")) {
    i.addEventListener("change", changed);
  }
}

// The changed fields as --set overrides (an emptied field is as in the scenario).
function overrides() {
  const set = [];
  for (const i of document.querySelectorAll("#controls input[data-key]")) {
    const v = i.value.trim();
    if (v !== "" && v !== i.dataset.base) set.push(`${i.dataset.key}=${v}`);
    i.classList.toggle("changed", v !== "" && v !== i.dataset.base);
  }
  return set;
}

function clearErrors() {
  $("#form-error").textContent = "";
  for (const e of document.querySelectorAll("[data-err]")) e.textContent = "";
  for (const i of document.querySelectorAll("input.invalid")) i.classList.remove("invalid");
}

// Bad input: each problem next to its field, the whole message above the form.
function showErrors(data) {
  clearErrors();
  let placed = 0;
  for (const p of (data && data.problems) || []) {
    const slot = document.querySelector(`[data-err="${CSS.escape(p.key)}"]`);
    if (slot) {
      slot.textContent = p.message;
      placed++;
      const i = document.querySelector(`input[data-key="${CSS.escape(p.key)}"]`);
      if (i) i.classList.add("invalid");
    }
  }
  if (!placed) $("#form-error").textContent = (data && data.error) || "the request failed";
}

async function changed() {
  const set = overrides();
  const n = ++state.latest;
  document.body.dataset.state = "simulating";
  $("#status").textContent = "simulating ...";
  const t0 = performance.now();
  const r = await api("POST", "/api/whatif", { set });
  if (n !== state.latest) return; // a newer change is on its way
  if (!r.ok) {
    showErrors(r.data);
    document.body.dataset.state = "invalid";
    $("#status").textContent = "not simulated: see the message by the field";
    return;
  }
  clearErrors();
  state.set = set;
  showResult(r.data);
  const ms = performance.now() - t0;
  $("#status").textContent = `simulated in ${r.data.seconds.toFixed(2)} s, shown after ${(ms / 1000).toFixed(2)} s`;
  document.body.dataset.state = "ready";
  document.body.dataset.shown = String(n);
  document.body.dataset.latencyMs = String(Math.round(ms));
}

// ---- results ----------------------------------------------------------------

function kpiRows(table, baseline, columns) {
  table.textContent = "";
  const head = el("tr");
  head.appendChild(el("th", {}, "KPI"));
  for (const c of columns) head.appendChild(el("th", { colspan: c.diff ? 2 : 1 }, c.name));
  table.appendChild(head);
  const rows = baseline.kpis.concat(baseline.service);
  for (const k of rows) {
    const tr = el("tr", { "data-kpi": k.name });
    tr.appendChild(el("th", { title: `better: ${k.better}` }, k.label));
    for (const c of columns) {
      const f = c.result.kpis.concat(c.result.service).find((x) => x.name === k.name);
      const v = el("td", { class: "value" }, f ? f.value.text : "–");
      if (f && f.value.interval) v.title = `90 % interval ${f.value.interval}`;
      tr.appendChild(v);
      if (c.diff) {
        const d = f && f.difference;
        const td = el("td", { class: "diff" });
        if (d) {
          td.textContent = `${d.text} ${d.interval}`;
          const sure = d.lo !== null && d.hi !== null && (d.lo > 0 || d.hi < 0);
          const good = (d.mean > 0) === (k.better === "higher");
          if (sure && d.mean !== 0) td.classList.add(good ? "good" : "bad");
        }
        tr.appendChild(td);
      }
    }
    table.appendChild(tr);
  }
}

function showResult(r) {
  state.current = r;
  const base = state.scenario.baseline;
  kpiRows($("#kpis"), base, [
    { name: "baseline", result: base, diff: false },
    { name: "what-if (difference from baseline, 90 % interval)", result: r, diff: true },
  ]);
  $("#covers").textContent = `The intervals cover ${r.interval_covers}.`;
  for (const c of ["allocation", "retention", "waits"]) {
    $(`#chart-${c}`).innerHTML = r.charts[c];
  }
}

// ---- variants ---------------------------------------------------------------

async function loadVariants() {
  const r = await api("GET", "/api/variants");
  if (!r.ok) return;
  const base = state.scenario.baseline;
  const columns = [{ name: "baseline", result: base, diff: false }].concat(
    r.data.map((v) => ({ name: v.name, result: v.result, diff: true })));
  const table = $("#variants");
  kpiRows(table, base, columns);
  // downloads and delete under each variant
  const tr = el("tr", { class: "files" });
  tr.appendChild(el("th", {}, "files"));
  const links = (name) => {
    const td = el("td", { colspan: name === "baseline" ? 1 : 2 });
    for (const f of ["scenario.toml", "plan.json", "budget.xlsx", "report.html"]) {
      const a = el("a", { href: `/api/variants/${encodeURIComponent(name)}/${f}`, download: "" }, f);
      if (f === "report.html") a.title = "the report at full resolution: simulated when asked, as omnimix simulate (takes as long)";
      a.dataset.file = f;
      a.dataset.variant = name;
      td.appendChild(a);
      td.appendChild(document.createTextNode(" "));
    }
    if (name !== "baseline") {
      const b = el("button", { type: "button" }, "delete");
      b.addEventListener("click", async () => {
        await api("DELETE", `/api/variants/${encodeURIComponent(name)}`);
        loadVariants();
      });
      td.appendChild(b);
    }
    return td;
  };
  tr.appendChild(links("baseline"));
  for (const v of r.data) tr.appendChild(links(v.name));
  table.appendChild(tr);
  document.body.dataset.variants = String(r.data.length);
}

async function saveVariant() {
  const name = $("#variant-name").value;
  const r = await api("POST", "/api/variants", { name, set: overrides() });
  if (!r.ok) { showErrors(r.data); return; }
  clearErrors();
  $("#variant-name").value = "";
  await loadVariants();
}

// ---- optimize from here -----------------------------------------------------

function showJob(s) {
  const running = s.state === "running";
  $("#optimize").disabled = running;
  $("#cancel").disabled = !running;
  const p = $("#progress");
  if (running) {
    p.max = s.evals; p.value = s.evals_done;
    const best = s.best === null ? "" : `, best ${s.best.toPrecision(5)} (search scale)`;
    $("#optimize-status").textContent = `optimisation ${s.id}: ${s.evals_done} of ${s.evals} evaluations${best}`;
  } else if (s.state === "done") {
    p.value = p.max;
    $("#optimize-status").textContent = `optimisation ${s.id} done: the plan is saved as the variant "${s.variant}"`;
    loadVariants();
  } else if (s.state === "cancelled") {
    $("#optimize-status").textContent = `optimisation ${s.id} cancelled after ${s.evals_done} evaluations: no plan kept`;
  } else if (s.state === "failed") {
    $("#optimize-status").textContent = `optimisation ${s.id} failed: ${s.error}`;
  }
}

function follow() {
  if (state.job) state.job.close();
  const es = new EventSource("/api/optimize/events");
  state.job = es;
  es.addEventListener("status", (e) => {
    const s = JSON.parse(e.data);
    showJob(s);
    if (s.state !== "running") { es.close(); state.job = null; }
  });
  es.onerror = () => { es.close(); state.job = null; };
}

async function optimize() {
  const body = { set: overrides(), evals: Number($("#evals").value), objective: $("#objective").value };
  const r = await api("POST", "/api/optimize", body);
  if (!r.ok) {
    if (r.status === 400) showErrors(r.data);
    else $("#optimize-status").textContent = r.data.error;
    return;
  }
  clearErrors();
  showJob(r.data);
  follow();
}

// ---- start ------------------------------------------------------------------

async function start() {
  const r = await api("GET", "/api/scenario");
  if (!r.ok) { $("#form-error").textContent = (r.data && r.data.error) || "cannot load the scenario"; return; }
  const s = r.data;
  state.scenario = s;
  $("#scenario-name").textContent = `— ${s.name}`;
  $("#scenario-description").textContent = `${s.description} (${s.origin}${s.base_set.length ? ", " + s.base_set.join(", ") : ""})`;
  const b = s.baseline;
  $("#settings").textContent =
    `What-ifs: ${b.replications} replications of seed ${b.seed} at 1/${b.search_scale} of the agents, each paired with the baseline on the same random numbers.`;
  buildControls(s);
  showResult(b);
  $("#reset").addEventListener("click", () => {
    for (const i of document.querySelectorAll("#controls input[data-key]")) i.value = i.dataset.base;
    changed();
  });
  $("#save-variant").addEventListener("click", saveVariant);
  $("#optimize").addEventListener("click", optimize);
  $("#cancel").addEventListener("click", () => api("DELETE", "/api/optimize"));
  await loadVariants();
  const job = await api("GET", "/api/optimize");
  if (job.ok && job.data.state === "running") { showJob(job.data); follow(); }
  document.body.dataset.state = "ready";
  document.body.dataset.shown = "0";
}

start();
