const chatTemplateToken = /<\|(?:im_start|im_end|endoftext|eot_id|end_of_turn|end)\|>/;

/**
 * The part of a completion that may hold its answer: `<think>...</think>` blocks (and an unclosed one, to
 * the end: the model ran out of tokens while still thinking) are the model's reasoning, kept out of
 * extraction so that a number it tried on the way is never taken for its answer.
 */
export function stripReasoning(completion: string): string {
  // A model that runs past its turn writes the template's next turn (`<|im_start|>user ...`): its answer ends there.
  const turns = completion.split(chatTemplateToken);
  const text = turns.find((turn) => turn.trim().length > 0) ?? "";
  const closed = text.replace(/<think>[\s\S]*?<\/think>/gi, "");
  const open = closed.search(/<think>/i);
  // Some templates put `<think>` in the prompt: a lone `</think>` ends reasoning that began before the text.
  const withoutOpen = open === -1 ? closed : closed.slice(0, open);
  const end = withoutOpen.lastIndexOf("</think>");
  return end === -1 ? withoutOpen : withoutOpen.slice(end + "</think>".length);
}
