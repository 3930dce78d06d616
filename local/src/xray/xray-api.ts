/**
 * X-Ray's read API on the edge endpoint, in the REST-JSON protocol the X-Ray clients speak: `POST
 * /TraceSummaries` (GetTraceSummaries), `POST /Traces` (BatchGetTraces), `POST /ServiceGraph`
 * (GetServiceGraph) and `POST /TraceGraph` (GetTraceGraph), JSON in and out, times in epoch seconds; errors
 * with their code in `x-amzn-errortype` and a body `{ "message": … }`. It reads the local daemon's store
 * (`TraceStore`): the traces the services and the functions recorded, the last 10,000 documents.
 *
 * Emulated: the time ranges (`TimeRangeType` TraceId, Event, Service), the filter expressions of
 * `filter-expression.ts`, `FixedRate` sampling, paging of summaries, the summaries' annotations, services,
 * entry point and HTTP data, whole traces with their segments compiled as X-Ray compiles them (inferred
 * segments included), and the service graphs with their edges and counts.
 *
 * Not emulated, and refused or left out rather than half-honoured: groups (`GroupName`/`GroupARN` other than
 * `Default`), insights, users, root causes, histograms and the `client` node, and every other X-Ray
 * operation (sending segments goes through the daemon's UDP port, as on AWS): a request signed for X-Ray
 * on another path is answered `UnknownOperationException`. `Event` time is the latest time a document of
 * the trace tells of, not when X-Ray received it.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AwsServiceError, signingNameOf } from '../aws-protocol';
import { readAwsRequestText } from '../http/read-body';
import { matchesTrace, parseFilterExpression } from './filter-expression';
import { buildServiceGraph, type GraphService } from './service-graph';
import type { HttpData, SegmentDocument } from './segment-document';
import {
  analyzeTrace,
  compileSegmentDocuments,
  elapsedSeconds,
  serviceId,
  type AnalyzedTrace,
  type AnnotationValue,
  type ServiceKey,
} from './trace-analysis';
import { isTraceId, traceStartSeconds } from './trace-header';
import type { TraceStore } from './trace-store';

/** A filter expression is at most 2,000 characters and five trace ids are short: 64 KiB is ample. */
const MAX_REQUEST_BODY_BYTES = 64 * 1024;
const DEFAULT_PAGE_SIZE = 100;
/** `BatchGetTraces` takes at most five trace ids per request. */
const MAX_BATCH_TRACE_IDS = 5;
const TIME_RANGE_TYPES = ['TraceId', 'Event', 'Service'] as const;
type TimeRangeType = (typeof TIME_RANGE_TYPES)[number];
const DEFAULT_GROUP = 'Default';

const OPERATIONS: Readonly<Record<string, XRayOperation>> = {
  '/TraceSummaries': 'GetTraceSummaries',
  '/Traces': 'BatchGetTraces',
  '/ServiceGraph': 'GetServiceGraph',
  '/TraceGraph': 'GetTraceGraph',
};

export type XRayOperation = 'GetTraceSummaries' | 'BatchGetTraces' | 'GetServiceGraph' | 'GetTraceGraph';

export interface XRayApiOptions {
  /** Epoch milliseconds of `ApproximateTime`. @default Date.now */
  readonly clock?: () => number;
  /** Summaries per page of `GetTraceSummaries`. @default 100 */
  readonly pageSize?: number;
}

export interface ServiceIdShape {
  readonly Name: string;
  readonly Names: readonly string[];
  readonly Type?: string;
}

interface AnnotationValueShape {
  readonly StringValue?: string;
  readonly NumberValue?: number;
  readonly BooleanValue?: boolean;
}

export class XRayApi {
  private readonly clock: () => number;
  private readonly pageSize: number;

