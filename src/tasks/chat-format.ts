/**
 * The bundled chat model's conversation format, ChatML as Qwen writes it: `<|im_start|>role\n…<|im_end|>\n`,
 * reasoning inside `<think>…</think>` at the start of an answer, tools listed in the system turn and called
 * in Hermes' form (`<tool_call>\n{"name": …, "arguments": …}\n</tool_call>`), results as `tool` messages
 * shown inside `<tool_response>`. `chatTemplate` is what the GGUF stores (`tokenizer.chat_template`), so
 * llama.cpp's server and node-llama-cpp render it; `renderChat` writes the same text for training data, and
 * a test holds the two equal through the built llama-server.
 */

/** A tool as OpenAI's `tools` list gives it. */
export type ChatTool = { type: "function"; function: { name: string; description: string; parameters: Record<string, unknown> } };

export type ChatTurn =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string; reasoning_content?: string; tool_calls?: { name: string; arguments: Record<string, unknown> }[] }
  | { role: "tool"; content: string };

/** The control tokens the vocabulary adds (each one token); the rest of the text is one token per character. */
export const chatControlTokens = ["<|im_start|>", "<|im_end|>"] as const;

const toolsIntro =
  "# Tools\n\nCall a function by writing <tool_call>\n" +
  '{"name": <function name>, "arguments": <arguments as a JSON object>}\n' +
  "</tool_call>\nThe functions:\n<tools>";

/**
 * The Jinja template stored in the GGUF. Whitespace control (`{%-`) keeps it to exactly what `renderChat` writes.
 * It starts with `bos_token` (the model was trained with BOS first; llama.cpp's server strips the text and adds
 * the token, node-llama-cpp's path renders it empty and adds the token), and writes an assistant message's
 * `reasoning_content` inside `<think>`, which is how llama.cpp's server learns from a template that the model
 * reasons in those tags and splits them off into `reasoning_content`.
 */
export const chatTemplate = [
  "{{- bos_token }}",
  "{%- if tools %}",
  "{{- '<|im_start|>system\\n' }}",
  "{%- if messages[0].role == 'system' %}{{- messages[0].content + '\\n\\n' }}{%- endif %}",
  `{{- '${toolsIntro.replaceAll("\n", "\\n")}' }}`,
  "{%- for tool in tools %}{{- '\\n' + (tool.function | tojson) }}{%- endfor %}",
  "{{- '\\n</tools><|im_end|>\\n' }}",
  "{%- elif messages[0].role == 'system' %}",
  "{{- '<|im_start|>system\\n' + messages[0].content + '<|im_end|>\\n' }}",
  "{%- endif %}",
  "{%- for message in messages %}",
  "{%- if message.role == 'system' and loop.first %}",
  "{%- elif message.role == 'user' or message.role == 'system' %}",
  "{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}",
  "{%- elif message.role == 'assistant' %}",
  "{{- '<|im_start|>assistant\\n' }}",
  "{%- if message.reasoning_content %}{{- '<think>\\n' + message.reasoning_content + '\\n</think>\\n\\n' }}{%- endif %}",
  "{%- if message.content %}{{- message.content }}{%- endif %}",
  "{%- if message.tool_calls %}{%- for call in message.tool_calls %}",
  "{%- if call.function is defined %}{%- set call = call.function %}{%- endif %}",
  '{{- \'\\n<tool_call>\\n{"name": "\' + call.name + \'", "arguments": \' }}',
  "{%- if call.arguments is string %}{{- call.arguments }}{%- else %}{{- call.arguments | tojson }}{%- endif %}",
  "{{- '}\\n</tool_call>' }}",
  "{%- endfor %}{%- endif %}",
  "{{- '<|im_end|>\\n' }}",
  "{%- elif message.role == 'tool' %}",
  "{%- if loop.first or messages[loop.index0 - 1].role != 'tool' %}{{- '<|im_start|>user' }}{%- endif %}",
  "{{- '\\n<tool_response>\\n' + message.content + '\\n</tool_response>' }}",
  "{%- if loop.last or messages[loop.index0 + 1].role != 'tool' %}{{- '<|im_end|>\\n' }}{%- endif %}",
  "{%- endif %}",
  "{%- endfor %}",
  "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}",
].join("");

