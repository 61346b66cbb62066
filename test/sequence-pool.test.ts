import { describe, expect, it } from "vitest";
import { SequencePool } from "../src/backends/llama-cpp/sequence-pool.js";

describe("the embedded backend's context pool", () => {
  it("takes the free item a caller rates highest, and hands a released one to the waiter that rates it highest", async () => {
    const pool = new SequencePool(["ab", "xy"]);
    expect(await pool.acquire(undefined, (item) => (item === "xy" ? 1 : 0))).toBe("xy");
    expect(await pool.acquire()).toBe("ab");
    const order: string[] = [];
    const first = pool.acquire(undefined, () => 0).then((item) => order.push(`first:${item}`));
    const second = pool.acquire(undefined, (item) => (item === "ab" ? 5 : 0)).then((item) => order.push(`second:${item}`));
    pool.release("ab");
    pool.release("xy");
    await Promise.all([first, second]);
    expect(order).toEqual(["second:ab", "first:xy"]);
  });

  it("passes over the oldest waiter at most 8 times", async () => {
    const pool = new SequencePool<string>([]);
    let served = false;
    void pool.acquire(undefined, () => 0).then(() => (served = true));
    for (let round = 0; round < 9 && !served; round++) {
      void pool.acquire(undefined, () => 1);
      pool.release("item");
      await Promise.resolve();
    }
    await Promise.resolve();
    expect(served).toBe(true);
  });
});
