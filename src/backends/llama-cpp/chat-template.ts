/**
 * Chat for the embedded backend: a GGUF that stores a chat template (`tokenizer.chat_template`) gets its chat
 * messages rendered by that template, as llama.cpp's server renders them with `--jinja`; a GGUF without one
 * keeps the raw-prompt format of mull's policy. The template runs in @huggingface/jinja, which node-llama-cpp
 * brings along.
 */
import { closeSync, openSync, readSync } from "node:fs";
import type { ChatMessage } from "../../core/call-options.js";
import { InvalidArgumentError } from "../../core/errors/invalid-argument-error.js";
import { importOptional } from "../../internal/optional-package.js";
import { contentText } from "../../internal/prompt-text.js";

/** Bytes of the file's start searched for the template's key: the metadata comes before the weights. */
const HEADER_BYTES = 16 * 1024 * 1024;

/**
 * Whether the GGUF's metadata holds a chat template, read from the file's start without loading it; false for a
 * file that cannot be read (loading reports that).
 */
export function fileHasChatTemplate(path: string): boolean {
  let handle: number | undefined;
  try {
    handle = openSync(path, "r");
    const buffer = Buffer.alloc(HEADER_BYTES);
    const read = readSync(handle, buffer, 0, HEADER_BYTES, 0);
    return buffer.subarray(0, read).includes("tokenizer.chat_template");
  } catch {
    return false;
  } finally {
    if (handle !== undefined) closeSync(handle);
  }
}

type Render = (values: Record<string, unknown>) => string;
const compiled = new Map<string, Promise<Render>>();

async function compile(template: string): Promise<Render> {
  const { Template } = await importOptional("@huggingface/jinja", "Chat templates of the embedded backend", () => import("@huggingface/jinja"));
  const parsed = new Template(template);
  return (values) => parsed.render(values);
}

/**
 * The conversation as the template renders it, ending in an open assistant turn; a last assistant message is
 * continued (its text follows the open turn), as llama.cpp's server continues one.
 */
export async function renderChatTemplate(options: { template: string; messages: readonly ChatMessage[]; bosToken: string; eosToken: string }): Promise<string> {
  let render = compiled.get(options.template);
  if (!render) {
    render = compile(options.template);
    compiled.set(options.template, render);
  }
  const last = options.messages.at(-1);
  const prefill = last?.role === "assistant" ? contentText(last.content) : undefined;
  const history = (prefill !== undefined ? options.messages.slice(0, -1) : options.messages).map((message) => ({
    role: message.role === "developer" ? "system" : message.role,
    content: contentText(message.content),
  }));
  if (!history.some((message) => message.role === "user"))
    throw new InvalidArgumentError({ parameter: "messages", message: "needs at least one user message" });
  let text: string;
  try {
    text = (await render)({ messages: history, add_generation_prompt: true, bos_token: options.bosToken, eos_token: options.eosToken });
  } catch (error) {
    throw new InvalidArgumentError({
      parameter: "messages",
      message: `the model's chat template could not render them: ${error instanceof Error ? error.message : String(error)}`,
    });
  }
  return text + (prefill ?? "");
}
