import {
  TargetDeliveryError,
  type DeadLetterContext,
  type DeliveryContext,
  type Target,
  type TargetDispatcher,
} from '../eventbridge/event-bus';
import type { FaultRegistry } from './fault-registry';

/**
 * Fails the rule target deliveries a `target-failure` fault picks, before they reach the real
 * dispatcher, so the engine's RetryPolicy and DeadLetterConfig handling runs as for a real failure; and
 * plays delivery chaos on the others: a delay, a hold until later deliveries to the same target went
 * through (reordering), extra copies (duplicates).
 */
export class FaultingTargetDispatcher implements TargetDispatcher {
  /** Held deliveries, by target: each waits for a number of later deliveries to go through. */
  private readonly held = new Map<string, Set<HeldDelivery>>();

  constructor(
    private readonly inner: TargetDispatcher,
    private readonly faults: FaultRegistry,
  ) {}

  async deliver(target: Target, input: string, context: DeliveryContext): Promise<void> {
    const { busName, ruleName } = ruleOfArn(context.ruleArn);
    const ref = { busName, ruleName, targetId: target.id, targetArn: target.arn };
    const fault = this.faults.targetFault(ref);
    if (fault) throw new TargetDeliveryError(fault.errorCode, fault.errorMessage, fault.retryable);
    const chaos = this.faults.deliveryChaos(ref);
    const key = `${busName}/${ruleName}/${target.id}`;
    if (chaos !== undefined && chaos.delayMs > 0) await delay(chaos.delayMs);
    if (chaos?.hold !== undefined) await this.holdBehind(key, chaos.hold);
    await this.inner.deliver(target, input, context);
    this.wentThrough(key);
    for (let copy = 0; copy < (chaos?.copies ?? 0); copy += 1) {
      // A copy is a delivery of its own: one that fails is lost like any duplicate AWS would not send.
      await this.inner.deliver(target, input, context).catch(() => undefined);
    }
  }

  deliverToDeadLetter(deadLetterArn: string, eventJson: string, context: DeadLetterContext): Promise<void> {
    return this.inner.deliverToDeadLetter(deadLetterArn, eventJson, context);
  }

  private holdBehind(key: string, hold: { afterDeliveries: number; maxHoldMs: number }): Promise<void> {
    return new Promise((resolve) => {
      const waiting = this.held.get(key) ?? new Set<HeldDelivery>();
      this.held.set(key, waiting);
      const entry: HeldDelivery = {
        remaining: hold.afterDeliveries,
        release: () => {
          clearTimeout(entry.timer);
          waiting.delete(entry);
          resolve();
        },
        timer: setTimeout(() => entry.release(), hold.maxHoldMs).unref(),
      };
      waiting.add(entry);
    });
  }

  private wentThrough(key: string): void {
    for (const entry of [...(this.held.get(key) ?? [])]) {
      entry.remaining -= 1;
      if (entry.remaining <= 0) entry.release();
    }
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface HeldDelivery {
  remaining: number;
  readonly release: () => void;
  readonly timer: NodeJS.Timeout;
}

/** `…:rule/<name>` on the default bus, `…:rule/<bus>/<name>` on another. */
export function ruleOfArn(ruleArn: string): { busName: string; ruleName: string } {
  const marker = ruleArn.indexOf(':rule/');
  const resource = marker < 0 ? ruleArn : ruleArn.slice(marker + ':rule/'.length);
  const slash = resource.indexOf('/');
  return slash < 0
    ? { busName: 'default', ruleName: resource }
    : { busName: resource.slice(0, slash), ruleName: resource.slice(slash + 1) };
}
