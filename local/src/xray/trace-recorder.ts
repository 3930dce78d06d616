/**
 * How the local services record the segments their AWS counterparts send to X-Ray (API Gateway, the
 * Lambda service and function, EventBridge deliveries, Step Functions executions): straight into the
 * daemon's store. A segment continues the caller's `X-Amzn-Trace-Id` and hands on its own.
 */
import { documentTime, type HttpData, type SegmentCause, type SegmentDocument } from './segment-document';
import { formatTraceHeader, newSegmentId, newTraceId, parseTraceHeader } from './trace-header';
import type { TraceStore } from './trace-store';

interface SegmentFields {
  readonly http?: HttpData;
  readonly aws?: Readonly<Record<string, unknown>>;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Epoch milliseconds. @default now */
  readonly startTime?: number;
}

export interface SegmentStart extends SegmentFields {
  /** e.g. `fixture-main/prod`, a function name, a state machine name. */
  readonly name: string;
  /** e.g. `AWS::ApiGateway::Stage`, `AWS::Lambda::Function`, `AWS::StepFunctions::StateMachine`. */
  readonly origin?: string;
  readonly resourceArn?: string;
  /**
   * The caller's `X-Amzn-Trace-Id`: its `Root` is continued and its `Parent` becomes the segment's
   * `parent_id`; without a `Root` a new trace starts. `Sampled=0` records nothing.
   */
  readonly traceHeader?: string;
  /**
   * Whether to record when the caller made no sampling decision (no header, or no `Sampled`). The local
   * cloud samples every such request (AWS's default rule: the first each second, then 5 %).
   * @default true
   */
  readonly sampleWhenUndecided?: boolean;
}

export interface SubsegmentStart extends SegmentFields {
  readonly name: string;
  /** `aws` for a call to an AWS service, `remote` for another downstream call. */
  readonly namespace?: 'aws' | 'remote';
}

export interface SegmentEnd {
  /** A client error (4xx). */
  readonly error?: boolean;
  /** A server error (5xx) or a failure. */
  readonly fault?: boolean;
  /** Throttled (429). */
  readonly throttle?: boolean;
  readonly cause?: SegmentCause;
  /** Merged over what the start gave. */
  readonly http?: HttpData;
  readonly aws?: Readonly<Record<string, unknown>>;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  /** Epoch milliseconds. @default now */
  readonly endTime?: number;
}

/** A segment or subsegment under way. Unsampled, it records nothing but still carries the trace on. */
export interface ActiveSegment {
  readonly traceId: string;
  readonly id: string;
  readonly sampled: boolean;
  /**
   * The header to send downstream: `Root=…;Parent=<this id>;Sampled=1` when sampled, the caller's
   * decision (with its `Root`) otherwise.
   */
  readonly traceHeader: string;
  /** A subsegment of this (sub)segment, e.g. one call to a downstream service. */
  startSubsegment(start: SubsegmentStart): ActiveSegment;
  /** Records the finished document; later calls do nothing. */
  end(end?: SegmentEnd): void;
}

/** What `local/` services use to record X-Ray segments. */
export interface TraceRecorder {
  /** Files a complete document, as if the daemon had received it. */
  recordSegment(document: SegmentDocument): void;
  /** Starts a segment now; it is stored in progress until ended. */
  startSegment(start: SegmentStart): ActiveSegment;
}

/** A `cause` from an error type and message, as X-Ray shows exceptions. */
export function causeOf(type: string, message: string, remote = false): SegmentCause {
  return { exceptions: [{ id: newSegmentId(), type, message, ...(remote ? { remote } : {}) }] };
}

/** Records into a `TraceStore`, usually the local X-Ray daemon's. */
export class StoreTraceRecorder implements TraceRecorder {
  constructor(private readonly store: TraceStore) {}

  recordSegment(document: SegmentDocument): void {
    this.store.put(document);
  }

  startSegment(start: SegmentStart): ActiveSegment {
    const caller = parseTraceHeader(start.traceHeader);
    const traceId = caller.root ?? newTraceId(start.startTime);
    const sampled = caller.sampled ?? start.sampleWhenUndecided ?? true;
    const id = newSegmentId();
    if (!sampled) {
      // Nothing is recorded: the caller's decision and parent travel on unchanged.
      return new UnsampledSegment(traceId, formatTraceHeader({ ...caller, root: traceId }));
    }
    const document: SegmentDocument = {
      id,
      trace_id: traceId,
      name: start.name,
      start_time: documentTime(start.startTime ?? Date.now()),
      ...(caller.parent === undefined ? {} : { parent_id: caller.parent }),
      ...(start.origin === undefined ? {} : { origin: start.origin }),
      ...(start.resourceArn === undefined ? {} : { resource_arn: start.resourceArn }),
      ...fieldsOf(start),
    };
    return new RecordedSegment(this.store, document, caller.data);
  }
}

class UnsampledSegment implements ActiveSegment {
  readonly sampled = false;
  readonly id = newSegmentId();

  constructor(
    readonly traceId: string,
    readonly traceHeader: string,
  ) {}

  startSubsegment(): ActiveSegment {
    return this;
  }

  end(): void {}
}

class RecordedSegment implements ActiveSegment {
  readonly sampled = true;
  readonly traceHeader: string;
  private ended = false;

  constructor(
    private readonly store: TraceStore,
    private readonly document: SegmentDocument,
    data: Readonly<Record<string, string>> | undefined,
  ) {
    this.traceHeader = formatTraceHeader({
      root: this.traceId,
      parent: document.id,
      sampled: true,
      ...(data === undefined ? {} : { data }),
    });
    store.put({ ...document, in_progress: true });
  }

  get traceId(): string {
    return this.document.trace_id ?? '';
  }

  get id(): string {
    return this.document.id;
  }

  startSubsegment(start: SubsegmentStart): ActiveSegment {
    return new RecordedSegment(
      this.store,
      {
        id: newSegmentId(),
        trace_id: this.traceId,
        parent_id: this.id,
        type: 'subsegment',
        name: start.name,
        start_time: documentTime(start.startTime ?? Date.now()),
        ...(start.namespace === undefined ? {} : { namespace: start.namespace }),
        ...fieldsOf(start),
      },
      undefined,
    );
  }

  end(end: SegmentEnd = {}): void {
    if (this.ended) return;
    this.ended = true;
    const http =
      end.http === undefined
        ? this.document.http
        : {
            ...this.document.http,
            ...end.http,
          };
    this.store.put({
      ...this.document,
      end_time: Math.max(this.document.start_time, documentTime(end.endTime ?? Date.now())),
      ...(http === undefined ? {} : { http }),
      ...(end.aws === undefined ? {} : { aws: { ...this.document.aws, ...end.aws } }),
      ...(end.annotations === undefined
        ? {}
        : { annotations: { ...this.document.annotations, ...end.annotations } }),
      ...(end.metadata === undefined ? {} : { metadata: { ...this.document.metadata, ...end.metadata } }),
      ...(end.error === true ? { error: true } : {}),
      ...(end.fault === true ? { fault: true } : {}),
      ...(end.throttle === true ? { throttle: true, error: true } : {}),
      ...(end.cause === undefined ? {} : { cause: end.cause }),
    });
  }
}

function fieldsOf(fields: SegmentFields): Partial<SegmentDocument> {
  return {
    ...(fields.http === undefined ? {} : { http: fields.http }),
    ...(fields.aws === undefined ? {} : { aws: fields.aws }),
    ...(fields.annotations === undefined ? {} : { annotations: fields.annotations }),
    ...(fields.metadata === undefined ? {} : { metadata: fields.metadata }),
  };
}
