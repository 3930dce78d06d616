/**
 * Validates a `PutEvents` request the way EventBridge does: problems with the request as a whole reject
 * it (`ValidationException`), problems with one entry fail that entry alone and leave the others to go
 * through. Pure: the engine decides what happens to the entries that pass.
 */
import { AwsServiceError } from '../aws-protocol';

/**
 * The request-level size limit, summed over every entry with AWS's documented entry-size calculation.
 * AWS raised it from 256 KB to 1 MB (1,048,576 bytes, inclusive) in January 2026; a bus in a Region
 * still on the old limit can be emulated with `maxRequestBytes: 256 * 1024`.
 */
export const PUT_EVENTS_MAX_REQUEST_BYTES = 1024 * 1024;
export const PUT_EVENTS_MAX_ENTRIES = 10;

/** AWS's `PutEventsRequestEntry.EventBusName` pattern: a bus name or a bus ARN. */
const EVENT_BUS_NAME_PATTERN =
  /^(arn:aws[\w-]*:events:[a-z]+-[a-z]+-[\w-]+:[0-9]{12}:event-bus\/)?[/.\-_A-Za-z0-9]+$/;
const EVENT_BUS_NAME_MAX_LENGTH = 1600;

/** One entry as it arrives on the wire (JSON 1.1): untrusted until validated. */
export interface PutEventsRequestEntry {
  readonly Source?: unknown;
  readonly DetailType?: unknown;
  readonly Detail?: unknown;
  readonly EventBusName?: unknown;
  readonly Resources?: unknown;
  readonly Time?: unknown;
  readonly TraceHeader?: unknown;
}

export interface ValidatedEntry {
  readonly source: string;
  readonly detailType: string;
  readonly detail: Record<string, unknown>;
  /** As given (a name or an ARN); `default` when absent. */
  readonly eventBusName: string;
  readonly resources: readonly string[];
  readonly time?: Date;
  readonly traceHeader?: string;
}

export interface EntryError {
  readonly errorCode: string;
  readonly errorMessage: string;
}

export type EntryValidation =
  { readonly ok: true; readonly entry: ValidatedEntry } | ({ readonly ok: false } & EntryError);

export interface PutEventsValidationOptions {
  readonly maxRequestBytes?: number;
}

/**
 * Validates a whole request. Throws `AwsServiceError('ValidationException')` for request-level faults
 * (no entries, more than ten, a malformed bus name, the total size over the limit); otherwise returns
 * one result per entry, in order.
 */
export function validatePutEventsRequest(
  input: Record<string, unknown>,
  options: PutEventsValidationOptions = {},
): EntryValidation[] {
  const entries = input.Entries;
  if (entries === undefined || entries === null) {
    throw validationError("Value null at 'entries' failed to satisfy constraint: Member must not be null");
  }
  if (!Array.isArray(entries)) {
    throw new AwsServiceError('SerializationException', 'Entries must be a list.');
  }
  if (entries.length < 1) {
    throw validationError(
      "Value '[]' at 'entries' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (entries.length > PUT_EVENTS_MAX_ENTRIES) {
    throw validationError(
      `Value '[${entries.map(javaEntryText).join(', ')}]' at 'entries' failed to satisfy constraint: ` +
        `Member must have length less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`,
    );
  }
  const typed = entries.map((entry: unknown, index): PutEventsRequestEntry => {
    if (!isRecord(entry)) {
      throw new AwsServiceError('SerializationException', `Entry ${index + 1} must be a structure.`);
    }
    return entry;
  });
  typed.forEach((entry, index) => checkEventBusName(entry.EventBusName, index));

  // The limit is on the request: one oversized entry rejects the whole call, as on AWS.
  const total = typed.reduce((sum, entry) => sum + putEventsEntrySize(entry), 0);
  const limit = options.maxRequestBytes ?? PUT_EVENTS_MAX_REQUEST_BYTES;
  if (total > limit) {
    throw new AwsServiceError(
      'ValidationException',
      'Total size of the entries in the request is over the limit.',
    );
  }
  return typed.map(validateEntry);
}

/**
 * AWS's documented entry size: Time counts 14 bytes when set; Source, DetailType, Detail and each
 * Resources item count their UTF-8 bytes. Missing or non-string fields count nothing.
 */
export function putEventsEntrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time !== undefined && entry.Time !== null ? 14 : 0;
  size += utf8Length(entry.Source) + utf8Length(entry.DetailType) + utf8Length(entry.Detail);
  if (Array.isArray(entry.Resources)) {
    for (const resource of entry.Resources as unknown[]) {
      size += utf8Length(resource);
    }
  }
  return size;
}