  constructor(
    private readonly store: TraceStore,
    options: XRayApiOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  handle(operation: XRayOperation, input: Record<string, unknown>): unknown {
    switch (operation) {
      case 'GetTraceSummaries':
        return this.getTraceSummaries(input);
      case 'BatchGetTraces':
        return this.batchGetTraces(input);
      case 'GetServiceGraph':
        return this.getServiceGraph(input);
      case 'GetTraceGraph':
        return this.getTraceGraph(input);
    }
  }

  getTraceSummaries(input: Record<string, unknown>): unknown {
    const { start, end } = timeRange(input);
    const rangeType = optionalEnum(input, 'TimeRangeType', TIME_RANGE_TYPES) ?? 'TraceId';
    const sampledFraction = samplingFraction(input);
    const filter =
      input.FilterExpression === undefined
        ? undefined
        : parseFilterExpression(requiredString(input, 'FilterExpression'));
    const after = input.NextToken === undefined ? undefined : readCursor(requiredString(input, 'NextToken'));

    const inRange = this.traces().filter((trace) => within(trace, rangeType, start, end));
    const found = inRange
      .filter((trace) => sampledFraction === undefined || sampledIn(trace.id, sampledFraction))
      .filter((trace) => filter === undefined || matchesTrace(filter, trace))
      // Newest first; a cursor (not an offset) keeps the pages stable while new traces arrive.
      .sort((a, b) => b.startTime - a.startTime || a.id.localeCompare(b.id))
      .filter((trace) => after === undefined || isAfter(trace, after));
    const page = found.slice(0, this.pageSize);
    const last = page.at(-1);
    return {
      TraceSummaries: page.map(summaryOf),
      ApproximateTime: Math.floor(this.clock() / 1000),
      TracesProcessedCount: inRange.length,
      ...(found.length > page.length && last !== undefined ? { NextToken: writeCursor(last) } : {}),
    };
  }

  batchGetTraces(input: Record<string, unknown>): unknown {
    const traceIds = traceIdsOf(input, MAX_BATCH_TRACE_IDS);
    const traces: unknown[] = [];
    const unprocessed: string[] = [];
    for (const traceId of traceIds) {
      const trace = this.trace(traceId);
      if (trace === undefined) {
        unprocessed.push(traceId);
        continue;
      }
      traces.push({
        Id: trace.id,
        Duration: trace.duration,
        LimitExceeded: false,
        Segments: compileSegmentDocuments(trace).map((document) => ({
          Id: document.id,
          Document: JSON.stringify(document),
        })),
      });
    }
    return { Traces: traces, UnprocessedTraceIds: unprocessed };
  }

  getServiceGraph(input: Record<string, unknown>): unknown {
    const { start, end } = timeRange(input);
    for (const field of ['GroupName', 'GroupARN'] as const) {
      const group = input[field];
      if (
        group !== undefined &&
        group !== DEFAULT_GROUP &&
        !String(group).endsWith(`:group/${DEFAULT_GROUP}`)
      ) {
        throw new AwsServiceError(
          'InvalidRequestException',
          `The local X-Ray has the ${DEFAULT_GROUP} group only: groups are not emulated.`,
        );
      }
    }
    return {
      StartTime: start,
      EndTime: end,
      Services: buildServiceGraph(this.traces(), { start, end }),
      ContainsOldGroupVersions: false,
    };
  }

  getTraceGraph(input: Record<string, unknown>): { Services: GraphService[] } {
    const traces = traceIdsOf(input).flatMap((traceId) => this.trace(traceId) ?? []);
    return { Services: buildServiceGraph(traces) };
  }

  private traces(): AnalyzedTrace[] {
    const byTrace = new Map<string, SegmentDocument[]>();
    for (const document of this.store.all()) {
      if (document.trace_id === undefined) continue;
      const group = byTrace.get(document.trace_id);
      if (group) group.push(document);
      else byTrace.set(document.trace_id, [document]);
    }
    return [...byTrace].map(([traceId, documents]) => analyzeTrace(traceId, documents));
  }

  private trace(traceId: string): AnalyzedTrace | undefined {
    const documents = isTraceId(traceId) ? this.store.trace(traceId) : [];
    return documents.length === 0 ? undefined : analyzeTrace(traceId, documents);
  }
}

/**
 * Serves the X-Ray read operations; false for any other request, except one signed for X-Ray (its
 * credential scope names `xray`), which is answered `UnknownOperationException`.
 */
export async function serveXRay(api: XRayApi, req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  const operation = req.method === 'POST' ? OPERATIONS[path] : undefined;
  if (operation === undefined) {
    if (!signedForXRay(req)) return false;
    sendError(
      res,
      new AwsServiceError(
        'UnknownOperationException',
        `The local X-Ray serves GetTraceSummaries, BatchGetTraces, GetServiceGraph and GetTraceGraph only, ` +
          `not ${req.method ?? ''} ${path}: segments are sent to the daemon's UDP port.`,
        404,
      ),
    );
    return true;
  }
  try {
    const output = api.handle(operation, await readInput(req));
    const payload = JSON.stringify(output);
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(payload),
      'x-amzn-requestid': randomUUID(),
    });
    res.end(payload);
  } catch (error) {
    sendError(res, error);
  }
  return true;
}

