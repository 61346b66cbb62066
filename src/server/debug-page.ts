/**
 * The live debugger's page: recent requests on the left; one opens to its strategy's timeline, filled as
 * events arrive over server-sent events (candidates, votes, verifier scores, a search's kept and pruned
 * nodes, the stop reason and usage). One self-contained document: no request leaves the server.
 */
export const debugPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mull debugger</title>
<style>
  body { font: 14px/1.4 system-ui, sans-serif; margin: 0; display: grid; grid-template-columns: 26rem 1fr; height: 100vh; }
  aside { border-right: 1px solid #ccc; overflow: auto; }
  main { overflow: auto; padding: 0 1rem; }
  table { border-collapse: collapse; width: 100%; }
  td, th { padding: 2px 6px; border-bottom: 1px solid #eee; text-align: left; font-variant-numeric: tabular-nums; }
  tr.request { cursor: pointer; }
  tr.request:hover, tr.request.open { background: #eef; }
  [data-state="running"] .state { color: #a60; }
  [data-state="failed"] .state { color: #c00; }
  ol#timeline li { margin: 2px 0; }
  .at { color: #888; display: inline-block; min-width: 4rem; }
  ul.tree, ul.tree ul { list-style: none; padding-left: 1.2rem; margin: 0; }
  ul.tree li[data-status="pruned"] > span { color: #999; text-decoration: line-through; }
  ul.tree li[data-status="finished"] > span { color: #060; }
  ul.tree li[data-chosen] > span { font-weight: bold; }
  .muted { color: #888; }
</style>
</head>
<body>
<aside>
  <h3 style="margin: .5rem">Recent requests</h3>
  <table><thead><tr><th>started</th><th>model</th><th>state</th><th>events</th></tr></thead><tbody id="requests"></tbody></table>
</aside>
<main>
  <h2 id="title" class="muted">Open a request</h2>
  <p id="summary"></p>
  <h3>Timeline</h3>
  <ol id="timeline"></ol>
  <div id="outcome"></div>
  <div id="tree"></div>
</main>
<script>
const key = new URLSearchParams(location.search).get("key");
const withKey = (path) => key ? path + (path.includes("?") ? "&" : "?") + "key=" + encodeURIComponent(key) : path;
let openId = null;
let source = null;
const text = (value) => document.createTextNode(String(value));
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) if (value !== undefined && value !== null) node.setAttribute(name, value);
  for (const child of children) node.append(typeof child === "string" || typeof child === "number" ? text(child) : child);
  return node;
}
async function refresh() {
  const list = await (await fetch(withKey("debug/requests"))).json();
  const body = document.getElementById("requests");
  body.replaceChildren(...list.map((request) => {
    const row = el("tr", { class: "request" + (request.id === openId ? " open" : ""), "data-id": request.id, "data-state": request.state },
      el("td", {}, request.startedAt.slice(11, 23)), el("td", {}, request.model), el("td", { class: "state" }, request.state), el("td", {}, request.events));
    row.addEventListener("click", () => open(request.id));
    return row;
  }));
}
function describe(event) {
  if (event.type === "progress") return "progress: " + event.message;
  if (event.type === "end") return "end: HTTP " + event.status + (event.error ? " (" + event.error + ")" : "");
  const trace = event.event, data = trace.data;
  switch (trace.type) {
    case "candidate-end": return "candidate" + (data.index !== undefined ? " " + data.index : "") + " finished: answer " + (data.answer ?? "none") + ", " + (data.completionTokens ?? "?") + " tokens";
    case "wave-end": return "wave: " + data.samples + " samples, votes " + JSON.stringify(data.votes);
    case "vote": return "vote: " + (data.answer ?? "none") + " " + JSON.stringify(data.votes);
    case "select": return "selected: " + (data.answer ?? "none") + " " + JSON.stringify(data.votes);
    case "scored": return "scored by " + data.verifier + ": " + data.scores.map((score) => score === undefined || score === null ? "-" : Number(score).toFixed(3)).join(", ");
    case "rule-fired": return "stopped early: " + data.rule + " after " + data.samples + " samples";
    case "search-tree": return "search tree: " + data.nodes.length + " nodes, " + data.nodes.filter((node) => node.status === "pruned").length + " pruned";
    // A strategy's own events (a user's too) as they are: the page knows only the contract's.
    default: return trace.type + ": " + JSON.stringify(data).slice(0, 200);
  }
}
function show(event) {
  document.getElementById("timeline").append(el("li", { "data-type": event.type === "trace" ? event.event.type : event.type }, el("span", { class: "at" }, event.atMs + " ms"), describe(event)));
  if (event.type === "trace" && event.event.type === "search-tree") drawTree(event.event.data);
  if (event.type === "end") showOutcome(event);
}
function showOutcome(event) {
  const outcome = document.getElementById("outcome");
  const parts = [];
  if (event.usage) parts.push(el("p", { id: "usage" }, "usage: " + event.usage.promptTokens + " prompt + " + event.usage.completionTokens + " completion tokens, " + event.usage.calls + " calls, " + event.usage.wallMs + " ms"));
  const strategy = event.strategy;
  if (strategy) {
    parts.push(el("p", { id: "stop" }, strategy.strategy + ": answer " + (strategy.answer ?? "none") + ", confidence " + strategy.confidence.toFixed(2) + ", stopped: " + strategy.stopReason));
    parts.push(el("table", { id: "votes" }, el("tr", {}, el("th", {}, "answer"), el("th", {}, "votes")),
      ...Object.entries(strategy.votes).map(([answer, votes]) => el("tr", {}, el("td", {}, answer), el("td", {}, votes)))));
    parts.push(el("h3", {}, "Candidates"), el("table", { id: "candidates" }, el("tr", {}, el("th", {}, "#"), el("th", {}, "answer"), el("th", {}, "tokens"), el("th", {}, "finish"), el("th", {}, "score")),
      ...strategy.candidates.map((candidate, index) => el("tr", { class: "candidate" }, el("td", {}, index), el("td", {}, candidate.answer ?? "none"), el("td", {}, candidate.completionTokens), el("td", {}, candidate.finishReason), el("td", {}, candidate.score === undefined ? "" : candidate.score.toFixed(3))))));
  }
  outcome.replaceChildren(...parts);
}
function drawTree(tree) {
  const chosen = new Set(tree.chosen);
  const children = new Map();
  for (const node of tree.nodes) { const list = children.get(node.parent) || []; list.push(node); children.set(node.parent, list); }
  const branch = (parent) => el("ul", parent === null ? { class: "tree" } : {}, ...(children.get(parent) || []).map((node) =>
    el("li", { "data-status": node.status, "data-chosen": chosen.has(node.id) ? "" : null },
      el("span", { title: node.step }, "#" + node.id + " " + node.status + (node.score === null ? "" : " " + node.score.toFixed(3)) + ": " + node.step.slice(0, 80)),
      branch(node.id))));
  document.getElementById("tree").replaceChildren(el("h3", {}, "Search tree"), branch(null));
}
async function open(id) {
  openId = id;
  source?.close();
  for (const part of ["timeline", "outcome", "tree"]) document.getElementById(part).replaceChildren();
  const request = await (await fetch(withKey("debug/requests/" + id))).json();
  document.getElementById("title").textContent = request.model + " (" + request.route + ")";
  document.getElementById("title").className = "";
  document.getElementById("summary").textContent = "started " + request.startedAt + (request.stream ? ", streamed" : "");
  // The events so far, then the rest live.
  source = new EventSource(withKey("debug/requests/" + id + "/events"));
  source.onmessage = (message) => show(JSON.parse(message.data));
  source.addEventListener("done", () => source.close());
  refresh();
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
