/** How the other emulated services (API Gateway, event sources, EventBridge) reach a function. */
export interface FunctionError {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

export interface InvokeResult {
  /** The handler's resolved value (JSON-compatible), or the error document when `functionError` is set. */
  readonly payload: unknown;
  /** Set when the handler threw, timed out or crashed (AWS: `X-Amz-Function-Error: Unhandled`). */
  readonly functionError?: FunctionError;
}

export interface InvokeOptions {
  /** Who triggered the invocation, shown in `/_local/invocations` (e.g. `apigateway`, `dynamodb-stream`). */
  readonly trigger: string;
  /** `X-Amzn-Trace-Id` to continue, if any. */
  readonly traceHeader?: string;
  /**
   * Aborted when the caller stops waiting (API Gateway's integration timeout): an invocation still
   * waiting for the local machine is then dropped, and rejects with InvocationAbandonedError.
   */
  readonly signal?: AbortSignal;
  /**
   * A client outside the local cloud waits for this answer (an API request, the Invoke API): while the
   * machine is busy it goes before background work (events, batches, Step Functions tasks).
   */
  readonly interactive?: boolean;
}

export interface LambdaInvoker {
  /**
   * Synchronous (RequestResponse) invocation. Resolves with the result, including handler errors;
   * rejects with `AwsServiceError('TooManyRequestsException', …, 429)` when the function's concurrency
   * is exhausted, and `ResourceNotFoundException` for an unknown function.
   */
  invoke(functionName: string, event: unknown, options: InvokeOptions): Promise<InvokeResult>;
  /** Asynchronous (Event) invocation: queued, retried on error as AWS does; resolves once accepted. */
  invokeAsync(functionName: string, event: unknown, options: InvokeOptions): Promise<void>;
}
