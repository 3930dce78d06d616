/** CPU time of a process and of every process it started, from /proc (Linux). */
import * as fs from 'node:fs';
import { processTicks } from 'cdk-local-cloud';

/** The kernel's clock tick, as `processTicks` counts it (USER_HZ is 100 on Linux). */
export const MS_PER_TICK = 10;

/** user + system clock ticks of `rootPid` and its descendants; 0 where /proc is absent. */
export function processTreeTicks(rootPid: number): number {
  return descendantsAndSelf(rootPid).reduce((sum, pid) => sum + processTicks(pid), 0);
}

function descendantsAndSelf(rootPid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return [rootPid];
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    const parent = parentPid(Number(entry));
    if (parent === undefined) continue;
    const siblings = childrenOf.get(parent) ?? [];
    siblings.push(Number(entry));
    childrenOf.set(parent, siblings);
  }
  const found = [rootPid];
  for (let i = 0; i < found.length; i++) found.push(...(childrenOf.get(found[i] ?? -1) ?? []));
  return found;
}

function parentPid(pid: number): number | undefined {
  try {
    // The command name may hold spaces and parentheses: the fields that follow start after the last ') '.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(') ') + 2).split(' ')[1]);
    return Number.isFinite(parent) ? parent : undefined;
  } catch {
    return undefined;
  }
}
