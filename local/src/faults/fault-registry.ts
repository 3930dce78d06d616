/**
 * The faults set on the local cloud and the decision, call by call, whether one strikes. Pure: the
 * engines ask through small hooks (`fault-hooks.ts`, `faulting-target-dispatcher.ts`), and each fault
 * draws from its own seeded sequence, so the same seed and the same calls give the same decisions.
 */
import { DYNAMODB_FAULT_ERRORS, type DynamoDbFaultErrorCode } from '../dynamodb/dynamodb-errors';
import type { FunctionError } from '../lambda/invoker';
import type {
  EventSourceSelector,
  FaultSpec,
  FunctionSelector,
  PutEventsSelector,
  RestApiSelector,
  RuleTargetSelector,
  TableSelector,
} from './fault-schema';
import { randomSeed, SeededRandom } from './seeded-random';

/** A function as the catalogue knows it: the logical id lets users avoid generated names. */
export interface FunctionRef {
  readonly name: string;
  readonly logicalId?: string;
}

/** An event source mapping, by its function and its source's name (a table or a queue). */
export interface EventSourceRef {
  readonly kind: 'dynamodb-stream' | 'sqs';
  readonly functionName: string;
  readonly sourceName: string;
}

export interface RuleTargetRef {
  readonly busName: string;
  readonly ruleName: string;
  readonly targetId: string;
  readonly targetArn: string;
}

/** What a `PutEvents` entry is matched on; the bus by name, never by ARN. */
export interface PutEventsEntryRef {
  readonly busName: string;
  readonly source: string;
  readonly detailType: string;
}

/** A DynamoDB table, by its name and the template's logical id. */
export interface TableRef {
  readonly name: string;
  readonly logicalId?: string;
}

/** A REST API of the template and its stages. */
export interface RestApiRef {
  readonly apiId: string;
  readonly name: string;
  readonly stages: readonly string[];
}

/** What exists, to refuse selectors that name nothing and to show what a selector names. */
export interface FaultCatalogue {
  readonly functions: readonly FunctionRef[];
  readonly eventSources: readonly EventSourceRef[];
  readonly ruleTargets: readonly RuleTargetRef[];
  readonly buses: readonly string[];
  readonly tables: readonly TableRef[];
  readonly restApis: readonly RestApiRef[];
}

export type FaultView = FaultSpec & {
  readonly id: string;
  /** The seed in use: the one given, or the one chosen. */
  readonly seed: number;
  /** Calls the fault was consulted for (while not exhausted). */
  readonly matched: number;
  /** Calls it made fail, time out or slow down. */
  readonly injected: number;
  /** `maxCount` injections are done, or its `durationMs` has passed: the fault no longer takes part. */
  readonly exhausted: boolean;
  readonly createdAt: string;
  /** With a `durationMs`: when it stops injecting, and whether that time has come. */
  readonly expiresAt?: string;
  readonly expired?: boolean;
  /** What the selector names in the catalogue now, e.g. generated function names. */
  readonly resolvedTargets: readonly string[];
};

/** For one invocation: latency to add, then maybe a failure instead of running the handler. */
export interface InvocationFault {
  readonly latencyMs: number;
  readonly failure?: 'timeout' | FunctionError;
}

export interface TargetFault {
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly retryable: boolean;
}

/** What delivery chaos does to one delivery: wait, then maybe be held behind later ones, then copies. */
export interface DeliveryChaos {
  readonly delayMs: number;
  /** Extra deliveries of the same input after it. */
  readonly copies: number;
  readonly hold?: { readonly afterDeliveries: number; readonly maxHoldMs: number };
}

export interface PutEventsEntryFault {
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Reads (GetItem, Query, Scan, BatchGetItem, TransactGetItems) or writes (the other item operations). */
export type TableAccess = 'read' | 'write';

/** What the table faults do to one DynamoDB request: wait, then fail, or lose the writes to some tables. */
export interface TableFault {
  readonly delayMs: number;
  readonly failure?: {
    readonly errorCode: DynamoDbFaultErrorCode;
    readonly statusCode: number;
    readonly errorMessage: string;
  };
  /** Tables whose writes in this request are acknowledged but not applied. */
  readonly droppedTables: readonly string[];
}

/** A request to one stage of a REST API, as `api-unavailable` faults match it. */
export interface ApiStageRef {
  readonly apiId: string;
  readonly apiName: string;
  readonly stageName: string;
}

/** The selector names nothing that exists: answered 422 by the API. */
export class UnknownFaultTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownFaultTargetError';
  }
}

