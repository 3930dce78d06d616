/**
 * Message attributes as SQS handles them: validated on send, counted towards the message size, digested
 * (`MD5OfMessageAttributes`) and filtered on receive by `MessageAttributeNames`.
 */
import { createHash, type Hash } from 'node:crypto';
import { invalidAttributeValueCharacters, invalidParameterValue } from './sqs-errors';

/** A message attribute as it travels on the wire; `BinaryValue` is base64. */
export interface SqsMessageAttributeValue {
  readonly DataType: string;
  readonly StringValue?: string;
  readonly BinaryValue?: string;
}

export type SqsMessageAttributes = Readonly<Record<string, SqsMessageAttributeValue>>;

export const MAX_MESSAGE_ATTRIBUTES = 10;

const ATTRIBUTE_NAME = /^[\p{L}\p{N}_.-]{1,256}$/u;
const ATTRIBUTE_DATA_TYPE = /^(String|Number|Binary)(\..+)?$/;
// The characters SQS accepts in a body or a text attribute (XML 1.0's Char production).
// eslint-disable-next-line no-control-regex -- tab, LF and CR are exactly what the class must name
export const INVALID_TEXT_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Validates message attributes as SQS does; returns them normalised (one value each, canonical base64). */
export function readMessageAttributes(value: unknown, field: string): SqsMessageAttributes {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) throw invalidParameterValue(`${field} must be a map of attribute name to value.`);
  const names = Object.keys(value);
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameterValue(
      `Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`,
    );
  }
  const result: Record<string, SqsMessageAttributeValue> = {};
  for (const name of names) {
    const attribute = value[name];
    const lower = name.toLowerCase();
    if (
      !ATTRIBUTE_NAME.test(name) ||
      name.startsWith('.') ||
      name.endsWith('.') ||
      name.includes('..') ||
      lower.startsWith('aws.') ||
      lower.startsWith('amazon.')
    ) {
      throw invalidParameterValue(`Message (user) attribute name '${name}' is invalid.`);
    }
    if (!isRecord(attribute))
      throw invalidParameterValue(`Message (user) attribute '${name}' must be a map.`);
    const dataType = attribute.DataType;
    const baseType = typeof dataType === 'string' ? ATTRIBUTE_DATA_TYPE.exec(dataType)?.[1] : undefined;
    if (typeof dataType !== 'string' || baseType === undefined || dataType.length > 256) {
      throw invalidParameterValue(`The type of message (user) attribute '${name}' is invalid.`);
    }
    const empty = () =>
      invalidParameterValue(
        `Message (user) attribute '${name}' must contain a non-empty value of type '${baseType}'.`,
      );
    if (baseType === 'Binary') {
      const binary = attribute.BinaryValue;
      if (typeof binary !== 'string' || binary === '') throw empty();
      result[name] = { DataType: dataType, BinaryValue: Buffer.from(binary, 'base64').toString('base64') };
    } else {
      const text = attribute.StringValue;
      if (typeof text !== 'string' || text === '') throw empty();
      // A text value has a body's alphabet; bytes travel as Binary.
      if (INVALID_TEXT_CHARACTER.test(text)) throw invalidAttributeValueCharacters();
      result[name] = { DataType: dataType, StringValue: text };
    }
  }
  return result;
}

/** What attributes count towards the message size limit: each name, data type and value, in bytes. */
export function attributesSize(attributes: Readonly<Record<string, unknown>>): number {
  let size = 0;
  for (const [name, attribute] of Object.entries(attributes)) {
    if (!isRecord(attribute)) continue;
    size += Buffer.byteLength(name, 'utf8');
    if (typeof attribute.DataType === 'string') size += Buffer.byteLength(attribute.DataType, 'utf8');
    if (typeof attribute.StringValue === 'string') size += Buffer.byteLength(attribute.StringValue, 'utf8');
    if (typeof attribute.BinaryValue === 'string')
      size += Buffer.from(attribute.BinaryValue, 'base64').length;
  }
  return size;
}

/**
 * `MD5OfMessageAttributes` as SQS computes it: for each attribute in name order, the length-prefixed
 * (4-byte big-endian) name and data type, a transport byte (1 string, 2 binary), then the length-prefixed
 * value.
 */
export function md5OfAttributes(attributes: SqsMessageAttributes): string {
  const hash = createHash('md5');
  for (const name of Object.keys(attributes).sort()) {
    const attribute = attributes[name];
    if (!attribute) continue;
    updateLengthPrefixed(hash, Buffer.from(name, 'utf8'));
    updateLengthPrefixed(hash, Buffer.from(attribute.DataType, 'utf8'));
    if (attribute.BinaryValue !== undefined) {
      hash.update(Buffer.from([2]));
      updateLengthPrefixed(hash, Buffer.from(attribute.BinaryValue, 'base64'));
    } else {
      hash.update(Buffer.from([1]));
      updateLengthPrefixed(hash, Buffer.from(attribute.StringValue ?? '', 'utf8'));
    }
  }
  return hash.digest('hex');
}

function updateLengthPrefixed(hash: Hash, bytes: Buffer): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  hash.update(length);
  hash.update(bytes);
}

/**
 * The attributes `MessageAttributeNames` asks for: every one for `All`, `*` or `.*`, those starting with
 * `Prefix` for `Prefix.*`, else exact names. A name no attribute could have (`AWS.`, `..foo`) selects
 * nothing rather than failing the receive, as on AWS.
 */
export function selectMessageAttributes(
  attributes: SqsMessageAttributes,
  requested: readonly string[],
): SqsMessageAttributes {
  if (requested.some((name) => name === 'All' || name === '*' || name === '.*')) return attributes;
  const prefixes = requested.filter((name) => name.endsWith('.*')).map((name) => name.slice(0, -2));
  const selected: Record<string, SqsMessageAttributeValue> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (requested.includes(name) || prefixes.some((prefix) => name.startsWith(prefix))) {
      selected[name] = value;
    }
  }
  return selected;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
