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
 * dispatcher, so the engine's RetryPolicy and DeadLetterConfig handling runs as for a real failure.
 */
export class FaultingTargetDispatcher implements TargetDispatcher {
  constructor(
    private readonly inner: TargetDispatcher,
    private readonly faults: FaultRegistry,
  ) {}

  async deliver(target: Target, input: string, context: DeliveryContext): Promise<void> {
    const { busName, ruleName } = ruleOfArn(context.ruleArn);
    const fault = this.faults.targetFault({ busName, ruleName, targetId: target.id, targetArn: target.arn });
    if (fault) throw new TargetDeliveryError(fault.errorCode, fault.errorMessage, fault.retryable);
    return this.inner.deliver(target, input, context);
  }

  deliverToDeadLetter(deadLetterArn: string, eventJson: string, context: DeadLetterContext): Promise<void> {
    return this.inner.deliverToDeadLetter(deadLetterArn, eventJson, context);
  }
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
