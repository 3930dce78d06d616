/** Invokes a schedule's target on the local engines, as Scheduler's templated targets do on AWS. */
import { AwsServiceError } from '../aws-protocol';
import { functionReferenceOf } from '../cloud/arns';
import type { EventBridgeEngine } from '../eventbridge/event-bus';
import type { LambdaService } from '../lambda/lambda-service';
import type { SqsEngine } from '../sqs/sqs-engine';
import type { StateMachineStarter } from '../stepfunctions/step-functions-engine';
import type { ScheduleInvocation, ScheduleTarget, ScheduleTargetInvoker } from './scheduler-engine';

export class LocalScheduleTargets implements ScheduleTargetInvoker {
  constructor(
    private readonly lambda: Pick<LambdaService, 'invokeAsyncRaw'>,
    private readonly sqs: Pick<SqsEngine, 'sendMessage'>,
    private readonly stepFunctions: StateMachineStarter,
    private readonly eventBridge: Pick<EventBridgeEngine, 'putEvents'>,
  ) {}

  async invoke(target: ScheduleTarget, input: string, invocation: ScheduleInvocation): Promise<void> {
    const service = target.arn.split(':')[2];
    if (service === 'lambda') {
      // An asynchronous invocation: delivered once Lambda has queued it.
      let event: unknown;
      try {
        event = JSON.parse(input);
      } catch {
        throw new AwsServiceError('InvalidRequestContentException', 'The target input is not valid JSON.');
      }
      this.lambda.invokeAsyncRaw(functionReferenceOf(target.arn), input, event, {
        trigger: `scheduler:${invocation.scheduleArn.split('/').at(-1) ?? invocation.scheduleArn}`,
      });
      return;
    }
    if (service === 'sqs') {
      this.sqs.sendMessage(
        target.arn,
        input,
        {},
        target.sqsMessageGroupId === undefined ? {} : { messageGroupId: target.sqsMessageGroupId },
      );
      return;
    }
    if (service === 'states') {
      await this.stepFunctions.startExecution(target.arn, { input });
      return;
    }
    if (service === 'events' && target.eventBridge !== undefined) {
      const result = await this.eventBridge.putEvents({
        Entries: [
          {
            EventBusName: target.arn,
            Source: target.eventBridge.source,
            DetailType: target.eventBridge.detailType,
            Detail: input,
          },
        ],
      });
      const failed = result.Entries.find((entry) => entry.ErrorCode !== undefined);
      if (failed)
        throw new AwsServiceError(
          failed.ErrorCode ?? 'PutEventsFailed',
          failed.ErrorMessage ?? 'PutEvents failed',
        );
      return;
    }
    throw new AwsServiceError('ValidationException', `The local Scheduler cannot invoke ${target.arn}.`);
  }

  deadLetter(deadLetterArn: string, body: string, attributes: Readonly<Record<string, string>>): void {
    this.sqs.sendMessage(
      deadLetterArn,
      body,
      Object.fromEntries(
        // SQS refuses empty attribute values.
        Object.entries(attributes).map(([name, value]) => [
          name,
          { DataType: 'String', StringValue: value || '(none)' },
        ]),
      ),
    );
  }
}
