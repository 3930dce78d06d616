/**
 * What a Task state does locally, with AWS's request and response shapes: Lambda (a function ARN, or
 * `lambda:invoke` with its `{ StatusCode, Payload, … }` result), EventBridge `putEvents`, SQS
 * `sendMessage`, DynamoDB item operations, and the `.waitForTaskToken` variants. Failures become errors
 * named as Step Functions names them, so `Retry` and `Catch` match them as on AWS.
 */
import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  type GetItemCommandInput,
  type PutItemCommandInput,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { AwsServiceError, LOCAL_REGION } from '../aws-protocol';
import type { PutEventsOptions, PutEventsResult } from '../eventbridge/event-bus';
import type { LambdaInvoker } from '../lambda/invoker';
import type { SqsEngine, SqsMessageAttributes } from '../sqs/sqs-engine';
import { isAslObject, type TaskStateInfo } from './asl-definition';
import { historyResourceName, type TaskIntegration } from './task-resource';
import type { TaskTokenRegistry } from './task-token-registry';

/** A Task failure as Step Functions reports it: `Error` is the error name, `Cause` the message. */
export class TaskFailure extends Error {
  constructor(
    readonly error: string,
    cause: string,
  ) {
    super(cause);
    // The library matches `Retry`/`Catch` on `name` and hands `message` on as `Cause`.
    this.name = error;
  }
}

export interface EventBusPublisher {
  putEvents(input: Record<string, unknown>, options?: PutEventsOptions): Promise<PutEventsResult>;
}

export interface TaskIntegrationDependencies {
  readonly lambda: LambdaInvoker;
  readonly tokens: TaskTokenRegistry;
  readonly eventBridge?: EventBusPublisher;
  readonly sqs?: SqsEngine;
  readonly dynamoDb?: DynamoDBClient;
}

export interface TaskRequest {
  readonly state: TaskStateInfo;
  /** The state's effective input: after `InputPath` and `Parameters`. */
  readonly input: unknown;
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly traceHeader?: string;
  /** The attempt's task token, for `.waitForTaskToken`. */
  readonly token?: string;
}

/** Receives the task's history events (`TaskScheduled`, `LambdaFunctionSucceeded` …) as they happen. */
export type TaskEventSink = (type: string, details?: Record<string, unknown>) => void;

export class TaskIntegrations {
  constructor(private readonly deps: TaskIntegrationDependencies) {}

  /** Runs the task; resolves with its result or rejects with a `TaskFailure`. */
  async run(request: TaskRequest, record: TaskEventSink): Promise<unknown> {
    const { integration } = request.state;
    if (integration.kind === 'function') return this.runFunction(request, record);
    const names = { resourceType: integration.service, resource: historyResourceName(integration) };
    record('TaskScheduled', {
      ...names,
      region: LOCAL_REGION,
      parameters: JSON.stringify(request.input ?? null),
      ...(request.state.timeoutSeconds === undefined
        ? {}
        : { timeoutInSeconds: request.state.timeoutSeconds }),
      ...(request.state.heartbeatSeconds === undefined
        ? {}
        : { heartbeatInSeconds: request.state.heartbeatSeconds }),
    });
    record('TaskStarted', names);
    const token = integration.pattern === 'callback' ? request.token : undefined;
    const callback =
      token === undefined ? undefined : this.deps.tokens.track(token, request.state.heartbeatSeconds);
    let response: unknown;
    try {
      response = await this.request(integration, request);
    } catch (error) {
      if (token !== undefined) this.deps.tokens.close(token);
      const failure = asTaskFailure(error, integration);
      record('TaskFailed', { ...names, error: failure.error, cause: failure.message });
      throw failure;
    }
    if (!callback) {
      record('TaskSucceeded', { ...names, output: JSON.stringify(response ?? null) });
      return response;
    }
    record('TaskSubmitted', { ...names, output: JSON.stringify(response ?? null) });
    const outcome = await callback;
    // The attempt is over (timed out, stopped): the result goes nowhere.
    if (outcome.kind === 'closed') return null;
    if (outcome.kind === 'success') {
      record('TaskSucceeded', { ...names, output: JSON.stringify(outcome.output) });
      return outcome.output;
    }
    if (outcome.kind === 'heartbeat-timeout') {
      record('TaskTimedOut', { ...names, error: 'States.HeartbeatTimeout' });
      throw new TaskFailure('States.HeartbeatTimeout', '');
    }
    record('TaskFailed', { ...names, error: outcome.error, cause: outcome.cause });
    throw new TaskFailure(outcome.error ?? '', outcome.cause ?? '');
  }