export interface FaultRegistryOptions {
  readonly catalogue?: FaultCatalogue;
  readonly now?: () => Date;
}

interface ActiveFault {
  readonly id: string;
  readonly spec: FaultSpec;
  readonly seed: number;
  readonly random: SeededRandom;
  readonly createdAt: string;
  /** Epoch milliseconds past which a fault with `durationMs` no longer injects. */
  readonly expiresAtMs?: number;
  matched: number;
  injected: number;
}

/** AWS's descriptions of the retryable `PutEvents` entry errors. */
const PUT_EVENTS_MESSAGES: Readonly<Record<string, string>> = {
  InternalFailure: 'The request processing has failed because of an unknown error, exception or failure.',
  ThrottlingException: 'The request was denied due to request throttling.',
};
const DEFAULT_ERROR_TYPE = 'InjectedFault';
const DEFAULT_TARGET_ERROR_CODE = 'SDK_CLIENT_ERROR';
const DEFAULT_REORDER_AFTER_DELIVERIES = 1;
const DEFAULT_REORDER_MAX_HOLD_MS = 2_000;
const DEFAULT_TABLE_ERROR_CODE: DynamoDbFaultErrorCode = 'InternalServerError';
const TABLE_FAULT_KINDS: Readonly<Record<TableAccess, ReadonlySet<FaultSpec['kind']>>> = {
  read: new Set(['table-read-failure', 'table-read-delay']),
  write: new Set(['table-write-failure', 'table-write-drop']),
};

export class FaultRegistry {
  private readonly faults = new Map<string, ActiveFault>();
  private readonly now: () => Date;
  private catalogue: FaultCatalogue | undefined;
  private nextId = 1;

  constructor(options: FaultRegistryOptions = {}) {
    this.catalogue = options.catalogue;
    this.now = options.now ?? (() => new Date());
  }

  /** Without a catalogue every selector is accepted (nothing to check it against). */
  setCatalogue(catalogue: FaultCatalogue): void {
    this.catalogue = catalogue;
  }

  /** Sets a fault; throws `UnknownFaultTargetError` when its selector names nothing that exists. */
  add(spec: FaultSpec): FaultView {
    const resolved = this.resolve(spec);
    if (this.catalogue && resolved.length === 0) {
      throw new UnknownFaultTargetError(`The ${describeTarget(spec)} names nothing in the local cloud.`);
    }
    const seed = spec.seed ?? randomSeed();
    const createdAt = this.now();
    const fault: ActiveFault = {
      id: `fault-${this.nextId++}`,
      spec,
      seed,
      random: new SeededRandom(seed),
      createdAt: createdAt.toISOString(),
      ...(spec.durationMs === undefined ? {} : { expiresAtMs: createdAt.getTime() + spec.durationMs }),
      matched: 0,
      injected: 0,
    };
    this.faults.set(fault.id, fault);
    return this.view(fault);
  }

  list(): FaultView[] {
    return [...this.faults.values()].map((fault) => this.view(fault));
  }

  get(id: string): FaultView | undefined {
    const fault = this.faults.get(id);
    return fault && this.view(fault);
  }

  remove(id: string): FaultView | undefined {
    const fault = this.faults.get(id);
    if (!fault) return undefined;
    this.faults.delete(id);
    return this.view(fault);
  }

  /** Removes every fault; returns how many there were. */
  clear(): number {
    const count = this.faults.size;
    this.faults.clear();
    return count;
  }

  // ---- Decisions ----------------------------------------------------------------------------------

  putEventsEntryFault(entry: PutEventsEntryRef): PutEventsEntryFault | undefined {
    for (const fault of this.active()) {
      const { spec } = fault;
      if (spec.kind !== 'put-events-failure' || !matchesEntry(spec.target, entry)) continue;
      if (!this.strikes(fault)) continue;
      const errorCode = spec.errorCode ?? 'InternalFailure';
      return { errorCode, errorMessage: spec.errorMessage ?? PUT_EVENTS_MESSAGES[errorCode] ?? errorCode };
    }
    return undefined;
  }

