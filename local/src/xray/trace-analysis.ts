/**
 * One trace as X-Ray's read APIs see it (`GetTraceSummaries`, `BatchGetTraces`, the service graphs),
 * built from the documents the daemon and the local services recorded:
 *
 * - a **service** is a segment's name and origin (X-Ray's `Name` and `Type`): the Lambda service's
 *   `AWS::Lambda` segment and the function's `AWS::Lambda::Function` segment are two services of one name;
 * - a **call** joins a segment to the nearest segment above it. The caller's subsegment that made the call
 *   (`Lambda`, `EventBridge`) times it; a segment straight under another (the function under the Lambda
 *   service) times its own;
 * - a subsegment in namespace `aws` or `remote` that no recorded segment answers calls a service that
 *   records nothing of its own (DynamoDB, SQS, an HTTP API): X-Ray infers a segment for it, and so does
 *   this, with the subsegment's name, times, flags and `aws`/`http` data.
 */
import { createHash } from 'node:crypto';
import type { SegmentDocument } from './segment-document';
import { flattenDocuments } from './trace-tree';

export interface ServiceKey {
  readonly name: string;
  /** The segment's `origin` (e.g. `AWS::Lambda::Function`), `remote`, or absent for an application's own. */
  readonly type?: string;
}

export interface TraceSegment {
  /** Its own fields; its subsegments are separate entries of `AnalyzedTrace.documents`. */
  readonly document: SegmentDocument;
  readonly service: ServiceKey;
  readonly inferred: boolean;
  /** The service whose segment called it; absent for the segments that started (a part of) the trace. */
  readonly caller?: ServiceKey;
}

export interface ServiceCall {
  readonly caller: ServiceKey;
  readonly callee: ServiceKey;
  /** What times the call and tells how it ended: the caller's subsegment, else the callee's segment. */
  readonly document: SegmentDocument;
}

export type AnnotationValue = string | number | boolean;

export interface TraceAnnotation {
  readonly key: string;
  readonly value: AnnotationValue;
  /** The service of the segment it was recorded in; absent for a subsegment whose segment is missing. */
  readonly service?: ServiceKey;
}

export interface AnalyzedTrace {
  readonly id: string;
  /** Epoch seconds of the earliest document. */
  readonly startTime: number;
  /** Epoch seconds of the latest end (or start, for what is still in progress). */
  readonly endTime: number;
  /** Seconds from the earliest start to the latest end. */
  readonly duration: number;
  /** The segment that started the trace: the earliest of the segments no other segment of it called. */
  readonly root?: TraceSegment;
  /** Recorded and inferred segments, earliest first. */
  readonly segments: readonly TraceSegment[];
  readonly calls: readonly ServiceCall[];
  readonly annotations: readonly TraceAnnotation[];
  /** Every recorded document, subsegments embedded in their parents lifted out. */
  readonly documents: readonly SegmentDocument[];
  /** Some document is still in progress. */
  readonly isPartial: boolean;
}

/** X-Ray indexes only annotation keys of letters, digits and underscores. */
export const ANNOTATION_KEY = /^[A-Za-z0-9_]+$/;

const CALL_NAMESPACES = new Set(['aws', 'remote']);

/** The `origin` X-Ray gives a segment it infers from an AWS SDK subsegment, by the subsegment's name. */
const INFERRED_ORIGINS: Readonly<Record<string, string>> = {
  DynamoDB: 'AWS::DynamoDB::Table',
  SQS: 'AWS::SQS::Queue',
  SNS: 'AWS::SNS',
  S3: 'AWS::S3::Bucket',
  Lambda: 'AWS::Lambda',
  EventBridge: 'AWS::Events',
  SFN: 'AWS::StepFunctions::StateMachine',
};

export function serviceOf(document: SegmentDocument): ServiceKey {
  return document.origin === undefined
    ? { name: document.name }
    : { name: document.name, type: document.origin };
}

/** A key that tells services apart, for maps. */
export function serviceId(service: ServiceKey): string {
  return `${service.type ?? ''}\u0000${service.name}`;
}

export function isSegment(document: SegmentDocument): boolean {
  return document.type !== 'subsegment';
}

/** Seconds, rounded to the microsecond the documents carry. */
export function roundSeconds(seconds: number): number {
  return Math.round(seconds * 1_000_000) / 1_000_000;
}

/** How long a document took; undefined while it is in progress. */
export function elapsedSeconds(document: SegmentDocument): number | undefined {
  return document.end_time === undefined ? undefined : roundSeconds(document.end_time - document.start_time);
}