function signedForXRay(req: IncomingMessage): boolean {
  const authorization = req.headers.authorization;
  return typeof authorization === 'string' && signingNameOf(authorization) === 'xray';
}

async function readInput(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readAwsRequestText(req, MAX_REQUEST_BODY_BYTES);
  if (text.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
  } catch {
    // Answered below.
  }
  throw new AwsServiceError('InvalidRequestException', 'The request body must be a JSON object.');
}

function sendError(res: ServerResponse, error: unknown): void {
  if (res.headersSent) return;
  const known = error instanceof AwsServiceError;
  const code = known ? error.code : 'InternalFailure';
  const message = known ? error.message : 'The local X-Ray failed to handle the request.';
  const payload = JSON.stringify({ message });
  res.writeHead(known ? error.statusCode : 500, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    'x-amzn-errortype': code,
  });
  res.end(payload);
}

// ---------------------------------------------------------------------------------------------------
// Requests

function timeRange(input: Record<string, unknown>): { start: number; end: number } {
  const start = requiredTime(input, 'StartTime');
  const end = requiredTime(input, 'EndTime');
  if (end < start) {
    throw new AwsServiceError('InvalidRequestException', 'EndTime must not be earlier than StartTime.');
  }
  return { start, end };
}

function requiredTime(input: Record<string, unknown>, field: string): number {
  const value = input[field];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new AwsServiceError('InvalidRequestException', `${field} is required: a time in epoch seconds.`);
  }
  return value;
}

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string') {
    throw new AwsServiceError('InvalidRequestException', `${field} must be a string.`);
  }
  return value;
}

function optionalEnum<T extends string>(
  input: Record<string, unknown>,
  field: string,
  values: readonly T[],
): T | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value === 'string' && (values as readonly string[]).includes(value)) return value as T;
  throw new AwsServiceError('InvalidRequestException', `${field} must be one of ${values.join(', ')}.`);
}

function traceIdsOf(input: Record<string, unknown>, limit?: number): string[] {
  const ids = input.TraceIds;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id): id is string => typeof id === 'string')) {
    throw new AwsServiceError('InvalidRequestException', 'TraceIds is required: a list of trace ids.');
  }
  if (limit !== undefined && ids.length > limit) {
    throw new AwsServiceError(
      'InvalidRequestException',
      `TraceIds has ${ids.length} ids; at most ${limit} are allowed per request.`,
    );
  }
  return ids;
}

/**
 * The fraction of the traces a `FixedRate` sampling strategy keeps; undefined when every trace is kept
 * (no sampling, or `PartialScan`, which on X-Ray only bounds the scan).
 */
function samplingFraction(input: Record<string, unknown>): number | undefined {
  const sampling = input.Sampling;
  if (sampling !== undefined && typeof sampling !== 'boolean') {
    throw new AwsServiceError('InvalidRequestException', 'Sampling must be a boolean.');
  }
  const strategy = input.SamplingStrategy;
  if (strategy === undefined) return undefined;
  if (typeof strategy !== 'object' || strategy === null) {
    throw new AwsServiceError('InvalidRequestException', 'SamplingStrategy must be an object.');
  }
  const { Name: name, Value: value } = strategy as { Name?: unknown; Value?: unknown };
  if (name !== 'PartialScan' && name !== 'FixedRate') {
    throw new AwsServiceError(
      'InvalidRequestException',
      'SamplingStrategy.Name must be PartialScan or FixedRate.',
    );
  }
  if (value !== undefined && (typeof value !== 'number' || value < 0 || value > 1)) {
    throw new AwsServiceError('InvalidRequestException', 'SamplingStrategy.Value must be between 0 and 1.');
  }
  return sampling === true && name === 'FixedRate' && typeof value === 'number' ? value : undefined;
}

/** Whether a trace falls in a fixed-rate sample: decided by its id, so that every page agrees. */
function sampledIn(traceId: string, fraction: number): boolean {
  const draw = createHash('sha256').update(traceId).digest().readUInt32BE(0) / 0x1_0000_0000;
  return draw < fraction;
}

function within(trace: AnalyzedTrace, rangeType: TimeRangeType, start: number, end: number): boolean {
  const inRange = (time: number): boolean => time >= start && time <= end;
  switch (rangeType) {
    case 'TraceId':
      return inRange(traceStartSeconds(trace.id) ?? trace.startTime);
    case 'Event':
      return inRange(trace.endTime);
    case 'Service':
      return trace.segments.some(
        ({ document, inferred }) =>
          !inferred && document.end_time !== undefined && inRange(document.end_time),
      );
  }
}