  /**
   * Latency faults add up; the first failure (error or timeout) ends the consultation. `version`: the
   * one that runs (faults that name a version skip the others).
   */
  invocationFault(functionName: string, version = '$LATEST'): InvocationFault | undefined {
    let latencyMs = 0;
    for (const fault of this.active()) {
      const { spec } = fault;
      if (
        spec.kind !== 'function-error' &&
        spec.kind !== 'function-timeout' &&
        spec.kind !== 'function-latency'
      )
        continue;
      if (spec.target.version !== undefined && spec.target.version !== version) continue;
      if (!this.matchesFunction(spec.target, functionName) || !this.strikes(fault)) continue;
      if (spec.kind === 'function-latency') {
        latencyMs += spec.latencyMs;
        continue;
      }
      if (spec.kind === 'function-timeout') return { latencyMs, failure: 'timeout' };
      return {
        latencyMs,
        failure: {
          errorType: spec.errorType ?? DEFAULT_ERROR_TYPE,
          errorMessage: spec.errorMessage ?? injectedMessage(fault),
        },
      };
    }
    return latencyMs > 0 ? { latencyMs } : undefined;
  }

  eventSourceFault(mapping: EventSourceRef): FunctionError | undefined {
    for (const fault of this.active()) {
      const { spec } = fault;
      if (spec.kind !== 'event-source-failure' || !matchesEventSource(spec.target, mapping)) continue;
      if (!this.strikes(fault)) continue;
      return {
        errorType: spec.errorType ?? DEFAULT_ERROR_TYPE,
        errorMessage: spec.errorMessage ?? injectedMessage(fault),
      };
    }
    return undefined;
  }

  targetFault(target: RuleTargetRef): TargetFault | undefined {
    for (const fault of this.active()) {
      const { spec } = fault;
      if (spec.kind !== 'target-failure' || !matchesRuleTarget(spec.target, target)) continue;
      if (!this.strikes(fault)) continue;
      return {
        errorCode: spec.errorCode ?? DEFAULT_TARGET_ERROR_CODE,
        errorMessage: spec.errorMessage ?? injectedMessage(fault),
        retryable: spec.retryable ?? true,
      };
    }
    return undefined;
  }

  /**
   * What the delivery-chaos faults do to one delivery to a rule target: each matching fault draws once.
   * `undefined` when none strikes.
   */
  deliveryChaos(target: RuleTargetRef): DeliveryChaos | undefined {
    let delayMs = 0;
    let copies = 0;
    let hold: DeliveryChaos['hold'];
    for (const fault of this.active()) {
      const { spec } = fault;
      if (
        (spec.kind !== 'delivery-duplicate' &&
          spec.kind !== 'delivery-delay' &&
          spec.kind !== 'delivery-reorder') ||
        !matchesRuleTarget(spec.target, target) ||
        !this.strikes(fault)
      ) {
        continue;
      }
      if (spec.kind === 'delivery-duplicate') copies += spec.copies ?? 1;
      if (spec.kind === 'delivery-delay')
        delayMs += drawBetween(fault.random, spec.minDelayMs, spec.maxDelayMs);
      if (spec.kind === 'delivery-reorder') {
        hold = {
          afterDeliveries: spec.afterDeliveries ?? DEFAULT_REORDER_AFTER_DELIVERIES,
          maxHoldMs: spec.maxHoldMs ?? DEFAULT_REORDER_MAX_HOLD_MS,
        };
      }
    }
    if (delayMs === 0 && copies === 0 && hold === undefined) return undefined;
    return { delayMs, copies, ...(hold === undefined ? {} : { hold }) };
  }

  /**
   * Whether any fault could strike a DynamoDB read (or write) now: without one, the DynamoDB front passes
   * requests on without reading them.
   */
  hasTableFaults(access: TableAccess): boolean {
    for (const fault of this.active()) {
      if (TABLE_FAULT_KINDS[access].has(fault.spec.kind)) return true;
    }
    return false;
  }

