#!/usr/bin/env bash
# Benches strategies on the bundled chat model the way users reach a served model: llama.cpp's own server
# (built by scripts/build-llama-server.sh) with --jinja (the GGUF's template, tool calls parsed, reasoning split
# off), reached over HTTP by `mull bench` as any OpenAI-compatible upstream. Arguments go to `mull bench`; the
# model spec and the judge's are set here ({chat} in an argument is replaced by the chat model's spec).
#   bash scripts/bench-chat.sh --dataset word-hard --limit 40 --strategies single,pot:n=4 --db .mull/chat-bench.db
set -euo pipefail
# `&` in a replacement means the match in bash 5.2; the spec has one.
shopt -u patsub_replacement 2>/dev/null || true
cd "$(dirname "$0")/.."
binary=$(bash scripts/build-llama-server.sh)
port=${MULL_CHAT_PORT:-8093}
"$binary" -m models/mull-tiny-chat.gguf --jinja --reasoning-format deepseek --host 127.0.0.1 --port "$port" \
  -np 16 -c 32768 -t 2 --poll 0 --no-webui 2>/dev/null &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until curl -sf "http://127.0.0.1:$port/health" >/dev/null; do sleep 0.5; done
# Its size, so that every run counts its FLOPs (the judge's too: `judge:{chat}` is the same model).
spec="http://127.0.0.1:$port/v1#mull-tiny-chat?profile=llama-cpp-server&maxN=16&parameters=15615360"
args=()
for argument in "$@"; do args+=("${argument//\{chat\}/$spec}"); done
node bin/mull.js bench --model "$spec" --max-tokens 400 "${args[@]}"
