/**
 * EventBridge deliveries in the trace: each attempt to deliver a traced event to a rule's target is an
 * `AWS::Events` segment under the caller's `PutEvents` (the `Parent` of the trace header the event
 * carries), and the target receives the header with that segment as its `Parent`. EventBridge starts
 * no trace of its own: an event without a trace header is delivered untraced.
 *
 * AWS shows EventBridge as a node between the caller and the targets; locally the delivery segment
 * plays that node, with the rule, the target and the event id.
 */
import { LOCAL_ACCOUNT } from '../aws-protocol';
import type { DeadLetterContext, DeliveryContext, Target, TargetDispatcher } from '../eventbridge/event-bus';
import { causeOf, type TraceRecorder } from './trace-recorder';

export class TracingTargetDispatcher implements TargetDispatcher {
  constructor(
    private readonly inner: TargetDispatcher,
    private readonly recorder: TraceRecorder,
  ) {}

  async deliver(target: Target, input: string, context: DeliveryContext): Promise<void> {
    if (context.traceHeader === undefined) return this.inner.deliver(target, input, context);
    const { busName, ruleName } = ruleOf(context.ruleArn);
    const segment = this.recorder.startSegment({
      name: busName,
      origin: 'AWS::Events',
      resourceArn: context.ruleArn,
      traceHeader: context.traceHeader,
      // An event the caller did not sample stays unsampled, as EventBridge makes no decision.
      sampleWhenUndecided: false,
      aws: {
        account_id: LOCAL_ACCOUNT,
        event_bus: busName,
        rule_name: ruleName,
        rule_arn: context.ruleArn,
        target_id: target.id,
        target_arn: target.arn,
        event_id: context.eventId,
      },
    });
    try {
      await this.inner.deliver(target, input, { ...context, traceHeader: segment.traceHeader });
      segment.end();
    } catch (error) {
      const failure = error instanceof Error ? error : new Error(String(error));
      const code = (failure as { errorCode?: unknown }).errorCode;
      const type = typeof code === 'string' ? code : failure.name;
      segment.end({ fault: true, cause: causeOf(type, failure.message, true) });
      throw error;
    }
  }

  deliverToDeadLetter(deadLetterArn: string, eventJson: string, context: DeadLetterContext): Promise<void> {
    return this.inner.deliverToDeadLetter(deadLetterArn, eventJson, context);
  }
}

/** `…:rule/<name>` (default bus) or `…:rule/<bus>/<name>`. */
function ruleOf(ruleArn: string): { busName: string; ruleName: string } {
  const path = ruleArn.slice(ruleArn.indexOf(':rule/') + ':rule/'.length).split('/');
  return path.length >= 2
    ? { busName: path[0] ?? 'default', ruleName: path.slice(1).join('/') }
    : { busName: 'default', ruleName: path[0] ?? ruleArn };
}
