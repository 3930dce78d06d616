/**
 * Reads CloudWatch's embedded metric format (EMF): a log line that is a JSON object with an `_aws` envelope
 * (`Timestamp`, `CloudWatchMetrics: [{ Namespace, Dimensions: [[…]], Metrics: [{ Name, Unit,
 * StorageResolution }] }]`) and the values as top-level members, as Powertools' metrics write them. Every
 * directive and every dimension set becomes datapoints; a value may be a number or an array of numbers.
 * A line that is not EMF yields nothing: CloudWatch Logs keeps it as a plain log line.
 */
import type { Dimension, MetricDatumInput } from './metric-store';

type Json = Readonly<Record<string, unknown>>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The datapoints an EMF line carries; empty for any other line or a malformed envelope. */
export function parseEmfLine(line: string, receivedAtMs: number = Date.now()): MetricDatumInput[] {
  if (!line.includes('"_aws"')) return [];
  // The document may follow a log prefix (`<time>\t<request id>\tINFO\t`); Powertools writes `_aws` first.
  const envelopeFirst = line.indexOf('{"_aws"');
  const start = envelopeFirst >= 0 ? envelopeFirst : line.indexOf('{');
  if (start < 0) return [];
  const text = line.slice(start);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return [];
  }
  if (!isRecord(document) || !isRecord(document._aws)) return [];
  const envelope = document._aws;
  const directives = envelope.CloudWatchMetrics;
  if (!Array.isArray(directives)) return [];
  const timestampMs = typeof envelope.Timestamp === 'number' ? envelope.Timestamp : receivedAtMs;
  const data: MetricDatumInput[] = [];
  for (const directive of directives) {
    if (!isRecord(directive) || typeof directive.Namespace !== 'string') continue;
    const metrics = Array.isArray(directive.Metrics) ? directive.Metrics.filter(isRecord) : [];
    const dimensionSets = Array.isArray(directive.Dimensions) ? directive.Dimensions : [[]];
    for (const set of dimensionSets.length === 0 ? [[]] : dimensionSets) {
      const dimensions = dimensionsOf(set, document);
      if (dimensions === undefined) continue;
      for (const metric of metrics) {
        if (typeof metric.Name !== 'string') continue;
        const values = valuesOf(document[metric.Name]);
        if (values.length === 0) continue;
        data.push({
          namespace: directive.Namespace,
          metricName: metric.Name,
          dimensions,
          timestampMs,
          values,
          unit: typeof metric.Unit === 'string' ? metric.Unit : 'None',
          storageResolution: metric.StorageResolution === 1 ? 1 : 60,
        });
      }
    }
  }
  return data;
}

/** A dimension set's names resolved to the document's values; undefined if one is missing or not a string. */
function dimensionsOf(set: unknown, document: Json): Dimension[] | undefined {
  if (!Array.isArray(set)) return undefined;
  const dimensions: Dimension[] = [];
  for (const name of set) {
    if (typeof name !== 'string') return undefined;
    const value = document[name];
    if (typeof value !== 'string') return undefined;
    dimensions.push({ Name: name, Value: value });
  }
  return dimensions;
}

function valuesOf(value: unknown): number[] {
  if (typeof value === 'number' && Number.isFinite(value)) return [value];
  if (Array.isArray(value)) {
    return value.filter((item): item is number => typeof item === 'number' && Number.isFinite(item));
  }
  return [];
}
