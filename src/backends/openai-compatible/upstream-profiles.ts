/**
 * What an OpenAI-compatible server is, as settings: the presets for the servers mull knows, and detection
 * from what a server says about itself (llama.cpp's `/props`, the `owned_by` of vLLM's and SGLang's
 * `/v1/models`). Detection is a separate, explicit call (`mull probe <url>` prints its spec), since a model's
 * capabilities must be known before its first call.
 */
import { z } from "zod";
import type { OpenAICompatibleSettings } from "./openai-compatible-model.js";

export const upstreamProfiles = {
  /**
   * llama.cpp's `llama-server`: continues a final assistant message in its own way, names the stop sequence that
   * ended a choice when asked; its own top-k 40 / top-p 0.95 / min-p 0.05 turned off.
   */
  "llama-cpp-server": { assistantPrefix: "llama-cpp", verboseStops: true, neutralSampling: true, repeatPenaltyField: "repeat_penalty" },
  /** vLLM: `continue_final_message`; its generation config's sampling defaults turned off. */
  vllm: { assistantPrefix: "continue-final-message", neutralSampling: true },
  /** SGLang: as vLLM. */
  sglang: { assistantPrefix: "continue-final-message", neutralSampling: true },
  /** OpenAI: chat models only, no `top_k`, `max_completion_tokens`. */
  openai: { rawPrompt: false, maxTokensField: "max_completion_tokens" },
  /**
   * OpenAI's reasoning models (o-series, gpt-5) and servers that copy them: as `openai`, and sampling fixed by the
   * server (no temperature, top_p, penalties, logit_bias or logprobs).
   */
  "openai-reasoning": { rawPrompt: false, maxTokensField: "max_completion_tokens", fixedSampling: true },
} as const satisfies Record<string, Partial<OpenAICompatibleSettings>>;

export type UpstreamProfile = keyof typeof upstreamProfiles;

export const isUpstreamProfile = (name: string): name is UpstreamProfile => name in upstreamProfiles;

const propsSchema = z.looseObject({ total_slots: z.number().int().min(1) });
const modelsSchema = z.looseObject({ data: z.array(z.looseObject({ id: z.string(), owned_by: z.string().optional() })).min(1) });

export type DetectedUpstream = {
  profile: UpstreamProfile | undefined;
  settings: Partial<OpenAICompatibleSettings>;
  /** What the server said that decided it. */
  evidence: string;
  /** The first model the server lists, where it lists any. */
  model?: string;
};

/** Asks the server what it is (each request bounded by `timeoutMs`, default 3000); an unknown server gets no profile. */
export async function detectUpstreamProfile(options: {
  baseURL: string;
  apiKey?: string;
  timeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}): Promise<DetectedUpstream> {
  const base = options.baseURL.replace(/\/+$/, "");
  const root = base.replace(/\/v1$/, "");
  const get = async (url: string): Promise<unknown> => {
    try {
      const response = await (options.fetch ?? globalThis.fetch)(url, {
        headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
        signal: AbortSignal.timeout(options.timeoutMs ?? 3000),
      });
      return response.ok ? await response.json() : undefined;
    } catch {
      return undefined;
    }
  };
  const props = propsSchema.safeParse(await get(`${root}/props`));
  const models = modelsSchema.safeParse(await get(`${base}/models`));
  const model = models.success ? models.data.data[0]?.id : undefined;
  if (props.success)
    return {
      profile: "llama-cpp-server",
      settings: { ...upstreamProfiles["llama-cpp-server"], maxN: props.data.total_slots },
      evidence: `${root}/props reports ${props.data.total_slots} slots`,
      ...(model ? { model } : {}),
    };
  const owner = models.success ? models.data.data[0]?.owned_by : undefined;
  const profile = owner === "vllm" || owner === "sglang" ? owner : owner === "openai" || owner === "system" ? "openai" : undefined;
  return {
    profile,
    settings: profile ? { ...upstreamProfiles[profile] } : {},
    evidence: models.success ? `${base}/models: owned_by ${owner ?? "(none)"}` : "neither /props nor /v1/models answered",
    ...(model ? { model } : {}),
  };
}

/** The spec that names a detected server's settings, e.g. `URL#model?profile=llama-cpp-server&maxN=4`. */
export function specOf(options: { baseURL: string; model: string; detected: DetectedUpstream }): string {
  const query = new URLSearchParams();
  if (options.detected.profile) query.set("profile", options.detected.profile);
  if (options.detected.settings.maxN !== undefined) query.set("maxN", String(options.detected.settings.maxN));
  const settings = query.toString();
  return `${options.baseURL}#${options.model}${settings ? `?${settings}` : ""}`;
}
