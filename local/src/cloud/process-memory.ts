import { readFileSync } from 'node:fs';

export interface ResidentMemory {
  /** Resident set size now, in MiB. */
  readonly rssMb: number;
  /** The most it has been since the process started, in MiB. */
  readonly peakRssMb: number;
}

const KiB_PER_MiB = 1024;

/** This process's memory: its threads (every execution environment) included. */
export function ownMemory(): ResidentMemory {
  return {
    rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
    // maxRSS is in KiB on every platform Node.js supports.
    peakRssMb: Math.round(process.resourceUsage().maxRSS / KiB_PER_MiB),
  };
}

/** Another process's memory (DynamoDB Local's JVM), where the system tells it (Linux `/proc`). */
export function processMemory(pid: number | undefined): ResidentMemory | undefined {
  if (pid === undefined) return undefined;
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const kib = (field: string): number | undefined => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match?.[1] === undefined ? undefined : Number(match[1]);
  };
  const rss = kib('VmRSS');
  const peak = kib('VmHWM');
  if (rss === undefined || peak === undefined) return undefined;
  return { rssMb: Math.round(rss / KiB_PER_MiB), peakRssMb: Math.round(peak / KiB_PER_MiB) };
}
