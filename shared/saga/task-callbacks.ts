import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { DependencyUnavailableError } from '../errors/app-error';

/**
 * `delivered`: the waiting execution took the answer. `task-closed`: no execution waits on the token any
 * more (its deadline passed, the step failed, or the token is not one Step Functions issued).
 */
export type TaskCallbackOutcome = 'delivered' | 'task-closed';

/**
 * Answers a task an execution waits on (`.waitForTaskToken`): an order's approval, a rollout's. A Step
 * Functions that cannot be reached throws `DependencyUnavailableError`.
 */
export interface TaskCallbacks {
  succeed(taskToken: string, output: unknown): Promise<TaskCallbackOutcome>;
  fail(taskToken: string, error: string, cause: string): Promise<TaskCallbackOutcome>;
}

/** What Step Functions answers for a token no execution waits on any more. */
const CLOSED_TASK_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Step Functions' limits on `SendTaskFailure`: `error` 256 characters, `cause` 32,768. */
const MAX_ERROR_LENGTH = 256;
const MAX_CAUSE_LENGTH = 32_768;

/** `SendTaskSuccess` / `SendTaskFailure`; a token no execution waits on is `task-closed`, not an error. */
export class StepFunctionsTaskCallbacks implements TaskCallbacks {
  constructor(private readonly props: { readonly client: SFNClient }) {}

  succeed(taskToken: string, output: unknown): Promise<TaskCallbackOutcome> {
    return this.answer(() =>
      this.props.client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) })),
    );
  }

  fail(taskToken: string, error: string, cause: string): Promise<TaskCallbackOutcome> {
    return this.answer(() =>
      this.props.client.send(
        new SendTaskFailureCommand({
          taskToken,
          error: error.slice(0, MAX_ERROR_LENGTH),
          cause: cause.slice(0, MAX_CAUSE_LENGTH),
        }),
      ),
    );
  }

  private async answer(send: () => Promise<unknown>): Promise<TaskCallbackOutcome> {
    try {
      await send();
      return 'delivered';
    } catch (error) {
      if (error instanceof Error && CLOSED_TASK_ERRORS.has(error.name)) return 'task-closed';
      throw new DependencyUnavailableError('step-functions', 'Step Functions did not take the task answer.', {
        cause: error,
      });
    }
  }
}