  /**
   * What the table faults do to one request that reads (or writes) these tables: each fault matching one
   * of them draws once. Delays add up; the first failure ends the consultation; a drop loses the writes
   * to the tables its selector names. `undefined` when none strikes.
   */
  tableFault(access: TableAccess, tableNames: readonly string[]): TableFault | undefined {
    let delayMs = 0;
    const dropped = new Set<string>();
    for (const fault of this.active()) {
      const { spec } = fault;
      if (
        spec.kind !== 'table-read-failure' &&
        spec.kind !== 'table-read-delay' &&
        spec.kind !== 'table-write-failure' &&
        spec.kind !== 'table-write-drop'
      )
        continue;
      if (!TABLE_FAULT_KINDS[access].has(spec.kind)) continue;
      const struckTables = tableNames.filter((table) => this.matchesTable(spec.target, table));
      if (struckTables.length === 0 || !this.strikes(fault)) continue;
      if (spec.kind === 'table-read-delay') {
        delayMs += spec.latencyMs ?? drawBetween(fault.random, spec.minDelayMs ?? 0, spec.maxDelayMs ?? 0);
        continue;
      }
      if (spec.kind === 'table-write-drop') {
        for (const table of struckTables) dropped.add(table);
        continue;
      }
      const errorCode = spec.errorCode ?? DEFAULT_TABLE_ERROR_CODE;
      const { statusCode, message } = DYNAMODB_FAULT_ERRORS[errorCode];
      return {
        delayMs,
        failure: { errorCode, statusCode, errorMessage: spec.errorMessage ?? message },
        droppedTables: [...dropped],
      };
    }
    if (delayMs === 0 && dropped.size === 0) return undefined;
    return { delayMs, droppedTables: [...dropped] };
  }

  /** Why a request to this stage is answered 503 without being served (the fault's id), if it is. */
  apiUnavailability(stage: ApiStageRef): string | undefined {
    for (const fault of this.active()) {
      const { spec } = fault;
      if (spec.kind !== 'api-unavailable' || !matchesApiStage(spec.target, stage)) continue;
      if (this.strikes(fault)) return `api-unavailable fault ${fault.id}`;
    }
    return undefined;
  }

  // ---- Internals ----------------------------------------------------------------------------------

  /** Faults still taking part, oldest first. */
  private *active(): Generator<ActiveFault> {
    for (const fault of this.faults.values()) {
      if (!this.isSpent(fault)) yield fault;
    }
  }

  /** `maxCount` injections done, or the time window over. */
  private isSpent(fault: ActiveFault): boolean {
    return isExhausted(fault) || this.isExpired(fault);
  }

  private isExpired(fault: ActiveFault): boolean {
    return fault.expiresAtMs !== undefined && this.now().getTime() >= fault.expiresAtMs;
  }

  /** One draw from the fault's own sequence. */
  private strikes(fault: ActiveFault): boolean {
    fault.matched++;
    if (!fault.random.chance(fault.spec.probability)) return false;
    fault.injected++;
    return true;
  }

  private matchesFunction(selector: FunctionSelector, functionName: string): boolean {
    const logicalId = this.catalogue?.functions.find((fn) => fn.name === functionName)?.logicalId;
    return matchesFunctionRef(selector, { name: functionName, logicalId });
  }

  private matchesTable(selector: TableSelector, tableName: string): boolean {
    const logicalId = this.catalogue?.tables.find((table) => table.name === tableName)?.logicalId;
    return matchesTableRef(selector, { name: tableName, logicalId });
  }

  /** What the spec's selector names in the catalogue, as labels. */
  private resolve(spec: FaultSpec): string[] {
    const catalogue = this.catalogue;
    if (!catalogue) return [];
    switch (spec.kind) {
      case 'put-events-failure': {
        const bus = spec.target?.busName;
        if (bus === undefined) return ['every PutEvents entry'];
        return catalogue.buses.includes(bus) ? [`bus ${bus}`] : [];
      }
      case 'function-error':
      case 'function-timeout':
      case 'function-latency':
        return catalogue.functions
          .filter((fn) => matchesFunctionRef(spec.target, fn))
          .map((fn) =>
            spec.target.version === undefined ? fn.name : `${fn.name} version ${spec.target.version}`,
          );
      case 'event-source-failure':
        return catalogue.eventSources
          .filter((mapping) => matchesEventSource(spec.target, mapping))
          .map((mapping) => `${mapping.sourceName} → ${mapping.functionName}`);
      case 'target-failure':
      case 'delivery-duplicate':
      case 'delivery-delay':
      case 'delivery-reorder':
        return catalogue.ruleTargets
          .filter((target) => matchesRuleTarget(spec.target, target))
          .map((target) => `${target.busName}/${target.ruleName} → ${target.targetId} (${target.targetArn})`);
      case 'table-write-failure':
      case 'table-write-drop':
      case 'table-read-failure':
      case 'table-read-delay':
        return catalogue.tables
          .filter((table) => matchesTableRef(spec.target, table))
          .map((table) => table.name);
      case 'api-unavailable':
        return catalogue.restApis.flatMap((api) =>
          api.stages
            .filter((stageName) =>
              matchesApiStage(spec.target, { apiId: api.apiId, apiName: api.name, stageName }),
            )
            .map((stageName) => `${api.name} (${api.apiId}) stage ${stageName}`),
        );
    }
  }