export function analyzeTrace(traceId: string, recorded: readonly SegmentDocument[]): AnalyzedTrace {
  const documents = flattenDocuments(recorded);
  const byId = new Map(documents.map((document) => [document.id, document] as const));
  const owners = new Map<SegmentDocument, SegmentDocument | undefined>();
  /** The segment a (sub)segment belongs to: itself, or the nearest segment above a subsegment. */
  const ownerOf = (document: SegmentDocument): SegmentDocument | undefined => {
    if (owners.has(document)) return owners.get(document);
    const seen = new Set<SegmentDocument>();
    let current: SegmentDocument | undefined = document;
    while (current !== undefined && !isSegment(current) && !seen.has(current)) {
      seen.add(current);
      current = current.parent_id === undefined ? undefined : byId.get(current.parent_id);
    }
    const owner = current !== undefined && isSegment(current) ? current : undefined;
    owners.set(document, owner);
    return owner;
  };

  const segments: TraceSegment[] = [];
  const calls: ServiceCall[] = [];
  const answered = new Set<string>();
  for (const document of documents.filter(isSegment)) {
    const service = serviceOf(document);
    const parent = document.parent_id === undefined ? undefined : byId.get(document.parent_id);
    const callerSegment = parent === undefined || parent === document ? undefined : ownerOf(parent);
    if (parent === undefined || callerSegment === undefined || callerSegment === document) {
      segments.push({ document, service, inferred: false });
      continue;
    }
    const caller = serviceOf(callerSegment);
    segments.push({ document, service, inferred: false, caller });
    if (!isSegment(parent)) answered.add(parent.id);
    calls.push({ caller, callee: service, document: isSegment(parent) ? document : parent });
  }

  for (const subsegment of documents) {
    if (isSegment(subsegment) || !CALL_NAMESPACES.has(subsegment.namespace ?? '')) continue;
    if (answered.has(subsegment.id) || withinCall(subsegment, byId)) continue;
    const owner = ownerOf(subsegment);
    if (owner === undefined) continue;
    const document = inferredSegment(traceId, subsegment);
    const segment: TraceSegment = {
      document,
      service: serviceOf(document),
      inferred: true,
      caller: serviceOf(owner),
    };
    segments.push(segment);
    calls.push({ caller: serviceOf(owner), callee: segment.service, document: subsegment });
  }
  segments.sort((a, b) => a.document.start_time - b.document.start_time);

  const annotations: TraceAnnotation[] = [];
  for (const document of documents) {
    const owner = ownerOf(document);
    for (const [key, value] of Object.entries(document.annotations ?? {})) {
      if (!ANNOTATION_KEY.test(key) || !isAnnotationValue(value)) continue;
      annotations.push(owner === undefined ? { key, value } : { key, value, service: serviceOf(owner) });
    }
  }

  const startTime = Math.min(...documents.map((document) => document.start_time));
  const endTime = Math.max(
    startTime,
    ...documents.map((document) => document.end_time ?? document.start_time),
  );
  const root = segments.find((segment) => segment.caller === undefined);
  return {
    id: traceId,
    startTime,
    endTime,
    duration: roundSeconds(endTime - startTime),
    ...(root === undefined ? {} : { root }),
    segments,
    calls,
    annotations,
    documents,
    isPartial: documents.some((document) => document.in_progress === true),
  };
}

/**
 * The trace's segments as `BatchGetTraces` answers them: each recorded segment with the subsegments sent
 * on their own put back under their parents (without the `type`, `trace_id` and `parent_id` they then
 * carry no more), and the inferred segments. Subsegments whose segment never arrived are left out.
 */
export function compileSegmentDocuments(trace: AnalyzedTrace): SegmentDocument[] {
  const children = new Map<string, SegmentDocument[]>();
  for (const document of trace.documents) {
    if (isSegment(document) || document.parent_id === undefined) continue;
    const siblings = children.get(document.parent_id);
    if (siblings) siblings.push(document);
    else children.set(document.parent_id, [document]);
  }
  const nest = (document: SegmentDocument, seen: Set<string>): SegmentDocument[] => {
    const below = (children.get(document.id) ?? [])
      .filter((child) => !seen.has(child.id))
      .sort((a, b) => a.start_time - b.start_time);
    return below.map((child) => {
      const { type: _type, trace_id: _traceId, parent_id: _parentId, ...own } = child;
      const nested = nest(child, new Set([...seen, child.id]));
      return nested.length === 0 ? own : { ...own, subsegments: nested };
    });
  };
  return trace.segments.map(({ document, inferred }) => {
    if (inferred) return document;
    const subsegments = nest(document, new Set([document.id]));
    return subsegments.length === 0 ? document : { ...document, subsegments };
  });
}

/** Whether a call subsegment is part of an outer one (an HTTP call the SDK made for an AWS call). */
function withinCall(subsegment: SegmentDocument, byId: ReadonlyMap<string, SegmentDocument>): boolean {
  const seen = new Set<SegmentDocument>([subsegment]);
  let parent = subsegment.parent_id === undefined ? undefined : byId.get(subsegment.parent_id);
  while (parent !== undefined && !isSegment(parent) && !seen.has(parent)) {
    if (CALL_NAMESPACES.has(parent.namespace ?? '')) return true;
    seen.add(parent);
    parent = parent.parent_id === undefined ? undefined : byId.get(parent.parent_id);
  }
  return false;
}

function inferredSegment(traceId: string, subsegment: SegmentDocument): SegmentDocument {
  const origin =
    subsegment.namespace === 'remote'
      ? 'remote'
      : (INFERRED_ORIGINS[subsegment.name] ?? `AWS::${subsegment.name.replace(/\s+/g, '')}`);
  return {
    // Derived from the subsegment's, so that every read of the trace names it alike.
    id: createHash('sha256').update(`inferred:${subsegment.id}`).digest('hex').slice(0, 16),
    trace_id: traceId,
    name: subsegment.name,
    start_time: subsegment.start_time,
    ...(subsegment.end_time === undefined ? { in_progress: true } : { end_time: subsegment.end_time }),
    parent_id: subsegment.id,
    inferred: true,
    origin,
    ...(subsegment.http === undefined ? {} : { http: subsegment.http }),
    ...(subsegment.aws === undefined ? {} : { aws: subsegment.aws }),
    ...(subsegment.error === true ? { error: true } : {}),
    ...(subsegment.fault === true ? { fault: true } : {}),
    ...(subsegment.throttle === true ? { throttle: true } : {}),
  };
}

function isAnnotationValue(value: unknown): value is AnnotationValue {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value))
  );
}
