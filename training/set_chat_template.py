"""Rewrites a chat GGUF that gguf_writer.py wrote with another chat template, weights unchanged (Q8_0 read back and
written again is the same bytes: each block's largest value sits at +-127 of its scale).
Usage: python3 training/set_chat_template.py <in.gguf> <template.jinja> <out.gguf> [--name mull-tiny-chat]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from gguf_reader import read_gguf  # noqa: E402
from gguf_writer import write_gguf  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("source")
parser.add_argument("template")
parser.add_argument("target")
parser.add_argument("--name", default="mull-tiny-chat")
args = parser.parse_args()
config, tensors = read_gguf(args.source)
write_gguf(args.target, config, tensors, args.name, matrices="q8_0", chat_template=open(args.template).read())
print(f"{args.target}: {os.path.getsize(args.target)} bytes")
