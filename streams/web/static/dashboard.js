// claimwatch dashboard. Every string from feeds, comments and articles is inserted with
// textContent (never innerHTML), and the page's Content-Security-Policy allows no inline script.
"use strict";
(() => {
  const state = { claims: new Map(), alerts: [], alertIds: new Set(), selected: null, filter: "all" };
  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function when(iso) {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? "" : d.toISOString().slice(0, 16).replace("T", " ") + " UTC";
  }

  function lag(seconds) {
    const s = Math.abs(seconds);
    const sign = seconds < 0 ? "-" : "+";
    if (s < 3600) return `${sign}${Math.round(s / 60)} min`;
    if (s < 172800) return `${sign}${(s / 3600).toFixed(1)} h`;
    return `${sign}${(s / 86400).toFixed(1)} days`;
  }

  const RANK = { denied: 0, contested: 1, confirmed: 2, unverified: 3 };
  const KIND_LABEL = {
    first_report: "First report", source: "Also reported", confirmation: "Confirmed",
    support: "Support", deny: "Denied", non_confirm: "Not confirmed",
  };

  function alertCard(alert) {
    const li = el("li", `alert sev-${alert.severity}`);
    li.dataset.alertId = alert.alert_id;
    li.dataset.claimId = alert.claim.claim_id;
    li.tabIndex = 0;
    const head = el("div", "alert-head");
    head.append(el("span", `badge ${alert.stance}`, alert.stance === "deny" ? "DENIED" : "NOT CONFIRMED"));
    head.append(el("span", `sev sev-${alert.severity}`, alert.severity));
    head.append(el("span", "conf", `confidence ${alert.confidence.toFixed(2)}`));
    li.append(head);
    const claim = el("p", "claim-text");
    claim.append(el("span", "label", "Claim "), el("q", null, alert.claim.text));
    li.append(claim);
    const denial = el("blockquote", "denial", alert.denial.text);
    denial.dataset.role = "denial-text";
    li.append(denial);
    const org = alert.denial.speaker_org;
    const who = alert.denial.speaker + (org && !alert.denial.speaker.toLowerCase().includes(org.toLowerCase()) ? ` (${org})` : "");
    const where = alert.denial.outlet || alert.denial.document_kind;
    li.append(el("p", "meta", `— ${who} · ${where} · ${when(alert.denial.occurred_at)} · ${lag(alert.lag_seconds)} after the claim`));
    const why = el("details", "why");
    why.append(el("summary", null, "Why"), el("p", null, alert.explanation));
    li.append(why);
    li.addEventListener("click", () => select(alert.claim.claim_id));
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") select(alert.claim.claim_id); });
    return li;
  }

  function addAlert(alert) {
    if (state.alertIds.has(alert.alert_id)) return;
    state.alertIds.add(alert.alert_id);
    state.alerts.push(alert);
    $("alerts").prepend(alertCard(alert));
    $("alerts-empty").hidden = true;
    $("count-alerts").textContent = String(state.alerts.length);
  }

  function claimItem(claim) {
    const li = el("li", "claim" + (state.selected === claim.claim_id ? " selected" : ""));
    li.dataset.status = claim.status;
    li.dataset.claimId = claim.claim_id;
    li.tabIndex = 0;
    li.append(el("span", `status st-${claim.status}`, claim.status));
    li.append(el("span", "claim-line", claim.text));
    const counts = { deny: 0, non_confirm: 0, confirmation: 0, source: 0, first_report: 0, support: 0 };
    for (const entry of claim.timeline) counts[entry.kind] = (counts[entry.kind] || 0) + 1;
    li.append(el("span", "counts",
      `${counts.first_report + counts.source} source(s) · ${counts.deny} denial(s) · ${counts.non_confirm} non-confirmation(s)`));
    li.addEventListener("click", () => select(claim.claim_id));
    li.addEventListener("keydown", (e) => { if (e.key === "Enter") select(claim.claim_id); });
    return li;
  }

  function renderClaims() {
    const list = $("claims");
    const live = [...state.claims.values()].filter((c) => !c.merged_into);
    const shown = live
      .filter((c) => state.filter === "all" || c.status === state.filter)
      .sort((a, b) => RANK[a.status] - RANK[b.status] || (b.last_seen_at < a.last_seen_at ? -1 : 1))
      .slice(0, 300);
    list.replaceChildren(...shown.map(claimItem));
    $("claims-empty").hidden = shown.length > 0;
    $("count-claims").textContent = String(live.length);
    $("count-denied").textContent = String(live.filter((c) => c.status === "denied").length);
    $("count-contested").textContent = String(live.filter((c) => c.status === "contested").length);
  }

  function renderDetail() {
    const box = $("detail");
    let claim = state.claims.get(state.selected);
    while (claim && claim.merged_into && state.claims.has(claim.merged_into)) claim = state.claims.get(claim.merged_into);
    if (!claim) {
      box.replaceChildren(el("p", "empty", state.selected ? "Loading the claim…" : "Select an alert or a claim to see its timeline."));
      return;
    }
    const head = el("div", "detail-head");
    head.append(el("span", `status st-${claim.status}`, claim.status), el("h3", null, claim.text));
    head.append(el("p", "meta", `first seen ${when(claim.first_seen_at)} · last activity ${when(claim.last_seen_at)}`));
    if (claim.entities.length) head.append(el("p", "entities", claim.entities.join(" · ")));
    const timeline = el("ol", "timeline");
    for (const entry of claim.timeline) {
      const item = el("li", `step k-${entry.kind}`);
      item.append(el("span", "step-kind", KIND_LABEL[entry.kind] || entry.kind));
      item.append(el("span", "step-when", when(entry.occurred_at)));
      const who = entry.speaker + (entry.outlet && entry.outlet !== entry.speaker ? ` · ${entry.outlet}` : "");
      item.append(el("span", "step-who", who + (entry.document_kind === "comment" ? " (comment)" : "")));
      item.append(el("p", "step-text", entry.text));
      timeline.append(item);
    }
    box.replaceChildren(head, timeline);
  }

  async function select(claimId) {
    state.selected = claimId;
    renderClaims();
    renderDetail();
    if (!state.claims.has(claimId)) {
      try {
        const response = await fetch(`/claims/${encodeURIComponent(claimId)}`);
        if (response.ok) upsertClaim(await response.json());
      } catch (err) { /* the stream will bring it */ }
    }
  }

  function upsertClaim(claim) {
    const current = state.claims.get(claim.claim_id);
    if (current && current.timeline.length > claim.timeline.length && !claim.merged_into) return;
    state.claims.set(claim.claim_id, claim);
    renderClaims();
    if (state.selected === claim.claim_id || (claim.merged_into && state.selected === claim.merged_into)) renderDetail();
  }

  function setConnection(text, mode) {
    const conn = $("conn");
    conn.textContent = text;
    conn.className = `conn ${mode}`;
  }

  async function loadClaims() {
    try {
      const response = await fetch("/claims?limit=1000");
      if (response.ok) for (const claim of await response.json()) upsertClaim(claim);
    } catch (err) { /* the stream fills in */ }
  }

  function connect() {
    const source = new EventSource("/alerts/stream?claims=1&replay=500");
    source.addEventListener("open", () => setConnection("live", "live"));
    source.addEventListener("error", () => setConnection("reconnecting…", "wait"));
    source.addEventListener("alert", (event) => addAlert(JSON.parse(event.data)));
    source.addEventListener("claim", (event) => upsertClaim(JSON.parse(event.data)));
  }

  $("status-filter").addEventListener("click", (event) => {
    const button = event.target.closest("button[data-status]");
    if (!button) return;
    state.filter = button.dataset.status;
    for (const b of $("status-filter").querySelectorAll("button")) b.classList.toggle("on", b === button);
    renderClaims();
  });

  loadClaims().then(connect);
})();