  /** A function ARN as `Resource`: the input is the payload, the function's result the state's. */
  private async runFunction(request: TaskRequest, record: TaskEventSink): Promise<unknown> {
    record('LambdaFunctionScheduled', {
      resource: request.state.resource,
      input: JSON.stringify(request.input ?? null),
      ...(request.state.timeoutSeconds === undefined
        ? {}
        : { timeoutInSeconds: request.state.timeoutSeconds }),
    });
    record('LambdaFunctionStarted');
    try {
      const result = await this.deps.lambda.invoke(request.state.resource, request.input ?? null, {
        trigger: 'stepfunctions',
        traceHeader: request.traceHeader,
      });
      if (result.functionError) throw functionFailure(result.functionError.errorType, result.payload);
      record('LambdaFunctionSucceeded', { output: JSON.stringify(result.payload ?? null) });
      return result.payload;
    } catch (error) {
      const failure = asTaskFailure(error, { service: 'lambda' });
      record('LambdaFunctionFailed', { error: failure.error, cause: failure.message });
      throw failure;
    }
  }

  private async request(integration: TaskIntegration, request: TaskRequest): Promise<unknown> {
    const parameters = isAslObject(request.input) ? request.input : {};
    switch (integration.service) {
      case 'lambda':
        return this.invokeLambda(parameters, request);
      case 'events':
        return this.putEvents(parameters, request);
      case 'sqs':
        return this.sendMessage(parameters, request);
      case 'dynamodb':
        return this.dynamoDbItem(integration.action, parameters);
    }
  }

  private async invokeLambda(parameters: Record<string, unknown>, request: TaskRequest): Promise<unknown> {
    const functionName = requiredString(parameters, 'FunctionName', 'Lambda');
    const qualifier = typeof parameters.Qualifier === 'string' ? `:${parameters.Qualifier}` : '';
    const payload = parameters.Payload === undefined ? {} : parameters.Payload;
    const options = { trigger: 'stepfunctions', traceHeader: request.traceHeader };
    const invocationType = parameters.InvocationType ?? 'RequestResponse';
    if (invocationType === 'Event') {
      await this.deps.lambda.invokeAsync(`${functionName}${qualifier}`, payload, options);
      return lambdaResponse(202, '');
    }
    if (invocationType !== 'RequestResponse') {
      throw new TaskFailure(
        'Lambda.InvalidParameterValueException',
        `InvocationType ${String(invocationType)} is not run locally (RequestResponse and Event are).`,
      );
    }
    const result = await this.deps.lambda.invoke(`${functionName}${qualifier}`, payload, options);
    if (result.functionError) throw functionFailure(result.functionError.errorType, result.payload);
    return lambdaResponse(200, result.payload ?? null);
  }

  private async putEvents(parameters: Record<string, unknown>, request: TaskRequest): Promise<unknown> {
    if (!this.deps.eventBridge) throw notConnected('EventBridge');
    const entries = Array.isArray(parameters.Entries) ? parameters.Entries : [];
    const result = await this.deps.eventBridge.putEvents(
      {
        Entries: entries.map((entry: unknown) => {
          const fields = isAslObject(entry) ? entry : {};
          const resources = Array.isArray(fields.Resources) ? fields.Resources : [];
          return {
            ...fields,
            // Step Functions sends a JSON object as its text, and names the execution and the machine.
            Detail: isAslObject(fields.Detail) ? JSON.stringify(fields.Detail) : fields.Detail,
            Resources: [...resources, request.executionArn, request.stateMachineArn],
          };
        }),
      },
      { traceHeader: request.traceHeader },
    );
    if (result.FailedEntryCount > 0) {
      throw new TaskFailure('EventBridge.FailedEntry', JSON.stringify(result));
    }
    return { Entries: result.Entries, FailedEntryCount: result.FailedEntryCount };
  }

  private async sendMessage(parameters: Record<string, unknown>, request: TaskRequest): Promise<unknown> {
    if (!this.deps.sqs) throw notConnected('SQS');
    const queueUrl = requiredString(parameters, 'QueueUrl', 'SQS');
    const body = parameters.MessageBody;
    const sent = this.deps.sqs.sendMessage(
      queueUrl,
      typeof body === 'string' ? body : JSON.stringify(body ?? null),
      (isAslObject(parameters.MessageAttributes) ? parameters.MessageAttributes : {}) as SqsMessageAttributes,
      {
        delaySeconds: typeof parameters.DelaySeconds === 'number' ? parameters.DelaySeconds : undefined,
        traceHeader: request.traceHeader,
      },
    );
    return {
      MD5OfMessageBody: sent.md5OfMessageBody,
      ...(sent.md5OfMessageAttributes ? { MD5OfMessageAttributes: sent.md5OfMessageAttributes } : {}),
      MessageId: sent.messageId,
      ...sdkMetadata(randomUUID()),
    };
  }

  private async dynamoDbItem(action: string, parameters: Record<string, unknown>): Promise<unknown> {
    const client = this.deps.dynamoDb;
    if (!client) throw notConnected('DynamoDB');
    // The parameters are DynamoDB's own request, passed through as Step Functions does.
    const input = toSdkItemParameters(parameters);
    const output =
      action === 'getItem'
        ? await client.send(new GetItemCommand(input as unknown as GetItemCommandInput))
        : action === 'putItem'
          ? await client.send(new PutItemCommand(input as unknown as PutItemCommandInput))
          : action === 'updateItem'
            ? await client.send(new UpdateItemCommand(input as unknown as UpdateItemCommandInput))
            : await client.send(new DeleteItemCommand(input as unknown as DeleteItemCommandInput));
    const { $metadata, ...response } = output;
    return { ...(fromSdkValue(response) as Record<string, unknown>), ...sdkMetadata($metadata.requestId) };
  }
}

