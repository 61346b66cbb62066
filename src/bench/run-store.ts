/**
 * The durable run store: every finished unit (one item × strategy × budget) is written to SQLite in its
 * own transaction as it completes, so a run killed at any moment (kill -9 included) resumes without
 * losing or repeating a finished unit. A unit that failed (its prompt exceeds the context, its calls failed
 * after retries) is stored as an error with its reason; a resumed run retries it and then replaces it.
 */

import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type Database from "better-sqlite3";
import { requireOptional } from "../internal/optional-package.js";

export type UnitRecord = {
  itemId: string;
  strategy: string;
  budget: number;
  difficulty: string | null;
  correct: boolean;
  abstained: boolean;
  answer: string | null;
  promptTokens: number;
  completionTokens: number;
  calls: number;
  wallMs: number;
  /** Candidates, votes, confidence, stop reason. */
  detail: Record<string, unknown>;
  /** Why the unit could not be run, for an errored unit (then neither right nor wrong). Absent otherwise. */
  error?: string;
};

export type RunRecord = { id: string; createdAt: number; status: "running" | "done"; config: Record<string, unknown> };

export class RunStore {
  readonly #db: Database.Database;

  constructor(path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    // Required here, not imported: the store is the only user of the native addon, an optional peer dependency.
    const Sqlite = requireOptional<typeof Database>("better-sqlite3", "The run store (mull bench, runs, report)");
    this.#db = new Sqlite(path);
    // WAL with full sync: a unit is on disk once its insert returns.
    this.#db.pragma("journal_mode = WAL");
    this.#db.pragma("synchronous = FULL");
    this.#db.exec(`
      CREATE TABLE IF NOT EXISTS runs (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, status TEXT NOT NULL, config TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS units (
        run_id TEXT NOT NULL, item_id TEXT NOT NULL, strategy TEXT NOT NULL, budget INTEGER NOT NULL,
        difficulty TEXT, correct INTEGER NOT NULL, abstained INTEGER NOT NULL, answer TEXT,
        prompt_tokens INTEGER NOT NULL, completion_tokens INTEGER NOT NULL, calls INTEGER NOT NULL, wall_ms INTEGER NOT NULL,
        detail TEXT NOT NULL, PRIMARY KEY (run_id, item_id, strategy, budget));
    `);
    // Stores written before errored units existed lack the column.
    const columns = this.#db.prepare("PRAGMA table_info(units)").all() as { name: string }[];
    if (!columns.some((column) => column.name === "error")) this.#db.exec("ALTER TABLE units ADD COLUMN error TEXT");
  }

  createRun(config: Record<string, unknown>): RunRecord {
    const id = `${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}-${Math.random().toString(36).slice(2, 6)}`;
    const record: RunRecord = { id, createdAt: Date.now(), status: "running", config };
    this.#db.prepare("INSERT INTO runs (id, created_at, status, config) VALUES (?, ?, ?, ?)").run(id, record.createdAt, record.status, JSON.stringify(config));
    return record;
  }

  getRun(id: string): RunRecord | undefined {
    const row = this.#db.prepare("SELECT id, created_at, status, config FROM runs WHERE id = ?").get(id) as
      | { id: string; created_at: number; status: "running" | "done"; config: string }
      | undefined;
    return row ? { id: row.id, createdAt: row.created_at, status: row.status, config: JSON.parse(row.config) } : undefined;
  }

  listRuns(): (RunRecord & { units: number })[] {
    const rows = this.#db
      .prepare(
        "SELECT r.id, r.created_at, r.status, r.config, (SELECT COUNT(*) FROM units u WHERE u.run_id = r.id) AS units FROM runs r ORDER BY r.created_at DESC",
      )
      .all() as {
      id: string;
      created_at: number;
      status: "running" | "done";
      config: string;
      units: number;
    }[];
    return rows.map((row) => ({ id: row.id, createdAt: row.created_at, status: row.status, config: JSON.parse(row.config), units: row.units }));
  }

  markDone(id: string): void {
    this.#db.prepare("UPDATE runs SET status = 'done' WHERE id = ?").run(id);
  }

  /** Whether the unit is stored; with `retryErrors`, an errored unit counts as not stored (it is to be run again). */
  hasUnit(runId: string, itemId: string, strategy: string, budget: number, options: { retryErrors?: boolean } = {}): boolean {
    const row = this.#db
      .prepare("SELECT error FROM units WHERE run_id = ? AND item_id = ? AND strategy = ? AND budget = ?")
      .get(runId, itemId, strategy, budget) as { error: string | null } | undefined;
    return row !== undefined && !(options.retryErrors && row.error !== null);
  }

  /** Idempotent: a unit already stored is kept as it was, except an errored one, which a new result replaces. */
  saveUnit(runId: string, unit: UnitRecord): void {
    this.#db
      .prepare(
        `INSERT INTO units (run_id, item_id, strategy, budget, difficulty, correct, abstained, answer, prompt_tokens, completion_tokens, calls, wall_ms, detail, error)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (run_id, item_id, strategy, budget) DO UPDATE SET
           difficulty = excluded.difficulty, correct = excluded.correct, abstained = excluded.abstained, answer = excluded.answer,
           prompt_tokens = excluded.prompt_tokens, completion_tokens = excluded.completion_tokens, calls = excluded.calls,
           wall_ms = excluded.wall_ms, detail = excluded.detail, error = excluded.error
         WHERE units.error IS NOT NULL`,
      )
      .run(
        runId,
        unit.itemId,
        unit.strategy,
        unit.budget,
        unit.difficulty,
        unit.correct ? 1 : 0,
        unit.abstained ? 1 : 0,
        unit.answer,
        unit.promptTokens,
        unit.completionTokens,
        unit.calls,
        unit.wallMs,
        JSON.stringify(unit.detail),
        unit.error ?? null,
      );
  }

  units(runId: string): UnitRecord[] {
    const rows = this.#db.prepare("SELECT * FROM units WHERE run_id = ? ORDER BY strategy, budget, item_id").all(runId) as Record<string, unknown>[];
    return rows.map((row) => ({
      itemId: row.item_id as string,
      strategy: row.strategy as string,
      budget: row.budget as number,
      difficulty: (row.difficulty as string | null) ?? null,
      correct: row.correct === 1,
      abstained: row.abstained === 1,
      answer: (row.answer as string | null) ?? null,
      promptTokens: row.prompt_tokens as number,
      completionTokens: row.completion_tokens as number,
      calls: row.calls as number,
      wallMs: row.wall_ms as number,
      detail: JSON.parse(row.detail as string),
      ...(typeof row.error === "string" ? { error: row.error } : {}),
    }));
  }

  close(): void {
    this.#db.close();
  }
}
