/**
 * Validates `PutTargets` as EventBridge does: first the API's constraints on the request's members, all
 * reported at once (`2 validation errors detected: …; …`), then each target's own options. Pure.
 */
import { AwsServiceError } from '../aws-protocol';
import {
  InvalidInputTransformerError,
  parseJsonPath,
  validateInputTransformer,
  type TargetInputConfig,
} from './input-transformer';

/** What is checked of a target (the engine's `Target` has this shape, and more). */
export interface CheckedTarget extends TargetInputConfig {
  readonly id: string;
  readonly arn: string;
  readonly retryPolicy?: {
    readonly maximumRetryAttempts?: number;
    readonly maximumEventAgeInSeconds?: number;
  };
}

/** AWS's constraints on a target id and a rule name, as its messages quote them. */
const NAME_PATTERN_TEXT = '[\\.\\-_A-Za-z0-9]+';
const NAME_PATTERN = /^[.\-_A-Za-z0-9]+$/;
const NAME_MAX_LENGTH = 64;
const ARN_MAX_LENGTH = 1600;

/**
 * Throws `ValidationException` listing every constraint the raw request breaks: `Rule` and `Targets`
 * present, the rule name's and each target id's pattern and length, each target's `Arn`.
 */
export function checkPutTargetsConstraints(input: Record<string, unknown>): void {
  throwViolations([...nameViolations(input.Rule, 'rule'), ...targetsViolations(input.Targets)]);
}

/**
 * Checks one target — its id and ARN too, for targets that come from a template rather than the API —
 * then its input options and retry policy; the messages are AWS's where they are known.
 */
export function checkTarget(target: CheckedTarget): void {
  throwViolations([...nameViolations(target.id, 'id'), ...arnViolations(target.arn, 'arn')]);
  const shapers = [target.input, target.inputPath, target.inputTransformer].filter(
    (value) => value !== undefined,
  );
  if (shapers.length > 1) {
    throw new AwsServiceError(
      'ValidationException',
      `Only one of Input, InputPath, or InputTransformer must be provided for target ${target.id}.`,
    );
  }
  if (target.input !== undefined) {
    try {
      JSON.parse(target.input);
    } catch {
      throw new AwsServiceError('ValidationException', `Input for target ${target.id} is not valid JSON.`);
    }
  }
  if (target.inputPath !== undefined) {
    try {
      parseJsonPath(target.inputPath);
    } catch (error) {
      throw new AwsServiceError('ValidationException', `Target ${target.id}: ${(error as Error).message}`);
    }
  }
  if (target.inputTransformer !== undefined) {
    try {
      validateInputTransformer(target.inputTransformer, target.id);
    } catch (error) {
      if (error instanceof InvalidInputTransformerError) {
        throw new AwsServiceError('ValidationException', error.message);
      }
      throw error;
    }
  }
  const retries = target.retryPolicy?.maximumRetryAttempts;
  if (retries !== undefined && !(Number.isInteger(retries) && retries >= 0 && retries <= 185)) {
    throw new AwsServiceError('ValidationException', 'MaximumRetryAttempts must be between 0 and 185.');
  }
  const age = target.retryPolicy?.maximumEventAgeInSeconds;
  if (age !== undefined && !(Number.isInteger(age) && age >= 60 && age <= 86_400)) {
    throw new AwsServiceError(
      'ValidationException',
      'MaximumEventAgeInSeconds must be between 60 and 86400.',
    );
  }
}

function targetsViolations(targets: unknown): string[] {
  if (targets === undefined || targets === null) {
    return [notNull('targets')];
  }
  if (!Array.isArray(targets)) {
    throw new AwsServiceError('SerializationException', 'Targets must be a list.');
  }
  if (targets.length === 0) {
    return [
      "Value '[]' at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1",
    ];
  }
  return targets.flatMap((target: unknown, index) => {
    if (typeof target !== 'object' || target === null || Array.isArray(target)) {
      throw new AwsServiceError('SerializationException', `Target ${index + 1} must be a structure.`);
    }
    const member = `targets.${index + 1}.member`;
    const { Id: id, Arn: arn } = target as Record<string, unknown>;
    return [...nameViolations(id, `${member}.id`), ...arnViolations(arn, `${member}.arn`)];
  });
}

/** A rule name or a target id: present, of AWS's characters, 1 to 64 long (pattern first, as AWS lists them). */
function nameViolations(value: unknown, at: string): string[] {
  if (value === undefined || value === null) {
    return [notNull(at)];
  }
  const text = String(value);
  const violations: string[] = [];
  if (text.length > 0 && !NAME_PATTERN.test(text)) {
    violations.push(
      `${quoted(text, at)} failed to satisfy constraint: Member must satisfy regular expression pattern: ${NAME_PATTERN_TEXT}`,
    );
  }
  if (text.length < 1) {
    violations.push(
      `${quoted(text, at)} failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
  }
  if (text.length > NAME_MAX_LENGTH) {
    violations.push(
      `${quoted(text, at)} failed to satisfy constraint: Member must have length less than or equal to ${NAME_MAX_LENGTH}`,
    );
  }
  return violations;
}

function arnViolations(value: unknown, at: string): string[] {
  if (value === undefined || value === null) {
    return [notNull(at)];
  }
  const text = String(value);
  if (text.length < 1) {
    return [
      `${quoted(text, at)} failed to satisfy constraint: Member must have length greater than or equal to 1`,
    ];
  }
  if (text.length > ARN_MAX_LENGTH) {
    return [
      `${quoted(text, at)} failed to satisfy constraint: Member must have length less than or equal to ${ARN_MAX_LENGTH}`,
    ];
  }
  return [];
}

function throwViolations(violations: readonly string[]): void {
  if (violations.length > 0) {
    const count = violations.length === 1 ? '1 validation error' : `${violations.length} validation errors`;
    throw new AwsServiceError('ValidationException', `${count} detected: ${violations.join('; ')}`);
  }
}

function quoted(value: string, at: string): string {
  return `Value '${value}' at '${at}'`;
}

function notNull(at: string): string {
  return `Value null at '${at}' failed to satisfy constraint: Member must not be null`;
}