  private view(fault: ActiveFault): FaultView {
    return {
      ...fault.spec,
      id: fault.id,
      seed: fault.seed,
      matched: fault.matched,
      injected: fault.injected,
      exhausted: this.isSpent(fault),
      createdAt: fault.createdAt,
      ...(fault.expiresAtMs === undefined
        ? {}
        : { expiresAt: new Date(fault.expiresAtMs).toISOString(), expired: this.isExpired(fault) }),
      resolvedTargets: this.resolve(fault.spec),
    };
  }
}

function isExhausted(fault: ActiveFault): boolean {
  return fault.spec.maxCount !== undefined && fault.injected >= fault.spec.maxCount;
}

/** A seeded draw from `min` to `max`, both included. */
function drawBetween(random: SeededRandom, min: number, max: number): number {
  return min + Math.floor(random.next() * (max - min + 1));
}

function injectedMessage(fault: ActiveFault): string {
  return `Fault ${fault.id} injected by the local cloud`;
}

/** Every field the selector sets must hold. */
function matchesFunctionRef(selector: FunctionSelector, fn: FunctionRef): boolean {
  return (
    (selector.name === undefined || fn.name === selector.name) &&
    (selector.nameContains === undefined || fn.name.includes(selector.nameContains)) &&
    (selector.logicalIdPrefix === undefined ||
      (fn.logicalId !== undefined && fn.logicalId.startsWith(selector.logicalIdPrefix)))
  );
}

function matchesTableRef(selector: TableSelector, table: TableRef): boolean {
  return (
    (selector.tableName === undefined || table.name === selector.tableName) &&
    (selector.tableNameContains === undefined || table.name.includes(selector.tableNameContains)) &&
    (selector.logicalIdPrefix === undefined ||
      (table.logicalId !== undefined && table.logicalId.startsWith(selector.logicalIdPrefix)))
  );
}

function matchesApiStage(selector: RestApiSelector, stage: ApiStageRef): boolean {
  return (
    (selector.apiName === undefined || stage.apiName === selector.apiName) &&
    (selector.apiNameContains === undefined || stage.apiName.includes(selector.apiNameContains)) &&
    (selector.apiId === undefined || stage.apiId === selector.apiId) &&
    (selector.stageName === undefined || stage.stageName === selector.stageName)
  );
}

function matchesEventSource(selector: EventSourceSelector, mapping: EventSourceRef): boolean {
  return (
    (selector.functionName === undefined || mapping.functionName === selector.functionName) &&
    (selector.functionNameContains === undefined ||
      mapping.functionName.includes(selector.functionNameContains)) &&
    (selector.sourceName === undefined || mapping.sourceName === selector.sourceName) &&
    (selector.sourceNameContains === undefined || mapping.sourceName.includes(selector.sourceNameContains))
  );
}

function matchesRuleTarget(selector: RuleTargetSelector, target: RuleTargetRef): boolean {
  return (
    (selector.ruleName === undefined || target.ruleName === selector.ruleName) &&
    (selector.ruleNameContains === undefined || target.ruleName.includes(selector.ruleNameContains)) &&
    (selector.busName === undefined || target.busName === selector.busName) &&
    (selector.targetId === undefined || target.targetId === selector.targetId) &&
    (selector.targetArnContains === undefined || target.targetArn.includes(selector.targetArnContains))
  );
}

function matchesEntry(selector: PutEventsSelector | undefined, entry: PutEventsEntryRef): boolean {
  return (
    selector === undefined ||
    ((selector.busName === undefined || entry.busName === selector.busName) &&
      (selector.source === undefined || entry.source === selector.source) &&
      (selector.detailType === undefined || entry.detailType === selector.detailType))
  );
}

function describeTarget(spec: FaultSpec): string {
  const selector = JSON.stringify(spec.target ?? {});
  switch (spec.kind) {
    case 'put-events-failure':
      return `event bus of ${selector}`;
    case 'event-source-failure':
      return `event source mapping selector ${selector}`;
    case 'target-failure':
    case 'delivery-duplicate':
    case 'delivery-delay':
    case 'delivery-reorder':
      return `rule target selector ${selector}`;
    case 'table-write-failure':
    case 'table-write-drop':
    case 'table-read-failure':
    case 'table-read-delay':
      return `table selector ${selector}`;
    case 'api-unavailable':
      return `REST API selector ${selector}`;
    default:
      return `function selector ${selector}`;
  }
}
