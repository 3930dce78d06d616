/**
 * The local Step Functions: state machines from the template, executions run by
 * `aws-local-stepfunctions` with the local cloud's integrations, and the Step Functions API (AWS JSON
 * 1.0, `AWSStepFunctions.*`) as `@aws-sdk/client-sfn` speaks it.
 */
import { causeOf, type TraceRecorder } from '../xray/trace-recorder';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  AwsServiceError,
  LOCAL_REGION,
  localArn,
  type JsonProtocolContext,
  type JsonProtocolService,
} from '../aws-protocol';
import type { LambdaInvoker } from '../lambda/invoker';
import type { SqsEngine } from '../sqs/sqs-engine';
import {
  InvalidDefinitionError,
  UnsupportedDefinitionError,
  inspectDefinition,
  parseDefinition,
  prepareForLibrary,
} from './asl-definition';
import { Execution, type ExecutionStatus, type MachineRuntime, type StateMachineType } from './execution';
import { historyEventToApi } from './execution-history';
import { LibraryStateMachine } from './library-runs';
import { TaskIntegrations, type EventBusPublisher } from './task-integrations';
import { TaskTokenRegistry } from './task-token-registry';

export interface StepFunctionsEngineOptions {
  readonly lambda: LambdaInvoker;
  readonly eventBridge?: EventBusPublisher;
  readonly sqs?: SqsEngine;
  /** DynamoDB Local, for the `dynamodb:*Item` integrations. */
  readonly dynamoDbEndpoint?: string;
  /** Closed executions kept (oldest dropped first). @default 1000 */
  readonly maxClosedExecutions?: number;
  /** Records a segment per execution, as Step Functions does for machines with tracing on. */
  readonly traceRecorder?: TraceRecorder;
  /** Told when an execution starts and when it ends (the local cloud's `AWS/States` metrics). */
  readonly onExecutionEvent?: (event: ExecutionEvent) => void;
}

/** An execution starting (`STARTED`) or ending in its final status. */
export interface ExecutionEvent {
  readonly stateMachineArn: string;
  readonly executionArn: string;
  readonly status: 'STARTED' | Exclude<ExecutionStatus, 'RUNNING'>;
}

export interface StateMachineSpec {
  readonly name: string;
  /** @default `arn:aws:states:us-east-1:000000000000:stateMachine:<name>` */
  readonly arn?: string;
  /** The Amazon States Language definition, as JSON text. */
  readonly definition: string;
  /** `DefinitionSubstitutions`: values for `${name}` placeholders. */
  readonly substitutions?: Readonly<Record<string, unknown>>;
  /** @default 'STANDARD' */
  readonly type?: StateMachineType;
  readonly roleArn?: string;
  readonly tracingEnabled?: boolean;
}

export interface StartExecutionOptions {
  /** Unique per state machine; a UUID when absent. */
  readonly name?: string;
  /** JSON text. @default '{}' */
  readonly input?: string;
  /** `X-Amzn-Trace-Id` to continue: handed to the execution's Lambda invocations. */
  readonly traceHeader?: string;
}

export interface StartedExecution {
  readonly executionArn: string;
  readonly startDate: Date;
}

/** What EventBridge needs to start executions of a rule's state machine targets. */
export interface StateMachineStarter {
  startExecution(stateMachineArn: string, options: StartExecutionOptions): Promise<StartedExecution>;
}

export interface ExecutionSummary {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly stateMachine: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  readonly startDate: string;
  readonly stopDate?: string;
}

interface StateMachineEntry extends MachineRuntime {
  readonly definitionText: string;
  readonly creationDate: Date;
  readonly updateDate: Date;
  readonly tracingEnabled: boolean;
}

/** `type` of CreateStateMachine. */
const STATE_MACHINE_TYPES: ReadonlySet<string> = new Set(['STANDARD', 'EXPRESS']);
const ROLE_ARN = /^arn:aws[\w-]*:iam::\d{12}:role\/.+$/;