/** JSON as Jinja's `tojson` writes it (Python's separators: `", "` and `": "`). */
export function toJinjaJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(toJinjaJson).join(", ")}]`;
  if (value !== null && typeof value === "object")
    return `{${Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => `${JSON.stringify(key)}: ${toJinjaJson(item)}`)
      .join(", ")}}`;
  return JSON.stringify(value);
}

/** The text of one rendered turn, with whether a model is trained to write it (the assistant's own words). */
export type ChatSegment = { text: string; train: boolean };

/**
 * The conversation as `chatTemplate` renders it, in segments: the assistant turns' contents and their
 * `<|im_end|>` are the parts a model learns to write. `generationPrompt` ends it with an open assistant turn.
 */
export function renderChatSegments(options: { messages: ChatTurn[]; tools?: ChatTool[]; generationPrompt?: boolean }): ChatSegment[] {
  const { messages, tools } = options;
  const segments: ChatSegment[] = [];
  const plain = (text: string) => segments.push({ text, train: false });
  const first = messages[0];
  if (tools && tools.length > 0) {
    plain(
      `<|im_start|>system\n${first?.role === "system" ? `${first.content}\n\n` : ""}${toolsIntro}${tools.map((tool) => `\n${toJinjaJson(tool.function)}`).join("")}\n</tools><|im_end|>\n`,
    );
  } else if (first?.role === "system") plain(`<|im_start|>system\n${first.content}<|im_end|>\n`);
  messages.forEach((message, index) => {
    if (message.role === "system" && index === 0) return;
    if (message.role === "system" || message.role === "user") plain(`<|im_start|>${message.role}\n${message.content}<|im_end|>\n`);
    else if (message.role === "assistant") {
      plain("<|im_start|>assistant\n");
      const calls = (message.tool_calls ?? [])
        .map((call) => `\n<tool_call>\n{"name": "${call.name}", "arguments": ${toJinjaJson(call.arguments)}}\n</tool_call>`)
        .join("");
      const thought = message.reasoning_content ? `<think>\n${message.reasoning_content}\n</think>\n\n` : "";
      segments.push({ text: `${thought}${message.content}${calls}<|im_end|>`, train: true });
      plain("\n");
    } else {
      const previous = messages[index - 1];
      const next = messages[index + 1];
      plain(
        `${previous?.role !== "tool" ? "<|im_start|>user" : ""}\n<tool_response>\n${message.content}\n</tool_response>${next?.role !== "tool" ? "<|im_end|>\n" : ""}`,
      );
    }
  });
  if (options.generationPrompt) plain("<|im_start|>assistant\n");
  return segments;
}

/** The conversation's whole text, as `chatTemplate` renders it. */
export function renderChat(options: { messages: ChatTurn[]; tools?: ChatTool[]; generationPrompt?: boolean }): string {
  return renderChatSegments(options)
    .map((segment) => segment.text)
    .join("");
}

/** The two tools the chat model is trained to call: a calculator and a Python runner. */
export const chatTools: { calculator: ChatTool; python: ChatTool } = {
  calculator: {
    type: "function",
    function: {
      name: "calculator",
      description: "Evaluates an arithmetic expression with + - * // and brackets.",
      parameters: { type: "object", properties: { expression: { type: "string" } }, required: ["expression"] },
    },
  },
  python: {
    type: "function",
    function: {
      name: "python",
      description: "Runs a Python program and returns what it prints.",
      parameters: { type: "object", properties: { code: { type: "string" } }, required: ["code"] },
    },
  },
};
