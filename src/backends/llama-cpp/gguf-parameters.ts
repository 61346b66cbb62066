/**
 * A GGUF file's parameter count: the elements of its tensors, read from the header alone (the metadata and
 * tensor table, not the weights), synchronously, so that a model knows its size before it loads. Used for
 * what its tokens cost in FLOPs. Unreadable or unknown layouts give undefined, never an error.
 */
import { closeSync, openSync, readSync } from "node:fs";

/** GGUF metadata value types with a fixed width, by type id. */
const fixedWidths: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const stringType = 8;
const arrayType = 9;
const chunkBytes = 1 << 20;

export function ggufParameterCount(path: string): number | undefined {
  let handle: number | undefined;
  try {
    handle = openSync(path, "r");
    const reader = new HeaderReader(handle);
    if (reader.bytes(4).toString("latin1") !== "GGUF") return undefined;
    const version = reader.u32();
    if (version < 2) return undefined;
    const tensors = reader.u64();
    const entries = reader.u64();
    for (let entry = 0; entry < entries; entry++) {
      reader.skip(reader.u64());
      reader.skipValue(reader.u32());
    }
    let parameters = 0;
    for (let tensor = 0; tensor < tensors; tensor++) {
      reader.skip(reader.u64());
      const dimensions = reader.u32();
      let elements = 1;
      for (let dimension = 0; dimension < dimensions; dimension++) elements *= reader.u64();
      reader.skip(4 + 8);
      parameters += elements;
    }
    return parameters;
  } catch {
    return undefined;
  } finally {
    if (handle !== undefined) closeSync(handle);
  }
}

/** Reads a file front to back in chunks, so a large model's weights are never read. */
class HeaderReader {
  readonly #handle: number;
  #buffer = Buffer.alloc(0);
  #start = 0;
  #offset = 0;

  constructor(handle: number) {
    this.#handle = handle;
  }

  bytes(count: number): Buffer {
    this.#ensure(count);
    const at = this.#offset - this.#start;
    this.#offset += count;
    return this.#buffer.subarray(at, at + count);
  }

  u32(): number {
    return this.bytes(4).readUInt32LE(0);
  }

  u64(): number {
    return Number(this.bytes(8).readBigUInt64LE(0));
  }

  skip(count: number): void {
    this.#offset += count;
  }

  skipValue(type: number): void {
    if (type === stringType) this.skip(this.u64());
    else if (type === arrayType) {
      const itemType = this.u32();
      const count = this.u64();
      const width = fixedWidths[itemType];
      if (width !== undefined) this.skip(width * count);
      else for (let item = 0; item < count; item++) this.skipValue(itemType);
    } else {
      const width = fixedWidths[type];
      if (width === undefined) throw new Error(`unknown GGUF value type ${type}`);
      this.skip(width);
    }
  }

  #ensure(count: number): void {
    const end = this.#offset + count;
    if (this.#offset >= this.#start && end <= this.#start + this.#buffer.length) return;
    const buffer = Buffer.alloc(Math.max(chunkBytes, count));
    const read = readSync(this.#handle, buffer, 0, buffer.length, this.#offset);
    if (read < count) throw new Error("GGUF header ends early");
    this.#buffer = buffer.subarray(0, read);
    this.#start = this.#offset;
  }
}
