/** Resident memory of a process and its descendants, from /proc (Linux); undefined where there is none. */
import { existsSync, readdirSync, readFileSync } from "node:fs";

/** Children by /proc/<pid>/task/<pid>/children where the kernel has it, else by scanning every process's parent. */
function childrenOf(pid: number): number[] {
  const listed = `/proc/${pid}/task/${pid}/children`;
  if (existsSync(listed)) {
    try {
      return readFileSync(listed, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }
  const found: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fourth field of stat is the parent; the name (second) is in parentheses and may hold spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      const parent = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parent === pid) found.push(Number(entry));
    } catch {
      // The process ended while being read.
    }
  }
  return found;
}

function descendants(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(descendants)];
}

function residentBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function treeResidentBytes(pid: number): number | undefined {
  if (process.platform !== "linux") return undefined;
  return descendants(pid).reduce((sum, id) => sum + residentBytes(id), 0);
}
