/**
 * `mull report`: one self-contained HTML file per run (no network needed to view it): accuracy-versus-tokens
 * curves per strategy (one panel per difficulty), the Pareto-efficient strategy per budget, and a
 * per-problem drill-down with candidates, votes and scores. Charts are Vega-Lite specs rendered to SVG in Node.
 */

import type { SearchTreeTrace } from "../core/trace-event.js";
import { importOptional } from "../internal/optional-package.js";
import { type SummaryRow, summarize } from "./run-bench.js";
import type { RunRecord, UnitRecord } from "./run-store.js";

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

async function renderChart(rows: SummaryRow[], title: string): Promise<string> {
  // Loaded here so that the library entry stays light.
  const vega = await importOptional("vega", "mull report", () => import("vega"));
  const vegaLite = await importOptional("vega-lite", "mull report", () => import("vega-lite"));
  const values = rows.map((row) => ({
    strategy: row.strategy,
    tokens: row.promptTokens + row.completionTokens,
    accuracy: row.accuracy,
    budget: row.budget || "none",
  }));
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title,
    width: 420,
    height: 260,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "tokens", type: "quantitative", title: "mean tokens per problem", scale: { zero: false } },
      y: { field: "accuracy", type: "quantitative", title: "accuracy", axis: { format: ".0%" } },
      color: { field: "strategy", type: "nominal", legend: { labelLimit: 400 } },
      order: { field: "tokens", type: "quantitative" },
    },
  };
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: "none" });
  return view.toSVG();
}

/** Points not dominated by another (at least as accurate with at most as many tokens, strictly better in one). */
export function paretoFront(rows: SummaryRow[]): SummaryRow[] {
  const tokens = (row: SummaryRow) => row.promptTokens + row.completionTokens;
  return rows.filter(
    (row) =>
      !rows.some(
        (other) =>
          other !== row && other.accuracy >= row.accuracy && tokens(other) <= tokens(row) && (other.accuracy > row.accuracy || tokens(other) < tokens(row)),
      ),
  );
}

