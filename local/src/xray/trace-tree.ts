/**
 * One trace as a tree: every segment and subsegment under the (sub)segment its `parent_id` names, so a
 * request reads top-down across services (API Gateway → Lambda → the handler's calls → EventBridge → …).
 * Subsegments embedded in their parent's `subsegments` and those sent on their own end up alike.
 */
import type { SegmentDocument } from './segment-document';

export interface TraceNode extends Omit<SegmentDocument, 'subsegments'> {
  /** Subsegments and downstream segments, earliest first. */
  readonly children: TraceNode[];
}

/**
 * Every document of the trace, embedded subsegments lifted out (with the trace id and parent id they
 * imply). Of two documents with one id, a complete one wins over an in-progress one, else the later.
 */
export function flattenDocuments(documents: readonly SegmentDocument[]): SegmentDocument[] {
  const byId = new Map<string, SegmentDocument>();
  const visit = (document: SegmentDocument, inherited?: { traceId?: string; parentId: string }): void => {
    const { subsegments, ...own } = document;
    const flat: SegmentDocument = inherited
      ? {
          ...own,
          type: 'subsegment',
          parent_id: own.parent_id ?? inherited.parentId,
          ...(own.trace_id === undefined && inherited.traceId !== undefined
            ? { trace_id: inherited.traceId }
            : {}),
        }
      : own;
    const existing = byId.get(flat.id);
    if (existing === undefined || existing.in_progress === true || flat.in_progress !== true) {
      byId.set(flat.id, flat);
    }
    for (const child of subsegments ?? []) {
      visit(child, { traceId: flat.trace_id, parentId: flat.id });
    }
  };
  for (const document of documents) visit(document);
  return [...byId.values()];
}

/** The trace's roots: documents whose parent is not in the trace (orphans included), earliest first. */
export function buildTraceTree(documents: readonly SegmentDocument[]): TraceNode[] {
  type MutableNode = TraceNode & { children: MutableNode[] };
  const nodes = new Map<string, MutableNode>();
  for (const document of flattenDocuments(documents)) nodes.set(document.id, { ...document, children: [] });

  const parentOf = new Map<MutableNode, MutableNode>();
  const roots: MutableNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parent_id === undefined ? undefined : nodes.get(node.parent_id);
    if (parent === undefined || parent === node) {
      roots.push(node);
    } else {
      parent.children.push(node);
      parentOf.set(node, parent);
    }
  }

  // Parent ids that loop never reach a root: each loop is cut at one of its nodes, kept at the top.
  const reached = new Set<MutableNode>();
  const reach = (node: MutableNode): void => {
    const stack = [node];
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (reached.has(next)) continue;
      reached.add(next);
      stack.push(...next.children);
    }
  };
  roots.forEach(reach);
  for (const node of nodes.values()) {
    if (reached.has(node)) continue;
    const parent = parentOf.get(node);
    if (parent) parent.children.splice(parent.children.indexOf(node), 1);
    roots.push(node);
    reach(node);
  }

  const byStart = (a: TraceNode, b: TraceNode): number => a.start_time - b.start_time;
  for (const node of nodes.values()) node.children.sort(byStart);
  return roots.sort(byStart);
}
