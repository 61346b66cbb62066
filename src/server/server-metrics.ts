/**
 * Prometheus metrics of a server (prom-client, on a registry of its own): requests by route, model and
 * status, their latency, the requests in flight, the tokens spent by model and strategy, calls to each
 * model and their failures, and Node's process metrics. Labels hold
 * route paths, served model ids and strategy names only: never a key, a prompt or a completion.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { Usage } from "../core/usage.js";
import type { ModelCallRecord } from "../middleware/tracing-middleware.js";

export type ServerMetrics = {
  readonly registry: Registry;
  request(labels: { route: string; model: string; status: number; seconds: number }): void;
  tokens(labels: { model: string; strategy: string; usage: Usage }): void;
  inFlight(change: 1 | -1): void;
  /** One call to a served model ended (after its own retries): counted, and its failure by kind. */
  modelCall(model: string, record: ModelCallRecord): void;
  render(): Promise<string>;
};

export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  // The process's own: memory (heap and resident), CPU, event-loop lag, garbage collection.
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "mull_requests_total",
    help: "Requests answered, by route, model and HTTP status",
    labelNames: ["route", "model", "status"],
    registers: [registry],
  });
  const latency = new Histogram({
    name: "mull_request_duration_seconds",
    help: "Time to the end of the response (a stream: its last event), by route and model",
    labelNames: ["route", "model"],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const inFlight = new Gauge({ name: "mull_requests_in_flight", help: "Requests being answered now", registers: [registry] });
  const tokens = new Counter({
    name: "mull_tokens_total",
    help: "Tokens spent, by model, strategy and kind (prompt or completion); a strategy's count covers all its calls",
    labelNames: ["model", "strategy", "kind"],
    registers: [registry],
  });
  const modelCalls = new Counter({
    name: "mull_model_calls_total",
    help: "Calls to served models (an upstream's or the embedded one's), by model and outcome (ok, error, cancelled)",
    labelNames: ["model", "outcome"],
    registers: [registry],
  });
  const modelErrors = new Counter({
    name: "mull_model_call_errors_total",
    help: "Model calls that failed after their retries, by model and error class (e.g. BackendCallError, CallTimeoutError)",
    labelNames: ["model", "error"],
    registers: [registry],
  });
  return {
    registry,
    modelCall(model, record) {
      modelCalls.inc({ model, outcome: record.outcome });
      if (record.outcome === "error") modelErrors.inc({ model, error: record.error?.name ?? "Error" });
    },
    request({ route, model, status, seconds }) {
      requests.inc({ route, model, status: String(status) });
      latency.observe({ route, model }, seconds);
    },
    tokens({ model, strategy, usage }) {
      tokens.inc({ model, strategy, kind: "prompt" }, usage.promptTokens);
      tokens.inc({ model, strategy, kind: "completion" }, usage.completionTokens);
    },
    inFlight: (change) => inFlight.inc(change),
    render: () => registry.metrics(),
  };
}
