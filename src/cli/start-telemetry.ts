import { importOptional } from "../internal/optional-package.js";

/**
 * Exports `mull serve`'s spans over OTLP/HTTP when the standard environment asks for it
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, with `OTEL_TRACES_EXPORTER`
 * unset or `otlp`); the exporter reads its endpoint, headers and protocol from the same variables.
 * Returns what flushes and stops it, or nothing where tracing is off. The SDK packages are optional peers.
 */
export async function startTelemetry(env: NodeJS.ProcessEnv = process.env): Promise<(() => Promise<void>) | undefined> {
  const exporterName = env.OTEL_TRACES_EXPORTER ?? (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ? "otlp" : "none");
  if (exporterName === "none" || env.OTEL_SDK_DISABLED === "true") return undefined;
  const feature = "exporting traces (OTEL_* environment variables)";
  const { NodeTracerProvider, BatchSpanProcessor } = await importOptional(
    "@opentelemetry/sdk-trace-node",
    feature,
    () => import("@opentelemetry/sdk-trace-node"),
  );
  const { OTLPTraceExporter } = await importOptional(
    "@opentelemetry/exporter-trace-otlp-http",
    feature,
    () => import("@opentelemetry/exporter-trace-otlp-http"),
  );
  const { resourceFromAttributes } = await importOptional("@opentelemetry/resources", feature, () => import("@opentelemetry/resources"));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ "service.name": env.OTEL_SERVICE_NAME ?? "mull" }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())],
  });
  provider.register();
  return () => provider.shutdown();
}
