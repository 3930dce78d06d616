/**
 * The X-Ray segment document, as the SDKs send it to the daemon and the services record it. Times are
 * epoch seconds with fractions. A subsegment sent on its own carries `type: "subsegment"`, `trace_id`
 * and `parent_id`; one embedded in its parent's `subsegments` carries neither.
 */
import { isSegmentId, isTraceId } from './trace-header';

export interface HttpRequestData {
  readonly method?: string;
  readonly url?: string;
  readonly user_agent?: string;
  readonly client_ip?: string;
  readonly x_forwarded_for?: boolean;
  readonly traced?: boolean;
}

export interface HttpResponseData {
  readonly status?: number;
  readonly content_length?: number;
}

export interface HttpData {
  readonly request?: HttpRequestData;
  readonly response?: HttpResponseData;
}

export interface SegmentException {
  readonly id?: string;
  readonly message?: string;
  readonly type?: string;
  readonly remote?: boolean;
}

/** An exception id, or the exceptions that caused the error or fault. */
export type SegmentCause =
  string | { readonly working_directory?: string; readonly exceptions?: readonly SegmentException[] };

export interface SegmentDocument {
  readonly id: string;
  /** Required on segments and on subsegments sent on their own. */
  readonly trace_id?: string;
  readonly name: string;
  readonly start_time: number;
  readonly end_time?: number;
  readonly in_progress?: boolean;
  readonly parent_id?: string;
  readonly type?: 'subsegment';
  /** The kind of AWS resource that recorded the segment, e.g. `AWS::Lambda::Function`. */
  readonly origin?: string;
  /** `aws` for AWS SDK calls, `remote` for other downstream calls. */
  readonly namespace?: string;
  /** Set on the segments X-Ray infers for a downstream service that records none (DynamoDB, SQS). */
  readonly inferred?: boolean;
  readonly resource_arn?: string;
  readonly http?: HttpData;
  readonly aws?: Readonly<Record<string, unknown>>;
  readonly error?: boolean;
  readonly fault?: boolean;
  readonly throttle?: boolean;
  readonly cause?: SegmentCause;
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly subsegments?: readonly SegmentDocument[];
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Whether `value` is a document the daemon can file: a segment, or a subsegment sent on its own,
 * with its ids, name and start time (end time or `in_progress`).
 */
export function isSegmentDocument(value: unknown): value is SegmentDocument {
  if (!isRecord(value)) return false;
  if (!isSegmentId(value.id) || !isTraceId(value.trace_id)) return false;
  if (typeof value.name !== 'string' || value.name === '') return false;
  if (typeof value.start_time !== 'number' || !Number.isFinite(value.start_time)) return false;
  if (value.end_time !== undefined && typeof value.end_time !== 'number') return false;
  if (value.end_time === undefined && value.in_progress !== true) return false;
  if (value.parent_id !== undefined && !isSegmentId(value.parent_id)) return false;
  if (value.type === 'subsegment' && value.parent_id === undefined) return false;
  return value.subsegments === undefined || Array.isArray(value.subsegments);
}

/** Epoch milliseconds as a document time (epoch seconds, microsecond precision). */
export function documentTime(epochMs: number): number {
  return Math.round(epochMs * 1000) / 1_000_000;
}
