/** Small readers of the ARNs and names the template hands the local cloud. */

export interface ParsedArn {
  readonly service: string;
  readonly region: string;
  readonly account: string;
  readonly resource: string;
}

export function parseArn(arn: string): ParsedArn | undefined {
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return {
    service: parts[2] ?? '',
    region: parts[3] ?? '',
    account: parts[4] ?? '',
    resource: parts.slice(5).join(':'),
  };
}

/** A function name from a name, a partial ARN or a full ARN (the qualifier dropped). */
export function functionNameOf(nameOrArn: string): string {
  const parsed = parseArn(nameOrArn);
  if (parsed?.service === 'lambda') return parsed.resource.split(':')[1] ?? nameOrArn;
  const parts = nameOrArn.split(':');
  // `123456789012:function:name[:qualifier]` or `name[:qualifier]`
  if (parts.length >= 3 && parts[1] === 'function') return parts[2] ?? nameOrArn;
  return parts[0] ?? nameOrArn;
}

/**
 * The function and the version or alias a name or ARN names, as `name[:qualifier]`: what an invocation
 * through a trigger (rule target, event source mapping, schedule, subscription) runs.
 */
export function functionReferenceOf(nameOrArn: string): string {
  const parsed = parseArn(nameOrArn);
  if (parsed?.service === 'lambda') return parsed.resource.split(':').slice(1).join(':') || nameOrArn;
  const parts = nameOrArn.split(':');
  if (parts.length >= 3 && parts[1] === 'function') return parts.slice(2).join(':');
  return nameOrArn;
}

/** A bus name from a name or an ARN (`arn:aws:events:…:event-bus/<name>`). */
export function busNameOf(nameOrArn: string | undefined): string {
  if (!nameOrArn) return 'default';
  const parsed = parseArn(nameOrArn);
  if (parsed?.service === 'events') return parsed.resource.replace(/^event-bus\//, '');
  return nameOrArn;
}

/** A rule name from the rule's `Ref`, which is `<bus>|<rule>` for rules on a custom bus. */
export function ruleNameOf(physicalId: string): string {
  const bar = physicalId.lastIndexOf('|');
  return bar >= 0 ? physicalId.slice(bar + 1) : physicalId;
}
