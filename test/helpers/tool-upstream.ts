import type { ServerResponse } from "node:http";

// A scripted upstream that calls tools, as a tool-calling chat model behind vLLM or OpenAI would: choice i
// of a request calls get_weather with the i-th arguments below (the first two are the same call written
// two ways). It records what it was sent.
export const argumentsByChoice = ['{"city":"Paris","unit":"c"}', '{ "unit": "c", "city": "Paris" }', '{"city":"Rome","unit":"c"}'];
export const received: Record<string, unknown>[] = [];

export function answerWithTools(response: ServerResponse, body: Record<string, unknown>) {
  received.push(body);
  const n = (body.n as number | undefined) ?? 1;
  const calls = (index: number) => [
    { id: `call_${index}`, type: "function", function: { name: "get_weather", arguments: argumentsByChoice[index % argumentsByChoice.length] } },
  ];
  if (!body.tools) {
    response.writeHead(200, { "content-type": "application/json" });
    response.end(
      JSON.stringify({
        // Asked for JSON, it answers JSON; otherwise a word.
        choices: [
          { index: 0, message: { role: "assistant", content: body.response_format ? '{"city":"Paris","temperature":21}' : "plain" }, finish_reason: "stop" },
        ],
        usage: { prompt_tokens: 5, completion_tokens: 1 },
      }),
    );
    return;
  }
  if (body.stream) {
    // Pieces as OpenAI streams them: the id and name first, the arguments in two parts.
    response.writeHead(200, { "content-type": "text/event-stream" });
    const send = (data: unknown) => response.write(`data: ${JSON.stringify(data)}\n\n`);
    for (let index = 0; index < n; index++) {
      const [call] = calls(index);
      const text = call?.function.arguments ?? "";
      send({
        choices: [
          { index, delta: { role: "assistant", tool_calls: [{ index: 0, id: call?.id, type: "function", function: { name: "get_weather", arguments: "" } }] } },
        ],
      });
      send({ choices: [{ index, delta: { tool_calls: [{ index: 0, function: { arguments: text.slice(0, 7) } }] } }] });
      send({ choices: [{ index, delta: { tool_calls: [{ index: 0, function: { arguments: text.slice(7) } }] } }] });
      send({ choices: [{ index, delta: {}, finish_reason: "tool_calls" }] });
    }
    send({ choices: [], usage: { prompt_tokens: 20, completion_tokens: 12 * n } });
    response.end("data: [DONE]\n\n");
    return;
  }
  response.writeHead(200, { "content-type": "application/json" });
  response.end(
    JSON.stringify({
      choices: Array.from({ length: n }, (_, index) => ({
        index,
        message: { role: "assistant", content: null, tool_calls: calls(index) },
        finish_reason: "tool_calls",
      })),
      usage: { prompt_tokens: 20, completion_tokens: 12 * n },
    }),
  );
}
