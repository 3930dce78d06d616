import type { DeadLetterContext, DeliveryContext, Target, TargetDispatcher } from '../eventbridge/event-bus';
import type { LambdaInvoker } from '../lambda/invoker';
import type { SqsEngine } from '../sqs/sqs-engine';
import type { StateMachineStarter } from '../stepfunctions/step-functions-engine';
import { functionReferenceOf, parseArn } from './arns';

export class UnsupportedTargetError extends Error {
  constructor(arn: string) {
    super(
      `The local cloud cannot deliver to target ${arn}: only Lambda functions, SQS queues and state machines are supported.`,
    );
    this.name = 'UnsupportedTargetError';
  }
}

/** Delivers EventBridge rule targets to the local engines, as the AWS service integrations do. */
export class LocalTargetDispatcher implements TargetDispatcher {
  constructor(
    private readonly lambda: LambdaInvoker,
    private readonly sqs: SqsEngine,
    private readonly stepFunctions?: StateMachineStarter,
  ) {}

  static isSupported(arn: string): boolean {
    const service = parseArn(arn)?.service;
    return service === 'lambda' || service === 'sqs' || service === 'states';
  }

  async deliver(target: Target, input: string, context: DeliveryContext): Promise<void> {
    const service = parseArn(target.arn)?.service;
    if (service === 'lambda') {
      // EventBridge invokes Lambda asynchronously: delivery succeeds once Lambda has queued the event.
      await this.lambda.invokeAsync(functionReferenceOf(target.arn), JSON.parse(input) as unknown, {
        trigger: `eventbridge:${context.ruleArn.split('/').at(-1) ?? context.ruleArn}`,
        traceHeader: context.traceHeader,
      });
      return;
    }
    if (service === 'sqs') {
      this.sqs.sendMessage(target.arn, input, {}, { traceHeader: context.traceHeader });
      return;
    }
    if (service === 'states' && this.stepFunctions) {
      // StartExecution: delivered once the execution has started, under a generated name.
      await this.stepFunctions.startExecution(target.arn, { input, traceHeader: context.traceHeader });
      return;
    }
    throw new UnsupportedTargetError(target.arn);
  }

  async deliverToDeadLetter(
    deadLetterArn: string,
    eventJson: string,
    context: DeadLetterContext,
  ): Promise<void> {
    // SQS refuses empty attribute values; an empty error message is sent as a placeholder.
    const text = (value: string) => ({ DataType: 'String', StringValue: value || '(none)' });
    this.sqs.sendMessage(
      deadLetterArn,
      eventJson,
      {
        RULE_ARN: text(context.ruleArn),
        TARGET_ARN: text(context.targetArn),
        ERROR_CODE: text(context.errorCode),
        ERROR_MESSAGE: text(context.errorMessage),
      },
      { traceHeader: context.traceHeader },
    );
  }
}
