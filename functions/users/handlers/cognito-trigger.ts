import { commandContext, type CommandContext } from '../../../shared/event-sourcing/command-context';
import { definedProps } from '../../../shared/objects/defined-props';

/** The part of the Lambda context a Cognito trigger reads. */
export interface TriggerInvocation {
  readonly awsRequestId: string;
}

/**
 * A Cognito user pool trigger: invoked synchronously by the pool with its event, answering the event
 * (changed where the trigger has something to say, e.g. a PreTokenGeneration's claims). A thrown error
 * fails the pool's operation; its message reaches the client (`UserLambdaValidationException`).
 */
export type CognitoTriggerHandler = (event: unknown, invocation: TriggerInvocation) => Promise<unknown>;

/** Builds the context a trigger's events are stamped with, from the invocation that caused them. */
export type TriggerContextFactory = (invocation: { readonly requestId: string }) => CommandContext;

/**
 * The real clock and ULID event ids. A trigger starts a flow of its own: the Lambda request id is both
 * its correlation and its causation id (Cognito passes no request id of its own).
 */
export function triggerCommandContext(traceHeader: () => string | undefined): TriggerContextFactory {
  return ({ requestId }) => {
    const header = traceHeader();
    return commandContext({
      correlationId: requestId,
      causationId: requestId,
      ...definedProps({ traceHeader: header }),
    });
  };
}

/** The pool sent an event the trigger cannot read: a misconfigured pool (e.g. the trigger on the wrong hook). */
export class InvalidTriggerEventError extends Error {
  constructor(trigger: string, problems: string) {
    super(`The ${trigger} trigger cannot read its event: ${problems}.`);
    this.name = 'InvalidTriggerEvent';
  }
}
