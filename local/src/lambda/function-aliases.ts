/**
 * Lambda aliases: a name for a published version that may route a share of its invocations to one
 * other version (`RoutingConfig.AdditionalVersionWeights`), checked as the Lambda API checks them.
 * Which version serves an invocation is drawn at random per invocation, as on AWS; the draw comes from
 * a source the local cloud can seed, so a split can be replayed.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError } from '../aws-protocol';

export interface AliasRouting {
  /** `$LATEST` or a published version. */
  readonly functionVersion: string;
  /** At most one other published version, with the share (0–1) of invocations it serves. */
  readonly additionalVersionWeights: Readonly<Record<string, number>>;
}

export interface AliasConfiguration extends AliasRouting {
  readonly name: string;
  readonly description: string;
  /** Changes on every update: `UpdateAlias` with an older one fails (optimistic locking). */
  readonly revisionId: string;
}

const ALIAS_NAME_PATTERN = '(?!^[0-9]+$)([a-zA-Z0-9-_]+)';
const ALIAS_NAME = new RegExp(`^${ALIAS_NAME_PATTERN}$`);
const VERSION = /^(\$LATEST|[0-9]+)$/;

export function checkAliasName(name: string): void {
  if (name.length > 128 || !ALIAS_NAME.test(name)) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: ${ALIAS_NAME_PATTERN}`,
    );
  }
}

/**
 * Refuses routing Lambda refuses: an unknown version, `$LATEST` beside another version, more than one
 * additional version, the primary version again, a weight outside 0–1.
 */
export function checkRouting(
  routing: AliasRouting,
  versionExists: (version: string) => boolean,
  versionArn: (version: string) => string,
): void {
  const additional = Object.entries(routing.additionalVersionWeights);
  for (const version of [routing.functionVersion, ...additional.map(([v]) => v)]) {
    if (!VERSION.test(version)) {
      throw new AwsServiceError(
        'ValidationException',
        `1 validation error detected: Value '${version}' at 'functionVersion' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST|[0-9]+)`,
      );
    }
    if (!versionExists(version)) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Function not found: ${versionArn(version)}`,
        404,
      );
    }
  }
  if (additional.length > 1) {
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Member must have length less than or equal to 1",
    );
  }
  const [entry] = additional;
  if (entry === undefined) return;
  const [version, weight] = entry;
  if (!(weight >= 0 && weight <= 1)) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${weight}' at 'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value must satisfy constraint: [Member must have value less than or equal to 1.0, Member must have value greater than or equal to 0.0]`,
    );
  }
  if (routing.functionVersion === '$LATEST' || version === '$LATEST') {
    throw new AwsServiceError(
      'InvalidParameterValueException',
      '$LATEST is not supported for an alias pointing to more than 1 version',
    );
  }
  if (version === routing.functionVersion) {
    throw new AwsServiceError(
      'InvalidParameterValueException',
      `Invalid function version ${version}. Function version ${version} is already included in routing configuration.`,
    );
  }
}

/** The version one invocation runs, for a draw in [0, 1). */
export function chooseVersion(routing: AliasRouting, draw: number): string {
  let threshold = 0;
  for (const [version, weight] of Object.entries(routing.additionalVersionWeights)) {
    threshold += weight;
    if (draw < threshold) return version;
  }
  return routing.functionVersion;
}

export function newRevisionId(): string {
  return randomUUID();
}
