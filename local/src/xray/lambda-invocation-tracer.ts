/**
 * The segments the Lambda service records for one invocation attempt: the service's `AWS::Lambda`
 * segment (under the caller's Parent) and the `AWS::Lambda::Function` segment under it, with its
 * `Initialization` (cold starts) and `Invocation` subsegments. The function segment's id is the `Parent`
 * of the handler's `_X_AMZN_TRACE_ID`, so the subsegments the X-Ray SDK sends from the handler nest
 * under it, as on AWS.
 */
import { LOCAL_ACCOUNT } from '../aws-protocol';
import { causeOf, type ActiveSegment, type TraceRecorder } from './trace-recorder';
import { formatTraceHeader, newSegmentId, parseTraceHeader } from './trace-header';

/** A function's `TracingConfig.Mode`. */
export type TracingMode = 'Active' | 'PassThrough';

export interface InvocationTraceStart {
  readonly functionName: string;
  readonly functionArn: string;
  readonly requestId: string;
  /** The caller's `X-Amzn-Trace-Id`, if any. */
  readonly traceHeader?: string;
  readonly tracingMode: TracingMode;
}

export interface InvocationTraceEnd {
  readonly cold?: boolean;
  readonly initDurationMs?: number;
  /** Handler time. */
  readonly durationMs?: number;
  readonly error?: { readonly errorType: string; readonly errorMessage: string };
  /** The environment was lost (timeout, crash): the service reports it as its own fault. */
  readonly environmentLost?: boolean;
}

export interface InvocationTrace {
  /** The invocation's `_X_AMZN_TRACE_ID`: `Root=…;Parent=<function segment id>;Sampled=1|0`. */
  readonly functionTraceHeader: string;
  /** Records the outcome; later calls do nothing. */
  end(outcome: InvocationTraceEnd): void;
}

/** What the Lambda service consults around each invocation attempt. */
export interface InvocationTracer {
  /** An attempt that runs the function. */
  begin(start: InvocationTraceStart): InvocationTrace;
  /** An attempt refused for lack of concurrency: the service's segment only, marked throttled. */
  recordThrottle(start: InvocationTraceStart): void;
}

export class LambdaInvocationTracer implements InvocationTracer {
  constructor(private readonly recorder: TraceRecorder) {}

  begin(start: InvocationTraceStart): InvocationTrace {
    const service = this.startServiceSegment(start);
    if (!service.sampled) {
      const caller = parseTraceHeader(start.traceHeader);
      // Lambda always hands the runtime a complete header; the SDK then records nothing.
      const header = formatTraceHeader({ root: service.traceId, parent: newSegmentId(), sampled: false });
      return {
        functionTraceHeader: caller.data?.Lineage ? `${header};Lineage=${caller.data.Lineage}` : header,
        end: () => undefined,
      };
    }
    const fn = this.recorder.startSegment({
      name: start.functionName,
      origin: 'AWS::Lambda::Function',
      resourceArn: start.functionArn,
      traceHeader: service.traceHeader,
      aws: {
        function_arn: start.functionArn,
        resource_names: [start.functionName],
        account_id: LOCAL_ACCOUNT,
      },
    });
    let ended = false;
    return {
      functionTraceHeader: fn.traceHeader,
      end: (outcome) => {
        if (ended) return;
        ended = true;
        endInvocation(service, fn, outcome);
      },
    };
  }

  recordThrottle(start: InvocationTraceStart): void {
    this.startServiceSegment(start).end({
      throttle: true,
      http: { response: { status: 429 } },
      cause: causeOf('TooManyRequestsException', 'Rate Exceeded.'),
    });
  }

  private startServiceSegment(start: InvocationTraceStart): ActiveSegment {
    return this.recorder.startSegment({
      name: start.functionName,
      origin: 'AWS::Lambda',
      resourceArn: start.functionArn,
      // PassThrough: only a request the caller sampled is recorded.
      sampleWhenUndecided: start.tracingMode === 'Active',
      ...(start.traceHeader === undefined ? {} : { traceHeader: start.traceHeader }),
      aws: { request_id: start.requestId },
    });
  }
}

function endInvocation(service: ActiveSegment, fn: ActiveSegment, outcome: InvocationTraceEnd): void {
  const now = Date.now();
  const invocationStart = now - (outcome.durationMs ?? 0);
  if (outcome.cold && outcome.initDurationMs !== undefined) {
    fn.startSubsegment({ name: 'Initialization', startTime: invocationStart - outcome.initDurationMs }).end({
      endTime: invocationStart,
    });
  }
  const error = outcome.error;
  const cause = error === undefined ? undefined : causeOf(error.errorType, error.errorMessage);
  fn.startSubsegment({ name: 'Invocation', startTime: invocationStart }).end({
    endTime: now,
    ...(cause === undefined ? {} : { fault: true, cause }),
  });
  fn.end({ endTime: now, ...(cause === undefined ? {} : { fault: true, cause }) });
  service.end({
    endTime: now,
    http: { response: { status: 200 } },
    ...(outcome.environmentLost && cause !== undefined ? { fault: true, cause } : {}),
  });
}
