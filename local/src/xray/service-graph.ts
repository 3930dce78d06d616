/**
 * The service graph of `GetServiceGraph` and `GetTraceGraph`: a node per service (recorded or inferred),
 * an edge per pair of services one called the other, each with the counts X-Ray keeps — OK, errors
 * (throttles apart), faults, total and the summed response time. A node counts its own segments; an edge
 * counts the calls, as the caller's subsegment (or the callee's segment) recorded them. Only documents that
 * have ended are counted. Shapes and field names are the API's; times are epoch seconds.
 */
import type { SegmentDocument } from './segment-document';
import {
  elapsedSeconds,
  roundSeconds,
  serviceId,
  type AnalyzedTrace,
  type ServiceKey,
} from './trace-analysis';

export interface ErrorStatistics {
  readonly ThrottleCount: number;
  readonly OtherCount: number;
  readonly TotalCount: number;
}

export interface FaultStatistics {
  readonly OtherCount: number;
  readonly TotalCount: number;
}

export interface SummaryStatistics {
  readonly OkCount: number;
  readonly ErrorStatistics: ErrorStatistics;
  readonly FaultStatistics: FaultStatistics;
  readonly TotalCount: number;
  readonly TotalResponseTime: number;
}

export interface GraphEdge {
  /** The `ReferenceId` of the service called. */
  readonly ReferenceId: number;
  readonly StartTime: number;
  readonly EndTime: number;
  readonly SummaryStatistics: SummaryStatistics;
  readonly Aliases: readonly never[];
}

export interface GraphService {
  readonly ReferenceId: number;
  readonly Name: string;
  readonly Names: readonly string[];
  /** The service started a trace: some segment of it was called by no other service. */
  readonly Root: boolean;
  readonly Type?: string;
  readonly State: 'active';
  readonly StartTime: number;
  readonly EndTime: number;
  readonly Edges: readonly GraphEdge[];
  readonly SummaryStatistics: SummaryStatistics;
}

/** Epoch seconds; a document counts when its time overlaps the window. */
export interface TimeWindow {
  readonly start: number;
  readonly end: number;
}

export function buildServiceGraph(traces: readonly AnalyzedTrace[], window?: TimeWindow): GraphService[] {
  const nodes = new Map<string, NodeTally>();
  const nodeOf = (service: ServiceKey): NodeTally => {
    const key = serviceId(service);
    let node = nodes.get(key);
    if (node === undefined) {
      node = { service, root: false, times: new TimeSpan(), statistics: new Tally(), edges: new Map() };
      nodes.set(key, node);
    }
    return node;
  };
  const inWindow = (document: SegmentDocument): boolean =>
    window === undefined ||
    (document.start_time <= window.end && (document.end_time ?? document.start_time) >= window.start);

  for (const trace of traces) {
    for (const segment of trace.segments) {
      if (!inWindow(segment.document)) continue;
      const node = nodeOf(segment.service);
      node.root ||= segment.caller === undefined;
      node.times.add(segment.document);
      node.statistics.add(segment.document);
    }
    for (const call of trace.calls) {
      if (!inWindow(call.document)) continue;
      const caller = nodeOf(call.caller);
      const callee = nodeOf(call.callee);
      // A service known only from a call (its own segments outside the window) takes the call's times.
      if (caller.times.isEmpty()) caller.times.add(call.document);
      if (callee.times.isEmpty()) callee.times.add(call.document);
      const calleeKey = serviceId(call.callee);
      let edge = caller.edges.get(calleeKey);
      if (edge === undefined) {
        edge = { callee, times: new TimeSpan(), statistics: new Tally() };
        caller.edges.set(calleeKey, edge);
      }
      edge.times.add(call.document);
      edge.statistics.add(call.document);
    }
  }

  const ordered = [...nodes.values()].sort((a, b) => a.times.start - b.times.start);
  const referenceIds = new Map(ordered.map((node, index) => [node, index] as const));
  return ordered.map((node, index) => ({
    ReferenceId: index,
    Name: node.service.name,
    Names: [node.service.name],
    Root: node.root,
    ...(node.service.type === undefined ? {} : { Type: node.service.type }),
    State: 'active',
    StartTime: node.times.start,
    EndTime: node.times.end,
    Edges: [...node.edges.values()]
      .map((edge) => ({
        ReferenceId: referenceIds.get(edge.callee) ?? -1,
        StartTime: edge.times.start,
        EndTime: edge.times.end,
        SummaryStatistics: edge.statistics.summary(),
        Aliases: [],
      }))
      .sort((a, b) => a.ReferenceId - b.ReferenceId),
    SummaryStatistics: node.statistics.summary(),
  }));
}

interface NodeTally {
  readonly service: ServiceKey;
  root: boolean;
  readonly times: TimeSpan;
  readonly statistics: Tally;
  readonly edges: Map<string, EdgeTally>;
}

interface EdgeTally {
  readonly callee: NodeTally;
  readonly times: TimeSpan;
  readonly statistics: Tally;
}

class TimeSpan {
  start = Number.POSITIVE_INFINITY;
  end = Number.NEGATIVE_INFINITY;

  add(document: SegmentDocument): void {
    this.start = Math.min(this.start, document.start_time);
    this.end = Math.max(this.end, document.end_time ?? document.start_time);
  }

  isEmpty(): boolean {
    return this.start === Number.POSITIVE_INFINITY;
  }
}

/** X-Ray's counts: a fault is not also an error, a throttle is an error of its own kind. */
class Tally {
  private ok = 0;
  private throttles = 0;
  private otherErrors = 0;
  private faults = 0;
  private responseTime = 0;

  add(document: SegmentDocument): void {
    const elapsed = elapsedSeconds(document);
    if (elapsed === undefined) return;
    this.responseTime += elapsed;
    if (document.fault === true) this.faults++;
    else if (document.throttle === true) this.throttles++;
    else if (document.error === true) this.otherErrors++;
    else this.ok++;
  }

  summary(): SummaryStatistics {
    const errors = this.throttles + this.otherErrors;
    return {
      OkCount: this.ok,
      ErrorStatistics: { ThrottleCount: this.throttles, OtherCount: this.otherErrors, TotalCount: errors },
      FaultStatistics: { OtherCount: this.faults, TotalCount: this.faults },
      TotalCount: this.ok + errors + this.faults,
      TotalResponseTime: roundSeconds(this.responseTime),
    };
  }
}
