#!/usr/bin/env bash
# Builds llama.cpp's own `llama-server` (CPU only) from the source node-llama-cpp ships, for the integration
# suite (test/llama-server.test.ts). The build is cached outside the repository, by llama.cpp release:
#   ${MULL_LLAMA_SERVER_CACHE:-$HOME/.cache/mull/llama-server}/<release>/llama-server
# It prints that path. About 40 minutes on 2 cores from scratch; instant when cached.
set -euo pipefail
cd "$(dirname "$0")/.."
bundle=node_modules/node-llama-cpp/llama/gitRelease.bundle
release=$(node -e 'console.log(require("./node_modules/node-llama-cpp/llama/llama.cpp.info.json").tag)')
cache=${MULL_LLAMA_SERVER_CACHE:-$HOME/.cache/mull/llama-server}/$release
if [ -x "$cache/llama-server" ]; then
  echo "$cache/llama-server"
  exit 0
fi
mkdir -p "$cache"
rm -rf "$cache/src" "$cache/build"
git clone --quiet "$bundle" "$cache/src" >&2
cmake -S "$cache/src" -B "$cache/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGGML_NATIVE=OFF -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=ON -DBUILD_SHARED_LIBS=OFF >&2
cmake --build "$cache/build" --target llama-server -j "$(nproc)" >&2
cp "$cache/build/bin/llama-server" "$cache/llama-server"
rm -rf "$cache/src" "$cache/build"
echo "$cache/llama-server"