/** AWS's execution name rule: 1–80 characters, none of these, no whitespace and no control characters. */
const EXECUTION_NAME_FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const MAX_INPUT_BYTES = 262_144;
/** AWS's maximum request size, a hard quota: 1 MB per request, whatever the operation. */
const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export class StepFunctionsEngine implements JsonProtocolService, StateMachineStarter {
  readonly targetPrefix = 'AWSStepFunctions';
  readonly jsonVersion = '1.0' as const;
  readonly maxRequestBodyBytes = MAX_REQUEST_BODY_BYTES;

  private readonly machines = new Map<string, StateMachineEntry>();
  private readonly executionsByArn = new Map<string, Execution>();
  private readonly tokens = new TaskTokenRegistry();
  private readonly integrations: TaskIntegrations;
  private readonly dynamoDb?: DynamoDBClient;
  private readonly maxClosedExecutions: number;
  private executionsEvictedCount = 0;
  private readonly traceRecorder?: TraceRecorder;
  private readonly onExecutionEvent?: (event: ExecutionEvent) => void;

  constructor(options: StepFunctionsEngineOptions) {
    this.dynamoDb =
      options.dynamoDbEndpoint === undefined
        ? undefined
        : new DynamoDBClient({
            endpoint: options.dynamoDbEndpoint,
            region: LOCAL_REGION,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            // Step Functions does not retry a failed call: the state's Retry does.
            maxAttempts: 1,
          });
    this.integrations = new TaskIntegrations({
      lambda: options.lambda,
      tokens: this.tokens,
      eventBridge: options.eventBridge,
      sqs: options.sqs,
      dynamoDb: this.dynamoDb,
    });
    this.maxClosedExecutions = options.maxClosedExecutions ?? 1000;
    this.traceRecorder = options.traceRecorder;
    this.onExecutionEvent = options.onExecutionEvent;
  }

  // ---- The local cloud's API ----------------------------------------------------------------------

  /**
   * Validates and registers a state machine. Throws `UnsupportedDefinitionError` (naming the machine and
   * each feature) for what cannot run faithfully, `InvalidDefinitionError` for what AWS would reject.
   */
  createStateMachine(spec: StateMachineSpec): { readonly arn: string; readonly name: string } {
    const type = spec.type ?? 'STANDARD';
    const definition = parseDefinition(spec.name, spec.definition, spec.substitutions);
    const inspected = inspectDefinition(spec.name, definition, type);
    let library: LibraryStateMachine;
    try {
      library = new LibraryStateMachine(prepareForLibrary(inspected.definition));
    } catch (error) {
      throw new AwsServiceError(
        'InvalidDefinition',
        `State machine ${spec.name}: ${(error as Error).message.replace(/\s+/g, ' ')}`,
      );
    }
    const arn = spec.arn ?? localArn('states', `stateMachine:${spec.name}`);
    const now = new Date();
    this.machines.set(arn, {
      arn,
      name: spec.name,
      type,
      roleArn: spec.roleArn,
      inspected,
      library,
      definitionText: JSON.stringify(definition),
      creationDate: this.machines.get(arn)?.creationDate ?? now,
      updateDate: now,
      tracingEnabled: spec.tracingEnabled ?? false,
    });
    return { arn, name: spec.name };
  }

  async startExecution(
    stateMachineArn: string,
    options: StartExecutionOptions = {},
  ): Promise<StartedExecution> {
    const execution = this.start(stateMachineArn, options);
    return { executionArn: execution.arn, startDate: execution.startDate };
  }

  /** Runs to completion (EXPRESS machines only, as AWS allows). */
  async startSyncExecution(stateMachineArn: string, options: StartExecutionOptions = {}): Promise<Execution> {
    const machine = this.machine(stateMachineArn);
    if (machine.type !== 'EXPRESS') {
      throw new AwsServiceError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by this type of state machine',
      );
    }
    const execution = this.start(stateMachineArn, options);
    await execution.done;
    return execution;
  }

  /** The execution, or `undefined`. */
  execution(executionArn: string): Execution | undefined {
    return this.executionsByArn.get(executionArn);
  }

  /** Every execution kept, newest first (`/_local/executions`). */
  executions(): ExecutionSummary[] {
    return [...this.executionsByArn.values()].reverse().map(summaryOf);
  }

  /** Closed executions forgotten to keep at most `maxClosedExecutions`. */
  get executionsEvicted(): number {
    return this.executionsEvictedCount;
  }

  /** One execution in full, with its state-by-state view and its history (`/_local/executions/{arn}`). */
  executionDetail(executionArn: string): Record<string, unknown> | undefined {
    const execution = this.executionsByArn.get(executionArn);
    if (!execution) return undefined;
    return {
      ...summaryOf(execution),
      traceHeader: execution.traceHeader,
      input: parseJson(execution.input),
      output: execution.output === undefined ? undefined : parseJson(execution.output),
      error: execution.error,
      cause: execution.cause,
      states: execution.visits.map((visit) => ({
        name: visit.name,
        type: visit.type,
        status: visit.status,
        ...(visit.iteration ? { iteration: visit.iteration } : {}),
        enteredAt: visit.enteredAt.toISOString(),
        exitedAt: visit.exitedAt?.toISOString(),
        retries: visit.retries,
        input: visit.input,
        output: visit.output,
        error: visit.error,
        cause: visit.cause,
      })),
      events: execution.history.list().map((event) => ({
        id: event.id,
        previousEventId: event.previousEventId,
        timestamp: event.timestamp.toISOString(),
        type: event.type,
        ...(event.details ? { details: event.details } : {}),
      })),
    };
  }

  /** The registered state machines' names and ARNs. */
  stateMachines(): { readonly name: string; readonly arn: string; readonly type: StateMachineType }[] {
    return [...this.machines.values()].map(({ name, arn, type }) => ({ name, arn, type }));
  }

  /** Aborts every running execution and closes every task token. */
  close(): void {
    for (const execution of this.executionsByArn.values()) execution.stop();
    this.tokens.closeAll();
    this.dynamoDb?.destroy();
  }

  // ---- The API ------------------------------------------------------------------------------------

  async handle(
    operation: string,
    input: Record<string, unknown>,
    context: JsonProtocolContext = {},
  ): Promise<unknown> {
    switch (operation) {
      case 'StartExecution': {
        const execution = this.start(requiredString(input, 'stateMachineArn'), startOptions(input, context));
        return { executionArn: execution.arn, startDate: epochSeconds(execution.startDate) };
      }
      case 'StartSyncExecution':
        return syncResultOf(
          await this.startSyncExecution(
            requiredString(input, 'stateMachineArn'),
            startOptions(input, context),
          ),
        );
      case 'DescribeExecution':
        return describeExecution(this.findExecution(requiredString(input, 'executionArn')));
      case 'DescribeStateMachineForExecution': {
        const execution = this.findExecution(requiredString(input, 'executionArn'));
        const machine = this.machine(execution.machine.arn);
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          definition: machine.definitionText,
          roleArn: machine.roleArn,
          updateDate: epochSeconds(machine.creationDate),
          tracingConfiguration: { enabled: machine.tracingEnabled },
        };
      }
      case 'GetExecutionHistory':
        return this.getExecutionHistory(input);
      case 'ListExecutions':
        return this.listExecutions(input);
      case 'StopExecution': {
        const execution = this.findExecution(requiredString(input, 'executionArn'));
        execution.stop(optionalString(input, 'error'), optionalString(input, 'cause'));
        await execution.done;
        return { stopDate: epochSeconds(execution.stopDate ?? new Date()) };
      }
      case 'SendTaskSuccess':
        this.tokens.sendTaskSuccess(input.taskToken, input.output);
        return {};
      case 'SendTaskFailure':
        this.tokens.sendTaskFailure(input.taskToken, input.error, input.cause);
        return {};
      case 'SendTaskHeartbeat':
        this.tokens.sendTaskHeartbeat(input.taskToken);
        return {};
      case 'ListStateMachines': {
        const page = paginate([...this.machines.values()], input);
        return {
          stateMachines: page.items.map((machine) => ({
            stateMachineArn: machine.arn,
            name: machine.name,
            type: machine.type,
            creationDate: epochSeconds(machine.creationDate),
          })),
          nextToken: page.nextToken,
        };
      }
      case 'CreateStateMachine':
        return this.createFromApi(input);
      case 'UpdateStateMachine':
        return this.updateFromApi(input);
      case 'DeleteStateMachine':
        // As on AWS, executions under way run to their end; the machine takes no new ones.
        this.machines.delete(this.machine(requiredString(input, 'stateMachineArn')).arn);
        return {};
      case 'DescribeStateMachine': {
        const machine = this.machine(requiredString(input, 'stateMachineArn'));
        return {
          stateMachineArn: machine.arn,
          name: machine.name,
          status: 'ACTIVE',
          definition: machine.definitionText,
          roleArn: machine.roleArn,
          type: machine.type,
          creationDate: epochSeconds(machine.creationDate),
          tracingConfiguration: { enabled: machine.tracingEnabled },
        };
      }
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `The local Step Functions does not implement ${operation}.`,
        );
    }
  }

  // ---- Internals ----------------------------------------------------------------------------------

  /**
   * `CreateStateMachine`: idempotent for the same name, definition, type and role (AWS answers the
   * existing machine); the name taken otherwise is `StateMachineAlreadyExists`.
   */
  private createFromApi(input: Record<string, unknown>): unknown {
    const name = requiredString(input, 'name');
    const definition = requiredString(input, 'definition');
    const roleArn = requiredString(input, 'roleArn');
    if (!isValidExecutionName(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    if (!ROLE_ARN.test(roleArn)) throw new AwsServiceError('InvalidArn', `Invalid Arn: '${roleArn}'`);
    const type = optionalString(input, 'type') ?? 'STANDARD';
    if (!STATE_MACHINE_TYPES.has(type)) {
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value '${type}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`,
      );
    }
    const arn = localArn('states', `stateMachine:${name}`);
    const existing = this.machines.get(arn);
    if (existing) {
      const same =
        existing.type === type &&
        existing.roleArn === roleArn &&
        existing.definitionText === JSON.stringify(parseJson(definition));
      if (!same) {
        throw new AwsServiceError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
      }
      return { stateMachineArn: arn, creationDate: epochSeconds(existing.creationDate) };
    }
    this.registerFromApi({
      name,
      arn,
      definition,
      roleArn,
      type: type as StateMachineType,
      tracingEnabled: tracingEnabledOf(input),
    });
    return { stateMachineArn: arn, creationDate: epochSeconds(this.machine(arn).creationDate) };
  }

  /** `UpdateStateMachine`: a new definition, role or tracing; executions under way keep the old one. */
  private updateFromApi(input: Record<string, unknown>): unknown {
    const machine = this.machine(requiredString(input, 'stateMachineArn'));
    const definition = optionalString(input, 'definition');
    const roleArn = optionalString(input, 'roleArn');
    if (definition === undefined && roleArn === undefined && input.tracingConfiguration === undefined) {
      throw new AwsServiceError(
        'MissingRequiredParameter',
        'Either the definition, the role ARN, the LoggingConfiguration, or the TracingConfiguration must be specified',
      );
    }
    if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) {
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${roleArn}'`);
    }
    this.registerFromApi({
      name: machine.name,
      arn: machine.arn,
      definition: definition ?? machine.definitionText,
      roleArn: roleArn ?? machine.roleArn,
      type: machine.type,
      tracingEnabled:
        input.tracingConfiguration === undefined ? machine.tracingEnabled : tracingEnabledOf(input),
    });
    return { updateDate: epochSeconds(this.machine(machine.arn).updateDate) };
  }

  /** `createStateMachine`, its refusals as the API's `InvalidDefinition`. */
  private registerFromApi(spec: StateMachineSpec): void {
    try {
      this.createStateMachine(spec);
    } catch (error) {
      if (error instanceof InvalidDefinitionError) {
        throw new AwsServiceError(
          'InvalidDefinition',
          `Invalid State Machine Definition: '${error.message}'`,
        );
      }
      if (error instanceof UnsupportedDefinitionError) {
        throw new AwsServiceError('InvalidDefinition', error.message);
      }
      throw error;
    }
  }

  private start(stateMachineArn: string, options: StartExecutionOptions): Execution {
    const machine = this.machine(stateMachineArn);
    const name = options.name ?? randomUUID();
    if (!isValidExecutionName(name)) {
      throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    }
    const input = options.input ?? '{}';
    if (Buffer.byteLength(input) > MAX_INPUT_BYTES) {
      throw new AwsServiceError('InvalidExecutionInput', `The input exceeds ${MAX_INPUT_BYTES} bytes.`);
    }
    try {
      JSON.parse(input);
    } catch {
      throw new AwsServiceError(
        'InvalidExecutionInput',
        'Invalid State Machine Execution Input: not valid JSON.',
      );
    }
    const executionArn =
      machine.type === 'EXPRESS'
        ? localArn('states', `express:${machine.name}:${name}:${randomUUID()}`)
        : localArn('states', `execution:${machine.name}:${name}`);
    const existing = this.executionsByArn.get(executionArn);
    if (existing) {
      // Idempotent for a running execution with the same input; otherwise the name is taken.
      if (existing.status === 'RUNNING' && existing.input === input) return existing;
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    // As on AWS, only machines with tracing on record a segment; the others pass the header on.
    const recorder = machine.tracingEnabled ? this.traceRecorder : undefined;
    const segment = recorder?.startSegment({
      name: machine.name,
      origin: 'AWS::StepFunctions::StateMachine',
      resourceArn: executionArn,
      traceHeader: options.traceHeader,
      aws: { execution_arn: executionArn, state_machine_arn: machine.arn },
    });
    const execution = new Execution({
      machine,
      arn: executionArn,
      name,
      input,
      traceHeader: options.traceHeader,
      taskTraceHeader: segment?.traceHeader,
      integrations: this.integrations,
      tokens: this.tokens,
    });
    this.executionsByArn.set(executionArn, execution);
    this.dropOldExecutions();
    execution.start();
    const observe = this.onExecutionEvent;
    if (observe) {
      observe({ stateMachineArn: machine.arn, executionArn, status: 'STARTED' });
      void execution.done.then(() => {
        if (execution.status !== 'RUNNING') {
          observe({ stateMachineArn: machine.arn, executionArn, status: execution.status });
        }
      });
    }
    if (segment) {
      void execution.done.then(() =>
        segment.end({
          fault: execution.status !== 'SUCCEEDED',
          ...(execution.error === undefined
            ? {}
            : { cause: causeOf(execution.error, execution.cause ?? '') }),
        }),
      );
    }
    return execution;
  }

  private dropOldExecutions(): void {
    const closed = [...this.executionsByArn.values()].filter((execution) => execution.status !== 'RUNNING');
    for (const execution of closed.slice(0, Math.max(0, closed.length - this.maxClosedExecutions))) {
      this.executionsByArn.delete(execution.arn);
      this.tokens.forgetExecution(execution.arn);
      this.executionsEvictedCount++;
    }
  }

  private machine(arn: string): StateMachineEntry {
    if (!/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/.test(arn)) {
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    }
    const machine = this.machines.get(arn);
    if (!machine)
      throw new AwsServiceError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return machine;
  }

  private findExecution(arn: string): Execution {
    if (!/^arn:aws[\w-]*:states:[a-z0-9-]+:\d{12}:(execution|express):[^:]+:[^:]+(:[^:]+)?$/.test(arn)) {
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${arn}'`);
    }
    const execution = this.executionsByArn.get(arn);
    if (!execution) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return execution;
  }

  private getExecutionHistory(input: Record<string, unknown>): unknown {
    const execution = this.findExecution(requiredString(input, 'executionArn'));
    const includeData = input.includeExecutionData !== false;
    const events = execution.history.list().map((event) => historyEventToApi(event, includeData));
    if (input.reverseOrder === true) events.reverse();
    const page = paginate(events, input);
    return { events: page.items, nextToken: page.nextToken };
  }

  private listExecutions(input: Record<string, unknown>): unknown {
    const machine = this.machine(requiredString(input, 'stateMachineArn'));
    if (machine.type === 'EXPRESS') {
      throw new AwsServiceError(
        'StateMachineTypeNotSupported',
        'This operation is not supported by this type of state machine',
      );
    }
    const status = optionalString(input, 'statusFilter');
    const executions = [...this.executionsByArn.values()]
      .reverse()
      .filter((execution) => execution.machine.arn === machine.arn)
      .filter((execution) => status === undefined || execution.status === status);
    const page = paginate(executions, input);
    return {
      executions: page.items.map((execution) => ({
        executionArn: execution.arn,
        stateMachineArn: execution.machine.arn,
        name: execution.name,
        status: execution.status,
        startDate: epochSeconds(execution.startDate),
        ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
      })),
      nextToken: page.nextToken,
    };
  }
}

