/**
 * What the benchmark scripts measure with: throughput at a concurrency, latency samples, percentiles,
 * and where the CPU went (this process and the DynamoDB Local JVM).
 */
import * as fs from 'node:fs';

/** `sorted` ascending; the value below which `p` % of the samples lie. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Runs `total` operations with `concurrency` in flight; returns operations per second. */
export async function throughput(
  total: number,
  concurrency: number,
  operation: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await operation(next++);
    }),
  );
  return total / ((performance.now() - started) / 1000);
}

export interface CpuMark {
  readonly at: number;
  readonly node: NodeJS.CpuUsage;
  readonly jvmTicks: number;
}

/** CPU time of a process from /proc (user + system clock ticks); 0 where /proc is absent. */
export function processTicks(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

export function cpuMark(jvmPid: number | undefined): CpuMark {
  return { at: performance.now(), node: process.cpuUsage(), jvmTicks: processTicks(jvmPid) };
}

/** Where the CPU went since `mark`: this process (main thread and Lambda workers) and the JVM. */
export function cpuShare(mark: CpuMark, jvmPid: number | undefined): string {
  const elapsedMs = performance.now() - mark.at;
  const node = process.cpuUsage(mark.node);
  const nodePercent = ((node.user + node.system) / 1000 / elapsedMs) * 100;
  const jvmPercent = (((processTicks(jvmPid) - mark.jvmTicks) * 10) / elapsedMs) * 100;
  return `${nodePercent.toFixed(0)}% / ${jvmPercent.toFixed(0)}%`;
}

export async function latencies(count: number, operation: () => Promise<void>): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await operation();
    samples.push(performance.now() - started);
  }
  return samples.sort((a, b) => a - b);
}
