/**
 * X-Ray identifiers and the `X-Amzn-Trace-Id` header (`Root=1-5759e988-bd862e3fe1be46a994272793;
 * Parent=53995c3f42cd8ad8;Sampled=1`), as the services, the SDKs and `_X_AMZN_TRACE_ID` spell them.
 */
import { randomBytes } from 'node:crypto';

export interface TraceHeader {
  /** The trace id, `1-<8 hex epoch seconds>-<24 hex>`. */
  readonly root?: string;
  /** The id of the (sub)segment that made the call. */
  readonly parent?: string;
  /** The caller's sampling decision; undefined when it made none (absent or `Sampled=?`). */
  readonly sampled?: boolean;
  /** Other fields (`Lineage`, `Self`, custom data), passed on as received. */
  readonly data?: Readonly<Record<string, string>>;
}

const TRACE_ID = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

export function isTraceId(value: unknown): value is string {
  return typeof value === 'string' && TRACE_ID.test(value);
}

export function isSegmentId(value: unknown): value is string {
  return typeof value === 'string' && SEGMENT_ID.test(value);
}

/** A new trace id: version 1, the epoch second it starts, 96 random bits. */
export function newTraceId(nowMs: number = Date.now()): string {
  const seconds = Math.floor(nowMs / 1000)
    .toString(16)
    .padStart(8, '0');
  return `1-${seconds}-${randomBytes(12).toString('hex')}`;
}

/** A new segment or subsegment id: 64 random bits. */
export function newSegmentId(): string {
  return randomBytes(8).toString('hex');
}

/** The epoch second a trace started, read from its id. */
export function traceStartSeconds(traceId: string): number | undefined {
  return isTraceId(traceId) ? parseInt(traceId.slice(2, 10), 16) : undefined;
}

/**
 * Reads a header leniently, as the services do: fields in any order and case, spaces around them
 * ignored. An invalid `Root` or `Parent` is dropped (a new trace is then started), never trusted.
 */
export function parseTraceHeader(value: string | undefined): TraceHeader {
  if (value === undefined) return {};
  let root: string | undefined;
  let parent: string | undefined;
  let sampled: boolean | undefined;
  const data: Record<string, string> = {};
  for (const field of value.split(';')) {
    const at = field.indexOf('=');
    if (at <= 0) continue;
    const key = field.slice(0, at).trim();
    const text = field.slice(at + 1).trim();
    switch (key.toLowerCase()) {
      case 'root':
        if (isTraceId(text.toLowerCase())) root = text.toLowerCase();
        break;
      case 'parent':
        if (isSegmentId(text.toLowerCase())) parent = text.toLowerCase();
        break;
      case 'sampled':
        sampled = text === '1' ? true : text === '0' ? false : undefined;
        break;
      default:
        if (key !== '' && text !== '') data[key] = text;
    }
  }
  return {
    ...(root === undefined ? {} : { root }),
    ...(parent === undefined ? {} : { parent }),
    ...(sampled === undefined ? {} : { sampled }),
    ...(Object.keys(data).length === 0 ? {} : { data }),
  };
}

/** `Root=…;Parent=…;Sampled=…` followed by the other fields, leaving out what is unknown. */
export function formatTraceHeader(header: TraceHeader): string {
  const fields: string[] = [];
  if (header.root !== undefined) fields.push(`Root=${header.root}`);
  if (header.parent !== undefined) fields.push(`Parent=${header.parent}`);
  if (header.sampled !== undefined) fields.push(`Sampled=${header.sampled ? '1' : '0'}`);
  for (const [key, value] of Object.entries(header.data ?? {})) fields.push(`${key}=${value}`);
  return fields.join(';');
}
