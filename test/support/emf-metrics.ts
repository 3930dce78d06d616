/**
 * The sum of one CloudWatch metric over function log lines in Powertools' EMF (`{"_aws": …, "<metric>":
 * n}`), counting only the lines that hold `having` (e.g. a dimension's `"name":"value"`) when given.
 * One invocation that counts a metric twice publishes its values as an array; both are summed.
 */
export function emfMetricSum(lines: readonly string[], metric: string, having = ''): number {
  let sum = 0;
  for (const line of lines) {
    const start = line.indexOf('{');
    if (start < 0 || !line.includes(`"${metric}"`) || !line.includes(having)) continue;
    try {
      const value: unknown = (JSON.parse(line.slice(start)) as Record<string, unknown>)[metric];
      for (const one of Array.isArray(value) ? value : [value]) if (typeof one === 'number') sum += one;
    } catch {
      // Not an EMF line.
    }
  }
  return sum;
}
