/**
 * Writes the chat model's training data and device-side evaluation sets from mull's own generators:
 * conversations rendered with the chat template, each as segments marked for training (the assistant's words)
 * or not. Training excludes every held-out question (word problems) and prompt (functions).
 * Usage: npx tsx training/make-chat-data.ts [--out training/data-chat] [--count 400000]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { chatInstructions } from "../src/bench/run-bench.js";
import { chatTemplate, chatTools, renderChat, renderChatSegments } from "../src/tasks/chat-format.js";
import { loadFunctionSplit } from "../src/tasks/function-synthesis.js";
import { loadWordSplit } from "../src/tasks/word-problem.js";
import { drawConversations } from "./chat-conversations.js";

const argument = (name: string, fallback: string) => {
  const index = process.argv.indexOf(name);
  return index > 0 ? (process.argv[index + 1] ?? fallback) : fallback;
};
const out = argument("--out", "training/data-chat");
const count = Number(argument("--count", "400000"));
mkdirSync(out, { recursive: true });
// The template the GGUF stores, written beside the data that was rendered with it.
writeFileSync(join(out, "chat-template.jinja"), chatTemplate);

const excluded = new Set<string>();
for (const difficulty of ["easy", "medium", "hard"] as const) for (const problem of loadWordSplit({ difficulty })) excluded.add(problem.question);
for (const problem of loadFunctionSplit()) excluded.add(problem.prompt);

const started = Date.now();
const lines: string[] = [];
const kinds = new Map<string, number>();
let characters = 0;
for (const conversation of drawConversations({ seed: 1, count, excluded })) {
  const segments = renderChatSegments({ messages: conversation.messages, ...(conversation.tools ? { tools: conversation.tools } : {}) });
  characters += segments.reduce((sum, segment) => sum + segment.text.length, 0);
  kinds.set(conversation.kind, (kinds.get(conversation.kind) ?? 0) + 1);
  lines.push(JSON.stringify({ k: conversation.kind, s: segments.map((segment) => [segment.text, segment.train ? 1 : 0]) }));
}
writeFileSync(join(out, "train.jsonl.gz"), gzipSync(lines.join("\n")));
console.log(
  `train: ${lines.length} conversations, ${(characters / lines.length).toFixed(0)} characters each on average, ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
console.log(Object.fromEntries([...kinds].sort()));

// Held-out monitoring sets for the GPU machine (the bench through llama-server is authoritative).
const evaluation: string[] = [];
for (const difficulty of ["easy", "medium", "hard"] as const)
  for (const problem of loadWordSplit({ difficulty, limit: 200 }))
    evaluation.push(
      JSON.stringify({
        t: "word",
        d: difficulty,
        p: renderChat({ messages: [{ role: "user", content: `${problem.question}\n\n${chatInstructions.number}` }], generationPrompt: true }),
        a: problem.answer,
      }),
    );
for (const problem of loadWordSplit({ difficulty: "hard", limit: 100 }))
  evaluation.push(
    JSON.stringify({
      t: "tool",
      d: "hard",
      p: renderChat({ messages: [{ role: "user", content: problem.question }], tools: [chatTools.calculator, chatTools.python], generationPrompt: true }),
      a: problem.answer,
    }),
  );
writeFileSync(join(out, "eval.jsonl"), evaluation.join("\n"));
console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s`);
