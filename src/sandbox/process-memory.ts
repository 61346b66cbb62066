/** Resident memory of a process and its descendants, from /proc (Linux); undefined where there is none. */
import { readFileSync } from "node:fs";

function descendants(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean).map(Number);
    return [pid, ...children.flatMap(descendants)];
  } catch {
    return [pid];
  }
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