function startOptions(input: Record<string, unknown>, context: JsonProtocolContext): StartExecutionOptions {
  return {
    name: optionalString(input, 'name'),
    input: optionalString(input, 'input'),
    traceHeader: optionalString(input, 'traceHeader') ?? context.traceHeader,
  };
}

function tracingEnabledOf(input: Record<string, unknown>): boolean {
  const tracing = input.tracingConfiguration;
  return (
    typeof tracing === 'object' && tracing !== null && (tracing as { enabled?: unknown }).enabled === true
  );
}

function summaryOf(execution: Execution): ExecutionSummary {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.machine.arn,
    stateMachine: execution.machine.name,
    name: execution.name,
    status: execution.status,
    startDate: execution.startDate.toISOString(),
    ...(execution.stopDate ? { stopDate: execution.stopDate.toISOString() } : {}),
  };
}

function describeExecution(execution: Execution): Record<string, unknown> {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.machine.arn,
    name: execution.name,
    status: execution.status,
    startDate: epochSeconds(execution.startDate),
    ...(execution.stopDate ? { stopDate: epochSeconds(execution.stopDate) } : {}),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output === undefined
      ? {}
      : { output: execution.output, outputDetails: { included: true } }),
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    ...(execution.traceHeader === undefined ? {} : { traceHeader: execution.traceHeader }),
    redriveCount: 0,
    redriveStatus: 'NOT_REDRIVABLE',
  };
}

