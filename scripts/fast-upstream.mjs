// A fast OpenAI-compatible upstream for proxy benchmarks: answers every chat request at once with a fixed
// completion (16 chunks when streaming), and optionally fails a share of calls. Prints its /v1 URL.
// With --token-ms, a streamed answer paces its 16 tokens that many milliseconds apart, as a model decodes.
//   node scripts/fast-upstream.mjs [--fail 0.2] [--token-ms 20]
import { createServer } from "node:http";

const failIndex = process.argv.indexOf("--fail");
const failShare = failIndex === -1 ? 0 : Number(process.argv[failIndex + 1]);
const tokenIndex = process.argv.indexOf("--token-ms");
const tokenMs = tokenIndex === -1 ? 0 : Number(process.argv[tokenIndex + 1]);
const words = Array.from({ length: 16 }, (_, index) => `w${index} `);
const chunk = (delta, finish) =>
  `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 0, model: "fast", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
const streamed = words.map((word) => chunk({ content: word }, null)).join("") + chunk({}, "stop");
const usage = `data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 8, completion_tokens: 16 } })}\n\n`;
let calls = 0;

const server = createServer((request, response) => {
  response.on("error", () => {});
  let raw = "";
  request.on("data", (data) => (raw += data));
  request.on("end", () => {
    calls++;
    const body = JSON.parse(raw || "{}");
    if (failShare > 0 && Math.random() < failShare) return fail(request, response, body);
    if (body.stream && tokenMs > 0) {
      response.writeHead(200, { "content-type": "text/event-stream" });
      let token = 0;
      const timer = setInterval(() => {
        if (token < words.length) response.write(chunk({ content: words[token++] }, null));
        else {
          clearInterval(timer);
          response.end(`${chunk({}, "stop")}${usage}data: [DONE]\n\n`);
        }
      }, tokenMs);
      response.on("close", () => clearInterval(timer));
    } else if (body.stream) {
      response.writeHead(200, { "content-type": "text/event-stream" });
      response.end(`${streamed}${usage}data: [DONE]\n\n`);
    } else {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(
        JSON.stringify({
          id: "x",
          object: "chat.completion",
          created: 0,
          model: "fast",
          choices: [{ index: 0, message: { role: "assistant", content: words.join("") }, finish_reason: "stop" }],
          usage: { prompt_tokens: 8, completion_tokens: 16 },
        }),
      );
    }
  });
});

/** One of the faults real upstreams show: a 5xx, a reset connection, no answer at all, or a stream that stalls. */
function fail(request, response, body) {
  const kind = Math.floor(Math.random() * 4);
  if (kind === 0) {
    response.writeHead(503, { "content-type": "application/json" });
    response.end(JSON.stringify({ error: { message: "overloaded" } }));
  } else if (kind === 1) request.socket.destroy();
  else if (kind === 2) {
    // Never answers; the client's timeout must end it.
  } else {
    response.writeHead(200, { "content-type": body.stream ? "text/event-stream" : "application/json" });
    response.write(body.stream ? chunk({ content: "w0 " }, null) : "{");
    // ...and stalls.
  }
}

server.keepAliveTimeout = 60_000;
server.listen(0, "127.0.0.1", () => console.log(`http://127.0.0.1:${server.address().port}/v1`));
process.on("SIGTERM", () => {
  console.error(`upstream calls: ${calls}`);
  process.exit(0);
});
