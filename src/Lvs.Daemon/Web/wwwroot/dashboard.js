// lvsd dashboard: reads /api/events (Server-Sent Events, one status per second) and draws
// tables and rate charts. Read-only: it never sends anything but GET.
"use strict";

const HISTORY = 120; // points per chart: two minutes at one status per second
const series = { cps: [], pps: [], bps: [] };
const seenEvents = new Map();
let last = null; // previous status, for rates from counter differences

const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function human(n) {
  if (n === null || n === undefined) return "";
  const units = ["", "K", "M", "G", "T"];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) { n /= 1000; i++; }
  return (i === 0 ? Math.round(n).toString() : n.toFixed(n < 10 ? 2 : 1)) + units[i];
}

function totals(status) {
  let conns = 0, pkts = 0, bytes = 0;
  for (const s of status.services) {
    conns += s.stats.conns;
    pkts += s.stats.inPackets + s.stats.outPackets;
    bytes += s.stats.inBytes + s.stats.outBytes;
  }
  return { conns, pkts, bytes, t: status.timeMs };
}

function push(name, value) {
  const a = series[name];
  a.push(value);
  if (a.length > HISTORY) a.shift();
}

function draw(name, unit) {
  const canvas = $(name);
  const ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height, pad = 4;
  const data = series[name];
  ctx.clearRect(0, 0, w, h);
  const max = Math.max(1, ...data);
  ctx.strokeStyle = "#d9dde5";
  ctx.lineWidth = 1;
  for (let g = 1; g < 4; g++) {
    const y = Math.round(h - pad - (h - 2 * pad) * g / 4) + 0.5;
    ctx.beginPath(); ctx.moveTo(0, y); ctx.lineTo(w, y); ctx.stroke();
  }
  ctx.fillStyle = "#6b7385";
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillText(human(max) + unit, 4, 12);
  if (data.length < 2) return;
  const step = (w - 2 * pad) / (HISTORY - 1);
  const x0 = w - pad - step * (data.length - 1);
  ctx.beginPath();
  data.forEach((v, i) => {
    const x = x0 + i * step, y = h - pad - (h - 2 * pad) * v / max;
    if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
  });
  ctx.strokeStyle = "#2a6fdb";
  ctx.lineWidth = 2;
  ctx.stroke();
  ctx.lineTo(x0 + (data.length - 1) * step, h - pad);
  ctx.lineTo(x0, h - pad);
  ctx.closePath();
  ctx.fillStyle = "rgba(42,111,219,0.12)";
  ctx.fill();
  $(name + "-now").textContent = human(data[data.length - 1]) + unit;
}

function cells(tr, values) {
  for (const [cls, text] of values) tr.appendChild(el("td", cls, text));
}

function renderServices(status) {
  const body = $("service-rows");
  const rows = [];
  for (const s of status.services) {
    const tr = el("tr", "service");
    tr.dataset.service = s.name;
    cells(tr, [["name", `${s.name} ${s.scheduler}`], ["", ""], ["", ""], ["health", ""],
      ["active", s.servers.reduce((a, r) => a + r.activeConns, 0)], ["inactive", s.servers.reduce((a, r) => a + r.inactiveConns, 0)],
      ["conns", s.stats.conns], ["inpkts", s.stats.inPackets], ["outpkts", s.stats.outPackets],
      ["inbytes", human(s.stats.inBytes)], ["outbytes", human(s.stats.outBytes)], ["cps", s.rates ? s.rates.cps : ""]]);
    rows.push(tr);
    for (const r of s.servers) {
      const sr = el("tr", "server");
      sr.dataset.service = s.name;
      sr.dataset.server = `${r.address}:${r.port}`;
      const health = r.up === undefined || r.up === null ? "" : (r.up ? "up" : "down");
      cells(sr, [["name", `→ ${r.address}:${r.port}`], ["method", r.method], ["weight", r.weight], ["health " + health, health],
        ["active", r.activeConns], ["inactive", r.inactiveConns], ["conns", r.stats.conns],
        ["inpkts", r.stats.inPackets], ["outpkts", r.stats.outPackets],
        ["inbytes", human(r.stats.inBytes)], ["outbytes", human(r.stats.outBytes)], ["cps", r.rates ? r.rates.cps : ""]]);
      rows.push(sr);
    }
  }
  body.replaceChildren(...rows);
  $("services").classList.toggle("no-health", !status.features.health);
  $("no-services").hidden = status.services.length > 0;
}

function renderVrrp(status) {
  $("vrrp-panel").hidden = !status.features.vrrp;
  if (!status.vrrp) return;
  $("vrrp").replaceChildren(...status.vrrp.map((v) => {
    const tr = el("tr");
    cells(tr, [["", v.instance], ["", v.virtualRouterId], ["state-" + v.state, v.state], ["", v.priority]]);
    return tr;
  }));
}

function renderSync(status) {
  $("sync-panel").hidden = !status.features.sync;
  if (!status.sync) return;
  $("sync").textContent = `sent ${status.sync.sent}, received ${status.sync.received}, dropped ${status.sync.dropped}`;
}

function renderEvents(status) {
  for (const e of status.events) seenEvents.set(e.seq, e);
  const keys = [...seenEvents.keys()].sort((a, b) => b - a);
  for (const k of keys.slice(256)) seenEvents.delete(k);
  $("events").replaceChildren(...keys.slice(0, 256).map((k) => {
    const e = seenEvents.get(k);
    const li = el("li", e.kind);
    li.appendChild(el("span", "time", new Date(e.timeMs).toLocaleTimeString() + " "));
    li.appendChild(el("span", "kind", e.kind));
    li.appendChild(document.createTextNode(" " + e.message));
    return li;
  }));
}

function renderSide(status) {
  $("drops").replaceChildren(...status.drops.filter((d) => d.count > 0).map((d) => {
    const tr = el("tr");
    cells(tr, [["", d.reason], ["", d.count]]);
    return tr;
  }));
  $("workers").replaceChildren(...status.workerPackets.map((p, i) => {
    const tr = el("tr");
    cells(tr, [["", `worker ${i}`], ["", `${p} frames`]]);
    return tr;
  }));
}

function update(status) {
  const now = totals(status);
  if (last && now.t > last.t) {
    const dt = (now.t - last.t) / 1000;
    // A zeroed counter (lvsadm -Z) goes down: show 0 rather than a negative rate.
    push("cps", Math.max(0, (now.conns - last.conns) / dt));
    push("pps", Math.max(0, (now.pkts - last.pkts) / dt));
    push("bps", Math.max(0, (now.bytes - last.bytes) / dt));
  }
  if (!last || now.t > last.t) last = now;
  draw("cps", "");
  draw("pps", "");
  draw("bps", "B");
  $("version").textContent = `IP Virtual Server version ${status.version}`;
  $("summary").textContent = `${status.services.length} services, ${status.connections} connections (table size ${status.connectionTableSize}) · ${new Date(status.timeMs).toLocaleTimeString()}`;
  renderServices(status);
  renderVrrp(status);
  renderSync(status);
  renderEvents(status);
  renderSide(status);
}

function connect() {
  const source = new EventSource("/api/events");
  source.onopen = () => { $("link").textContent = "live"; $("link").className = "link up"; };
  source.onerror = () => { $("link").textContent = "reconnecting…"; $("link").className = "link down"; };
  source.onmessage = (m) => update(JSON.parse(m.data));
}

connect();