// ---------------------------------------------------------------------------------------------------
// Paging: the last summary of a page, as `[startTime, id]` in base64url.

interface Cursor {
  readonly startTime: number;
  readonly id: string;
}

function writeCursor(trace: AnalyzedTrace): string {
  return Buffer.from(JSON.stringify([trace.startTime, trace.id])).toString('base64url');
}

function readCursor(token: string): Cursor {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(parsed) && typeof parsed[0] === 'number' && typeof parsed[1] === 'string') {
      return { startTime: parsed[0], id: parsed[1] };
    }
  } catch {
    // Answered below.
  }
  throw new AwsServiceError('InvalidRequestException', 'The NextToken is not one this API returned.');
}

/** After the cursor in the newest-first order. */
function isAfter(trace: AnalyzedTrace, cursor: Cursor): boolean {
  return trace.startTime < cursor.startTime || (trace.startTime === cursor.startTime && trace.id > cursor.id);
}

// ---------------------------------------------------------------------------------------------------
// Answers

function serviceIdOf(service: ServiceKey): ServiceIdShape {
  return {
    Name: service.name,
    Names: [service.name],
    ...(service.type === undefined ? {} : { Type: service.type }),
  };
}

function summaryOf(trace: AnalyzedTrace): unknown {
  const root = trace.root?.document;
  const responseTime = root === undefined ? undefined : elapsedSeconds(root);
  const services = new Map<string, ServiceKey>();
  for (const { service } of trace.segments) services.set(serviceId(service), service);
  const resourceArns = [
    ...new Set(trace.segments.flatMap(({ document }) => document.resource_arn ?? [])),
  ].map((arn) => ({ ARN: arn }));
  const http = root?.http === undefined ? undefined : httpOf(root.http);
  return {
    Id: trace.id,
    StartTime: trace.startTime,
    Duration: trace.duration,
    ...(responseTime === undefined ? {} : { ResponseTime: responseTime }),
    HasError: root?.error === true,
    HasFault: root?.fault === true,
    HasThrottle: trace.documents.some((document) => document.throttle === true),
    IsPartial: trace.isPartial,
    ...(http === undefined ? {} : { Http: http }),
    Annotations: annotationsOf(trace),
    Users: [],
    ServiceIds: [...services.values()].map(serviceIdOf),
    ResourceARNs: resourceArns,
    ...(trace.root === undefined ? {} : { EntryPoint: serviceIdOf(trace.root.service) }),
  };
}

function httpOf(http: HttpData): Record<string, string | number> | undefined {
  const shape = {
    ...(http.request?.url === undefined ? {} : { HttpURL: http.request.url }),
    ...(http.response?.status === undefined ? {} : { HttpStatus: http.response.status }),
    ...(http.request?.method === undefined ? {} : { HttpMethod: http.request.method }),
    ...(http.request?.user_agent === undefined ? {} : { UserAgent: http.request.user_agent }),
    ...(http.request?.client_ip === undefined ? {} : { ClientIp: http.request.client_ip }),
  };
  return Object.keys(shape).length === 0 ? undefined : shape;
}

/** Per key, each distinct value with the services that recorded it. */
function annotationsOf(trace: AnalyzedTrace): Record<string, unknown[]> {
  const byKey = new Map<string, Map<string, { value: AnnotationValue; services: Map<string, ServiceKey> }>>();
  for (const annotation of trace.annotations) {
    let values = byKey.get(annotation.key);
    if (values === undefined) {
      values = new Map();
      byKey.set(annotation.key, values);
    }
    const valueKey = `${typeof annotation.value}:${String(annotation.value)}`;
    let entry = values.get(valueKey);
    if (entry === undefined) {
      entry = { value: annotation.value, services: new Map() };
      values.set(valueKey, entry);
    }
    if (annotation.service !== undefined)
      entry.services.set(serviceId(annotation.service), annotation.service);
  }
  return Object.fromEntries(
    [...byKey].map(([key, values]) => [
      key,
      [...values.values()].map(({ value, services }) => ({
        AnnotationValue: annotationValueOf(value),
        ServiceIds: [...services.values()].map(serviceIdOf),
      })),
    ]),
  );
}

function annotationValueOf(value: AnnotationValue): AnnotationValueShape {
  if (typeof value === 'string') return { StringValue: value };
  if (typeof value === 'number') return { NumberValue: value };
  return { BooleanValue: value };
}
