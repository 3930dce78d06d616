/**
 * Trace summaries, as X-Ray's `GetTraceSummaries` gives them in short: when, how long, the request that
 * started it, the services it crossed and whether anything failed.
 */
import type { SegmentDocument } from './segment-document';
import { buildTraceTree, flattenDocuments, type TraceNode } from './trace-tree';

export interface TraceService {
  readonly name: string;
  readonly origin?: string;
}

export interface TraceSummary {
  readonly id: string;
  /** Epoch seconds of the earliest document. */
  readonly startTime: number;
  /** Seconds from the earliest start to the latest end. */
  readonly duration: number;
  /** Some segment has not ended (yet). */
  readonly inProgress: boolean;
  /** `METHOD url` of the API Gateway segment, else the first segment's name. */
  readonly rootRequest: string;
  /** The segments' services (not the subsegments' calls), callers before the services they called. */
  readonly services: readonly TraceService[];
  readonly hasError: boolean;
  readonly hasFault: boolean;
  readonly hasThrottle: boolean;
  readonly documents: number;
}

export const API_GATEWAY_ORIGIN = 'AWS::ApiGateway::Stage';

export function summarizeTrace(traceId: string, documents: readonly SegmentDocument[]): TraceSummary {
  const flat = flattenDocuments(documents).sort((a, b) => a.start_time - b.start_time);
  const segments = flat.filter((document) => document.type !== 'subsegment');
  const startTime = flat[0]?.start_time ?? 0;
  const endTime = Math.max(startTime, ...flat.map((document) => document.end_time ?? startTime));

  const gateway = segments.find((segment) => segment.origin === API_GATEWAY_ORIGIN && segment.http?.request);
  const request = gateway?.http?.request;
  const rootRequest =
    request !== undefined
      ? `${request.method ?? ''} ${request.url ?? ''}`.trim()
      : ((segments[0] ?? flat[0])?.name ?? '');

  const services: TraceService[] = [];
  for (const segment of callOrder(buildTraceTree(documents))) {
    if (services.some((service) => service.name === segment.name && service.origin === segment.origin))
      continue;
    services.push(
      segment.origin === undefined ? { name: segment.name } : { name: segment.name, origin: segment.origin },
    );
  }

  return {
    id: traceId,
    startTime,
    duration: Math.round((endTime - startTime) * 1_000_000) / 1_000_000,
    inProgress: flat.some((document) => document.in_progress === true),
    rootRequest,
    services,
    hasError: flat.some((document) => document.error === true),
    hasFault: flat.some((document) => document.fault === true),
    hasThrottle: flat.some((document) => document.throttle === true),
    documents: flat.length,
  };
}

/** One summary per trace, newest first, at most `limit`. */
export function summarizeTraces(documents: readonly SegmentDocument[], limit?: number): TraceSummary[] {
  const byTrace = new Map<string, SegmentDocument[]>();
  for (const document of documents) {
    if (document.trace_id === undefined) continue;
    const group = byTrace.get(document.trace_id);
    if (group) group.push(document);
    else byTrace.set(document.trace_id, [document]);
  }
  const summaries = [...byTrace].map(([traceId, group]) => summarizeTrace(traceId, group));
  summaries.sort((a, b) => b.startTime - a.startTime);
  return limit === undefined ? summaries : summaries.slice(0, Math.max(0, limit));
}

/** The segments of the tree, each before those under it. */
function callOrder(roots: readonly TraceNode[]): TraceNode[] {
  const ordered: TraceNode[] = [];
  const visit = (node: TraceNode): void => {
    if (node.type !== 'subsegment') ordered.push(node);
    node.children.forEach(visit);
  };
  roots.forEach(visit);
  return ordered;
}
