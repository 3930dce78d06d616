/** An in-process `LambdaInvoker` for the engine's unit tests: handlers are plain functions. */
import { AwsServiceError } from '../../../src/aws-protocol';
import { functionNameOf } from '../../../src/cloud/arns';
import type { InvokeOptions, InvokeResult, LambdaInvoker } from '../../../src/lambda/invoker';

export type FakeHandler = (event: unknown) => unknown;

export interface FakeCall {
  readonly functionName: string;
  readonly event: unknown;
  readonly options: InvokeOptions;
}

/** A handler error with the name Lambda reports as `errorType`. */
export class HandlerError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class FakeLambda implements LambdaInvoker {
  readonly calls: FakeCall[] = [];

  constructor(private readonly handlers: Readonly<Record<string, FakeHandler>>) {}

  async invoke(functionName: string, event: unknown, options: InvokeOptions): Promise<InvokeResult> {
    this.calls.push({ functionName, event, options });
    const handler = this.handlers[functionNameOf(functionName)];
    if (!handler)
      throw new AwsServiceError('ResourceNotFoundException', `Function not found: ${functionName}`, 404);
    try {
      return { payload: (await handler(event)) ?? null };
    } catch (error) {
      const { name, message } = error as Error;
      const document = { errorType: name, errorMessage: message, trace: [`${name}: ${message}`] };
      return { payload: document, functionError: document };
    }
  }

  async invokeAsync(functionName: string, event: unknown, options: InvokeOptions): Promise<void> {
    void this.invoke(functionName, event, options);
  }

  callsOf(functionName: string): FakeCall[] {
    return this.calls.filter((call) => functionNameOf(call.functionName) === functionName);
  }
}
