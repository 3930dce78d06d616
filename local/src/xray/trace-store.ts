/**
 * The documents the local X-Ray daemon received and the local services recorded, the most recent
 * `capacity` of them. A document with the id of one already stored (an in-progress segment completed,
 * or sent again) replaces it.
 */
import type { SegmentDocument } from './segment-document';

export const DEFAULT_TRACE_STORE_CAPACITY = 10_000;

export interface TraceStoreStats {
  /** Documents stored (replacements included). */
  readonly received: number;
  /** Datagrams or lines the daemon could not read. */
  readonly malformed: number;
  /** Documents dropped to stay within the capacity. */
  readonly evicted: number;
  /** Documents held now. */
  readonly stored: number;
}

export class TraceStore {
  /** Keyed by trace and document id, least recently stored first. */
  private readonly documents = new Map<string, SegmentDocument>();
  private received = 0;
  private malformed = 0;
  private evicted = 0;

  constructor(readonly capacity: number = DEFAULT_TRACE_STORE_CAPACITY) {}

  put(document: SegmentDocument): void {
    const key = `${document.trace_id ?? ''}/${document.id}`;
    // Re-inserted, so that an updated document counts as recent.
    this.documents.delete(key);
    this.documents.set(key, document);
    this.received++;
    while (this.documents.size > this.capacity) {
      const oldest = this.documents.keys().next();
      if (oldest.done === true) break;
      this.documents.delete(oldest.value);
      this.evicted++;
    }
  }

  countMalformed(count = 1): void {
    this.malformed += count;
  }

  /** Every stored document of one trace, in the order stored. */
  trace(traceId: string): SegmentDocument[] {
    return [...this.documents.values()].filter((document) => document.trace_id === traceId);
  }

  /** Every stored document, least recently stored first. */
  all(): SegmentDocument[] {
    return [...this.documents.values()];
  }

  stats(): TraceStoreStats {
    return {
      received: this.received,
      malformed: this.malformed,
      evicted: this.evicted,
      stored: this.documents.size,
    };
  }

  clear(): void {
    this.documents.clear();
  }
}