/** Validates one entry; the checks run in AWS's order, so the first failing one names the error. */
export function validateEntry(entry: PutEventsRequestEntry): EntryValidation {
  if (!isNonEmptyString(entry.Source)) {
    return invalidArgument('Source');
  }
  if (!isNonEmptyString(entry.DetailType)) {
    return invalidArgument('DetailType');
  }
  if (!isNonEmptyString(entry.Detail)) {
    return invalidArgument('Detail');
  }
  const detail = parseDetail(entry.Detail);
  if (detail === undefined) {
    return { ok: false, errorCode: 'MalformedDetail', errorMessage: 'Detail is malformed.' };
  }
  const resources = entry.Resources ?? [];
  if (
    !Array.isArray(resources) ||
    !resources.every((resource): resource is string => typeof resource === 'string')
  ) {
    return {
      ok: false,
      errorCode: 'InvalidArgument',
      errorMessage: 'Parameter Resources is not valid. Reason: Resources must be a list of strings.',
    };
  }
  const time = parseTime(entry.Time);
  if (time === null) {
    return {
      ok: false,
      errorCode: 'InvalidArgument',
      errorMessage: 'Parameter Time is not valid. Reason: Time must be a timestamp.',
    };
  }
  return {
    ok: true,
    entry: {
      source: entry.Source,
      detailType: entry.DetailType,
      detail,
      eventBusName: typeof entry.EventBusName === 'string' ? entry.EventBusName : 'default',
      resources,
      time,
      traceHeader: isNonEmptyString(entry.TraceHeader) ? entry.TraceHeader : undefined,
    },
  };
}

/**
 * An entry as AWS quotes it in a constraint message: its Java model's `toString`, members in the
 * model's order, `null` for an absent one, lists as `[a, b]`. A set `Time` is written as an ISO instant:
 * no recording shows AWS's own form of it.
 */
export function javaEntryText(entry: unknown): string {
  const fields = isRecord(entry) ? entry : {};
  const text = (value: unknown): string => {
    if (value === undefined || value === null) return 'null';
    if (Array.isArray(value)) return `[${value.map(text).join(', ')}]`;
    return String(value);
  };
  const time = parseTime(fields.Time);
  const members: [string, unknown][] = [
    ['time', time ? time.toISOString().replace(/\.000Z$/, 'Z') : fields.Time],
    ['source', fields.Source],
    ['resources', fields.Resources],
    ['detailType', fields.DetailType],
    ['detail', fields.Detail],
    ['eventBusName', fields.EventBusName],
    ['traceHeader', fields.TraceHeader],
    ['kmsKeyIdentifier', undefined],
    ['internalMetadata', undefined],
  ];
  return `PutEventsRequestEntry(${members.map(([name, value]) => `${name}=${text(value)}`).join(', ')})`;
}

function checkEventBusName(value: unknown, index: number): void {
  if (value === undefined || value === null) {
    return;
  }
  const at = `'entries.${index + 1}.member.eventBusName'`;
  if (typeof value !== 'string' || value.length < 1 || value.length > EVENT_BUS_NAME_MAX_LENGTH) {
    throw validationError(
      `Value '${String(value)}' at ${at} failed to satisfy constraint: ` +
        `Member must have length between 1 and ${EVENT_BUS_NAME_MAX_LENGTH}`,
    );
  }
  if (!EVENT_BUS_NAME_PATTERN.test(value)) {
    throw validationError(
      `Value '${value}' at ${at} failed to satisfy constraint: ` +
        `Member must satisfy regular expression pattern: ${EVENT_BUS_NAME_PATTERN.source.slice(1, -1)}`,
    );
  }
}

/** The detail must be a JSON object; arrays, scalars and `null` are malformed. */
function parseDetail(text: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `Time` arrives as epoch seconds from the SDKs and the CLI (JSON 1.1 timestamps); an ISO string is
 * accepted too. Returns `undefined` when absent and `null` when unreadable.
 */
function parseTime(value: unknown): Date | undefined | null {
  if (value === undefined || value === null) {
    return undefined;
  }
  const date =
    typeof value === 'number'
      ? new Date(value * 1000)
      : typeof value === 'string'
        ? new Date(/^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : value)
        : value instanceof Date
          ? value
          : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : null;
}

function invalidArgument(parameter: string): EntryValidation {
  return {
    ok: false,
    errorCode: 'InvalidArgument',
    errorMessage: `Parameter ${parameter} is not valid. Reason: ${parameter} is a required argument.`,
  };
}

function validationError(detail: string): AwsServiceError {
  return new AwsServiceError('ValidationException', `1 validation error detected: ${detail}`);
}

function utf8Length(value: unknown): number {
  return typeof value === 'string' ? Buffer.byteLength(value, 'utf8') : 0;
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