export async function renderReport(options: { run: RunRecord; units: UnitRecord[] }): Promise<string> {
  const { run, units } = options;
  const rows = summarize(units);
  const difficulties = [...new Set(rows.map((row) => row.difficulty))];
  const strategies = [...new Set(rows.map((row) => row.strategy))];
  const charts: string[] = [];
  for (const difficulty of difficulties) {
    const panel = rows.filter((row) => row.difficulty === difficulty);
    charts.push(
      `<figure data-chart="accuracy-vs-tokens" data-difficulty="${escapeHtml(difficulty)}" data-series="${new Set(panel.map((row) => row.strategy)).size}">${await renderChart(panel, `accuracy vs tokens: ${difficulty}`)}</figure>`,
    );
  }
  const overall = rows.filter((row) => row.difficulty === "all");
  const front = new Set(paretoFront(overall));
  const budgets = [...new Set(overall.map((row) => row.budget))].sort((a, b) => (a || Number.POSITIVE_INFINITY) - (b || Number.POSITIVE_INFINITY));
  const bestPerBudget = budgets.map((budget) => {
    const candidates = overall
      .filter((row) => row.budget === budget)
      .sort((a, b) => b.accuracy - a.accuracy || a.promptTokens + a.completionTokens - (b.promptTokens + b.completionTokens));
    return candidates[0] as SummaryRow;
  });
  const percent = (value: number) => `${(100 * value).toFixed(1)}%`;
  const summaryTable = overall
    .map(
      (row) =>
        `<tr${front.has(row) ? ' class="pareto"' : ""}><td>${escapeHtml(row.strategy)}</td><td>${row.budget || "none"}</td><td>${percent(row.accuracy)} [${percent(row.low)}, ${percent(row.high)}]</td><td>${(row.promptTokens + row.completionTokens).toFixed(0)}</td><td>${row.calls.toFixed(1)}</td><td>${front.has(row) ? "yes" : ""}</td></tr>`,
    )
    .join("");
  const items = [...new Set(units.map((unit) => unit.itemId))];
  const drill = items
    .map((itemId) => {
      const forItem = units.filter((unit) => unit.itemId === itemId);
      const expected = String(forItem[0]?.detail.expected ?? "");
      const body = forItem
        .map((unit) => {
          const candidates = (unit.detail.candidates as { text: string; answer: string | null; score: number | null }[] | undefined) ?? [];
          return `<div class="unit"><h4>${escapeHtml(unit.strategy)} · budget ${unit.budget || "none"} · ${unit.correct ? "✔" : "✘"} ${escapeHtml(unit.answer ?? "(abstained)")}</h4><p>votes: ${escapeHtml(JSON.stringify(unit.detail.votes ?? {}))} · ${unit.promptTokens + unit.completionTokens} tokens</p><ol>${candidates.map((candidate) => `<li><pre>${escapeHtml(candidate.text)}</pre> → ${escapeHtml(candidate.answer ?? "(none)")}${candidate.score === null ? "" : ` · score ${candidate.score.toFixed(3)}`}</li>`).join("")}</ol>${renderSearchTree(unit.detail.searchTree as SearchTreeTrace | undefined)}</div>`;
        })
        .join("");
      return `<details data-item="${escapeHtml(itemId)}"><summary>${escapeHtml(itemId)} (expected ${escapeHtml(expected)}): ${forItem.filter((unit) => unit.correct).length}/${forItem.length} correct</summary>${body}</details>`;
    })
    .join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mull report ${escapeHtml(run.id)}</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .5rem}tr.pareto{background:#eef8ee}figure{display:inline-block;margin:0 1rem 1rem 0}pre{display:inline;white-space:pre-wrap}details{margin:.25rem 0}.unit{margin-left:1rem}ul.tree{list-style:none;padding-left:1rem;border-left:1px dotted #aaa}.tree .pruned{color:#999;text-decoration:line-through}.tree .finished{color:#060}.tree .chosen{font-weight:bold}</style>
</head><body>
<h1>mull run ${escapeHtml(run.id)}</h1>
<p>dataset ${escapeHtml(String(run.config.dataset))} · model ${escapeHtml(String(run.config.model))} · strategies ${escapeHtml(strategies.join(", "))} · ${items.length} problems · status ${run.status}</p>
<h2>Accuracy against tokens</h2>
${charts.join("\n")}
<h2>Best strategy per budget</h2>
<table id="best-per-budget"><tr><th>budget</th><th>strategy</th><th>accuracy</th><th>tokens</th></tr>${bestPerBudget.map((row) => `<tr><td>${row.budget || "none"}</td><td>${escapeHtml(row.strategy)}</td><td>${percent(row.accuracy)}</td><td>${(row.promptTokens + row.completionTokens).toFixed(0)}</td></tr>`).join("")}</table>
<h2>All strategies (Pareto-efficient rows shaded)</h2>
<table id="summary"><tr><th>strategy</th><th>budget</th><th>accuracy [95% CI]</th><th>tokens</th><th>calls</th><th>Pareto</th></tr>${summaryTable}</table>
<h2>Problems</h2>
${drill}
</body></html>`;
}

/** A step-level search's tree as nested lists: each step with its PRM score; pruned steps struck through, the chosen path in bold. */
function renderSearchTree(tree: SearchTreeTrace | undefined): string {
  if (!tree || !Array.isArray(tree.nodes)) return "";
  const chosen = new Set(tree.chosen);
  const children = new Map<number, SearchTreeTrace["nodes"]>();
  for (const node of tree.nodes) if (node.parent !== null) children.set(node.parent, [...(children.get(node.parent) ?? []), node]);
  const render = (id: number): string => {
    const kids = children.get(id) ?? [];
    if (kids.length === 0) return "";
    return `<ul class="tree">${kids
      .map(
        (node) =>
          `<li class="${node.status}${chosen.has(node.id) ? " chosen" : ""}" data-node="${node.id}"><pre>${escapeHtml(node.step)}</pre>${node.score === null ? "" : ` · ${node.score.toFixed(3)}`} · ${node.status}${render(node.id)}</li>`,
      )
      .join("")}</ul>`;
  };
  return `<details class="search-tree"><summary>search tree: ${tree.nodes.length - 1} steps, ${tree.nodes.filter((node) => node.status === "pruned").length} pruned</summary>${render(0)}</details>`;
}