function syncResultOf(execution: Execution): Record<string, unknown> {
  return {
    executionArn: execution.arn,
    stateMachineArn: execution.machine.arn,
    name: execution.name,
    startDate: epochSeconds(execution.startDate),
    stopDate: epochSeconds(execution.stopDate ?? new Date()),
    status: execution.status,
    ...(execution.error === undefined ? {} : { error: execution.error }),
    ...(execution.cause === undefined ? {} : { cause: execution.cause }),
    input: execution.input,
    inputDetails: { included: true },
    ...(execution.output === undefined
      ? {}
      : { output: execution.output, outputDetails: { included: true } }),
    ...(execution.traceHeader === undefined ? {} : { traceHeader: execution.traceHeader }),
    billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: billedMs(execution) },
  };
}

function billedMs(execution: Execution): number {
  const elapsed = (execution.stopDate ?? new Date()).getTime() - execution.startDate.getTime();
  return Math.max(100, Math.ceil(elapsed / 100) * 100);
}

function isValidExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || EXECUTION_NAME_FORBIDDEN.test(name)) return false;
  return [...name].every((char) => {
    const code = char.charCodeAt(0);
    return code > 0x1f && (code < 0x7f || code > 0x9f);
  });
}

/** JSON 1.0 timestamps travel as epoch seconds. */
function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function paginate<T>(
  items: readonly T[],
  input: Record<string, unknown>,
): { items: T[]; nextToken?: string } {
  const start = Number(optionalString(input, 'nextToken') ?? '0') || 0;
  const requested = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 100;
  const end = start + Math.min(1000, requested);
  return { items: items.slice(start, end), nextToken: end < items.length ? String(end) : undefined };
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string') {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function optionalString(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  return typeof value === 'string' ? value : undefined;
}