function functionFailure(errorType: string | undefined, errorDocument: unknown): TaskFailure {
  // Step Functions names the error by the function's `errorType` and hands on Lambda's error document.
  return new TaskFailure(errorType || 'Lambda.Unknown', JSON.stringify(errorDocument ?? null));
}

const SERVICE_PREFIX = { lambda: 'Lambda', events: 'EventBridge', sqs: 'SQS', dynamodb: 'DynamoDB' } as const;
const SERVICE_NAME = { lambda: 'Lambda', events: 'EventBridge', sqs: 'Sqs', dynamodb: 'DynamoDb' } as const;

/** A service's own error, named `<Service>.<ErrorCode>` with an SDK-style cause, as Step Functions does. */
function asTaskFailure(error: unknown, integration: Pick<TaskIntegration, 'service'>): TaskFailure {
  if (error instanceof TaskFailure) return error;
  const prefix = SERVICE_PREFIX[integration.service];
  const service = SERVICE_NAME[integration.service];
  if (error instanceof AwsServiceError) {
    return new TaskFailure(
      `${prefix}.${error.code}`,
      `${error.message} (Service: ${service}, Status Code: ${error.statusCode}, Request ID: ${randomUUID()})`,
    );
  }
  const sdkError = sdkErrorOf(error);
  if (sdkError) {
    return new TaskFailure(
      `${prefix}.${sdkError.name}`,
      `${sdkError.message} (Service: ${service}, Status Code: ${sdkError.statusCode}, Request ID: ${sdkError.requestId})`,
    );
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TaskFailure(`${prefix}.ServiceException`, message);
}

function sdkErrorOf(
  error: unknown,
): { name: string; message: string; statusCode: number; requestId: string } | undefined {
  if (!(error instanceof Error) || !('$metadata' in error)) return undefined;
  const metadata = (error as { $metadata?: { httpStatusCode?: number; requestId?: string } }).$metadata;
  return {
    name: error.name,
    message: error.message,
    statusCode: metadata?.httpStatusCode ?? 400,
    requestId: metadata?.requestId ?? randomUUID(),
  };
}

function notConnected(service: string): TaskFailure {
  return new TaskFailure('States.Runtime', `The local ${service} is not connected to Step Functions.`);
}

function requiredString(parameters: Record<string, unknown>, field: string, prefix: string): string {
  const value = parameters[field];
  if (typeof value !== 'string' || value === '') {
    throw new TaskFailure(`${prefix}.ValidationException`, `The parameter ${field} is required.`);
  }
  return value;
}

function lambdaResponse(statusCode: number, payload: unknown): Record<string, unknown> {
  const requestId = randomUUID();
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    ...sdkMetadata(requestId, statusCode, { 'X-Amz-Executed-Version': '$LATEST' }),
    StatusCode: statusCode,
  };
}

/** The SDK response metadata Step Functions adds to the results of AWS SDK-based integrations. */
function sdkMetadata(
  requestId: string | undefined,
  statusCode = 200,
  extraHeaders: Record<string, string> = {},
): Record<string, unknown> {
  const id = requestId ?? randomUUID();
  const headers = {
    'Content-Type': 'application/x-amz-json-1.0',
    Date: new Date().toUTCString(),
    ...extraHeaders,
    'x-amzn-RequestId': id,
  };
  return {
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: statusCode,
    },
    SdkResponseMetadata: { RequestId: id },
  };
}

const ATTRIBUTE_VALUE_MAPS = ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey'];

/** Binary attribute values travel as base64 text in ASL and as bytes in the SDK. */
function toSdkItemParameters(parameters: Record<string, unknown>): Record<string, unknown> {
  const input: Record<string, unknown> = { ...parameters };
  for (const field of ATTRIBUTE_VALUE_MAPS) {
    const map = input[field];
    if (isAslObject(map)) {
      input[field] = Object.fromEntries(
        Object.entries(map).map(([name, value]) => [name, toSdkAttribute(value)]),
      );
    }
  }
  return input;
}

function toSdkAttribute(value: unknown): unknown {
  if (!isAslObject(value)) return value;
  if (typeof value.B === 'string') return { B: Buffer.from(value.B, 'base64') };
  if (Array.isArray(value.BS)) return { BS: value.BS.map((item) => Buffer.from(String(item), 'base64')) };
  if (Array.isArray(value.L)) return { L: value.L.map(toSdkAttribute) };
  if (isAslObject(value.M)) {
    return {
      M: Object.fromEntries(Object.entries(value.M).map(([name, item]) => [name, toSdkAttribute(item)])),
    };
  }
  return value;
}

function fromSdkValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(fromSdkValue);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, fromSdkValue(item)]),
    );
  }
  return value;
}
