/**
 * AWS Systems Manager Parameter Store, in the protocol the SSM clients speak (JSON 1.1, `X-Amz-Target:
 * AmazonSSM.<Operation>`): versioned parameters in a hierarchy, read by name (with a `:version`
 * selector), by names and by path, with their history. Held in memory; the template's
 * `AWS::SSM::Parameter` resources are its first versions.
 *
 * Differences, all documented in the package README: SecureString values are kept as they are (no KMS);
 * read without `WithDecryption` they come back as an opaque base64 envelope, as AWS returns ciphertext.
 * Labels, policies and parameter filters are not emulated: a request that uses them is refused with a
 * `ValidationException` that says so, never half-honoured.
 */
import { AwsServiceError, type JsonProtocolService, localArn } from '../aws-protocol';
import { offsetPage } from '../http/offset-pages';

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterTier = 'Standard' | 'Advanced' | 'Intelligent-Tiering';

/** What a new version says; `type` may be left out when a version already exists. */
export interface ParameterWrite {
  readonly name: string;
  readonly value: string;
  readonly type?: ParameterType;
  readonly description?: string;
  readonly allowedPattern?: string;
  readonly tier?: ParameterTier;
  readonly dataType?: string;
  readonly keyId?: string;
  readonly overwrite?: boolean;
}

interface ParameterVersion {
  readonly version: number;
  readonly value: string;
  readonly type: ParameterType;
  readonly description?: string;
  readonly allowedPattern?: string;
  readonly tier: 'Standard' | 'Advanced';
  readonly dataType: string;
  readonly keyId?: string;
  /** Epoch milliseconds. */
  readonly modifiedAt: number;
}

interface StoredParameter {
  readonly name: string;
  /** Oldest first; at most `MAX_VERSIONS`. */
  readonly versions: ParameterVersion[];
  /** The version number the next write takes (deleted old versions keep their numbers). */
  nextVersion: number;
}

export interface ParameterStoreOptions {
  /** Epoch milliseconds of `LastModifiedDate`. @default Date.now */
  readonly clock?: () => number;
}

/** AWS keeps the last 100 versions of a parameter and deletes the oldest to make room. */
const MAX_VERSIONS = 100;
const MAX_NAME_LENGTH = 2048;
const MAX_HIERARCHY_LEVELS = 15;
const MAX_VALUE_CHARS: Readonly<Record<'Standard' | 'Advanced', number>> = { Standard: 4096, Advanced: 8192 };
const MAX_NAMES_PER_REQUEST = 10;
const NAME_CHARACTERS = /^[a-zA-Z0-9_.\-/]+$/;
const RESERVED_PREFIX = /^\/?(aws|ssm)/i;
const TYPES: readonly ParameterType[] = ['String', 'StringList', 'SecureString'];
const TIERS: readonly ParameterTier[] = ['Standard', 'Advanced', 'Intelligent-Tiering'];
const DATA_TYPES = ['text', 'aws:ec2:image', 'aws:ssm:integration'];
/** Larger than any valid request (ten names of 2 KB, or a value of 8 KB); SSM documents no body limit. */
const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export class ParameterStore implements JsonProtocolService {
  readonly targetPrefix = 'AmazonSSM';
  readonly jsonVersion = '1.1' as const;
  readonly maxRequestBodyBytes = MAX_REQUEST_BODY_BYTES;

  private readonly parameters = new Map<string, StoredParameter>();
  private readonly clock: () => number;

  constructor(options: ParameterStoreOptions = {}) {
    this.clock = options.clock ?? Date.now;
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'PutParameter':
        return this.putParameter(readParameterWrite(input));
      case 'GetParameter':
        return { Parameter: this.getParameter(requiredString(input, 'Name'), decrypts(input)) };
      case 'GetParameters':
        return this.getParameters(names(input), decrypts(input));
      case 'GetParametersByPath':
        return this.getParametersByPath(input);
      case 'GetParameterHistory':
        return this.getParameterHistory(input);
      case 'DescribeParameters':
        return this.describeParameters(input);
      case 'DeleteParameter':
        this.deleteParameter(requiredString(input, 'Name'));
        return {};
      case 'DeleteParameters':
        return this.deleteParameters(names(input));
      default:
        throw new AwsServiceError(
          'InvalidAction',
          `The local Parameter Store does not implement ${operation}: Put, Get, GetParameters, ` +
            'GetParametersByPath, GetParameterHistory, DescribeParameters and Delete(Parameters) only.',
        );
    }
  }

  /** Writes a new version of a parameter (a template's parameter is its first). */
  putParameter(write: ParameterWrite): { Version: number; Tier: 'Standard' | 'Advanced' } {
    validateName(write.name);
    const existing = this.parameters.get(write.name);
    if (existing !== undefined && write.overwrite !== true) {
      throw new AwsServiceError(
        'ParameterAlreadyExists',
        'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.',
      );
    }
    const previous = existing?.versions.at(-1);
    const type = write.type ?? previous?.type;
    if (type === undefined) {
      throw new AwsServiceError(
        'ValidationException',
        'A parameter type is required when you create a parameter.',
      );
    }
    const tier = tierFor(write, previous);
    if (write.value.length > MAX_VALUE_CHARS[tier]) {
      throw new AwsServiceError(
        'ValidationException',
        tier === 'Standard'
          ? 'Standard tier parameters support a maximum parameter value of 4096 characters. To create a ' +
              'larger parameter value, upgrade the parameter to use the advanced-parameter tier.'
          : 'Advanced tier parameters support a maximum parameter value of 8192 characters.',
      );
    }
    const allowedPattern = write.allowedPattern ?? previous?.allowedPattern;
    if (allowedPattern !== undefined && !new RegExp(allowedPattern).test(write.value)) {
      throw new AwsServiceError(
        'ParameterPatternMismatchException',
        `Parameter value, cannot be validated against allowedPattern: ${allowedPattern}`,
      );
    }
    const stored = existing ?? { name: write.name, versions: [], nextVersion: 1 };
    const version: ParameterVersion = {
      version: stored.nextVersion,
      value: write.value,
      type,
      tier,
      dataType: write.dataType ?? previous?.dataType ?? 'text',
      modifiedAt: this.clock(),
      ...optional('description', write.description ?? previous?.description),
      ...optional('allowedPattern', allowedPattern),
      ...optional(
        'keyId',
        type === 'SecureString' ? (write.keyId ?? previous?.keyId ?? 'alias/aws/ssm') : undefined,
      ),
    };
    stored.versions.push(version);
    if (stored.versions.length > MAX_VERSIONS) stored.versions.shift();
    stored.nextVersion += 1;
    this.parameters.set(write.name, stored);
    return { Version: version.version, Tier: tier };
  }

  private getParameter(nameWithSelector: string, withDecryption: boolean): Record<string, unknown> {
    const { name, selector } = splitSelector(nameWithSelector);
    const stored = this.parameters.get(name);
    if (stored === undefined) throw parameterNotFound(nameWithSelector);
    let version = stored.versions.at(-1);
    if (selector !== undefined) {
      const wanted = Number(selector);
      if (!/^[1-9][0-9]*$/.test(selector)) {
        throw new AwsServiceError(
          'ValidationException',
          `The local Parameter Store selects versions by number only; labels (${selector}) are not emulated.`,
        );
      }
      version = stored.versions.find((candidate) => candidate.version === wanted);
      if (version === undefined) {
        throw new AwsServiceError(
          'ParameterVersionNotFound',
          `Systems Manager could not find version ${selector} of ${name}. Verify the version and try again.`,
        );
      }
    }
    if (version === undefined) throw parameterNotFound(nameWithSelector);
    return {
      ...parameterOf(stored.name, version, withDecryption),
      ...(selector === undefined ? {} : { Selector: `:${selector}` }),
    };
  }

  private getParameters(requested: readonly string[], withDecryption: boolean): Record<string, unknown> {
    const found: Record<string, unknown>[] = [];
    const invalid: string[] = [];
    for (const name of new Set(requested)) {
      try {
        found.push(this.getParameter(name, withDecryption));
      } catch (error) {
        if (!(error instanceof AwsServiceError && /^Parameter(Version)?NotFound$/.test(error.code)))
          throw error;
        invalid.push(name);
      }
    }
    return { Parameters: found, InvalidParameters: invalid };
  }

  private getParametersByPath(input: Record<string, unknown>): Record<string, unknown> {
    refuseFilters(input);
    const path = requiredString(input, 'Path');
    if (!path.startsWith('/')) {
      throw new AwsServiceError(
        'ValidationException',
        'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/".',
      );
    }
    const prefix = path.endsWith('/') ? path : `${path}/`;
    const recursive = input.Recursive === true;
    const matching = this.sortedParameters().filter(({ name }) => {
      if (!name.startsWith(prefix)) return false;
      return recursive || !name.slice(prefix.length).includes('/');
    });
    const page = paginate(matching, input, 10);
    return {
      Parameters: page.items.map((stored) => parameterOf(stored.name, latest(stored), decrypts(input))),
      ...optional('NextToken', page.nextToken),
    };
  }

  private getParameterHistory(input: Record<string, unknown>): Record<string, unknown> {
    const name = requiredString(input, 'Name');
    const stored = this.parameters.get(name);
    if (stored === undefined) throw parameterNotFound(name);
    const page = paginate(stored.versions, input, 50);
    return {
      Parameters: page.items.map((version) => ({
        ...parameterOf(stored.name, version, decrypts(input)),
        ...optional('Description', version.description),
        ...optional('AllowedPattern', version.allowedPattern),
        ...optional('KeyId', version.keyId),
        Tier: version.tier,
        Labels: [],
        Policies: [],
      })),
      ...optional('NextToken', page.nextToken),
    };
  }

  private describeParameters(input: Record<string, unknown>): Record<string, unknown> {
    refuseFilters(input);
    if (input.Filters !== undefined) {
      throw new AwsServiceError(
        'ValidationException',
        'Filters are not emulated by the local Parameter Store.',
      );
    }
    const page = paginate(this.sortedParameters(), input, 50);
    return {
      Parameters: page.items.map((stored) => {
        const version = latest(stored);
        return {
          Name: stored.name,
          ARN: parameterArn(stored.name),
          Type: version.type,
          Version: version.version,
          LastModifiedDate: version.modifiedAt / 1000,
          Tier: version.tier,
          DataType: version.dataType,
          Policies: [],
          ...optional('Description', version.description),
          ...optional('AllowedPattern', version.allowedPattern),
          ...optional('KeyId', version.keyId),
        };
      }),
      ...optional('NextToken', page.nextToken),
    };
  }

  private deleteParameter(name: string): void {
    if (!this.parameters.delete(name)) throw parameterNotFound(name);
  }

  private deleteParameters(requested: readonly string[]): Record<string, unknown> {
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of new Set(requested)) (this.parameters.delete(name) ? deleted : invalid).push(name);
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  }

  private sortedParameters(): StoredParameter[] {
    return [...this.parameters.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
}

/** A parameter's ARN: `parameter/a/b` for `/a/b` and for `a/b` alike. */
export function parameterArn(name: string): string {
  return localArn('ssm', `parameter${name.startsWith('/') ? '' : '/'}${name}`);
}

function parameterOf(
  name: string,
  version: ParameterVersion,
  withDecryption: boolean,
): Record<string, unknown> {
  const hidden = version.type === 'SecureString' && !withDecryption;
  return {
    Name: name,
    Type: version.type,
    Value: hidden ? envelopeOf(version) : version.value,
    Version: version.version,
    LastModifiedDate: version.modifiedAt / 1000,
    ARN: parameterArn(name),
    DataType: version.dataType,
  };
}

/** What stands for the ciphertext AWS returns: opaque, and never the value itself. */
function envelopeOf(version: ParameterVersion): string {
  return Buffer.from(`local-kms:${version.keyId ?? 'alias/aws/ssm'}:v${version.version}`).toString('base64');
}

function latest(stored: StoredParameter): ParameterVersion {
  const version = stored.versions.at(-1);
  if (version === undefined) throw parameterNotFound(stored.name);
  return version;
}

function validateName(name: string): void {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at 'name' failed to satisfy constraint: Member must have length between 1 and ${MAX_NAME_LENGTH}`,
    );
  }
  if (!NAME_CHARACTERS.test(name)) {
    throw new AwsServiceError(
      'ValidationException',
      'Parameter name: can only include the symbols and letters a-zA-Z0-9_.-/',
    );
  }
  if (name.includes('/') && !name.startsWith('/')) {
    throw new AwsServiceError('ValidationException', 'Parameter name must be a fully qualified name.');
  }
  if (RESERVED_PREFIX.test(name)) {
    throw new AwsServiceError('ValidationException', `No access to reserved parameter name: ${name}.`);
  }
  if (name.split('/').filter((part) => part !== '').length > MAX_HIERARCHY_LEVELS) {
    throw new AwsServiceError(
      'HierarchyLevelLimitExceededException',
      `A hierarchy can have a maximum of ${MAX_HIERARCHY_LEVELS} levels.`,
    );
  }
}

/** The tier a version is stored in: Intelligent-Tiering picks the smallest that holds the value. */
function tierFor(write: ParameterWrite, previous: ParameterVersion | undefined): 'Standard' | 'Advanced' {
  const asked = write.tier ?? previous?.tier ?? 'Standard';
  if (asked === 'Intelligent-Tiering') {
    return write.value.length > MAX_VALUE_CHARS.Standard ? 'Advanced' : 'Standard';
  }
  // An advanced parameter cannot go back to the standard tier.
  return previous?.tier === 'Advanced' ? 'Advanced' : asked;
}

function splitSelector(nameWithSelector: string): { name: string; selector?: string } {
  const colon = nameWithSelector.lastIndexOf(':');
  if (colon <= 0) return { name: nameWithSelector };
  return { name: nameWithSelector.slice(0, colon), selector: nameWithSelector.slice(colon + 1) };
}

function parameterNotFound(name: string): AwsServiceError {
  return new AwsServiceError('ParameterNotFound', `Parameter ${name} not found.`);
}

function paginate<T>(
  items: readonly T[],
  input: Record<string, unknown>,
  maxResultsLimit: number,
): { items: T[]; nextToken?: string } {
  const maxResults = input.MaxResults ?? maxResultsLimit;
  if (
    typeof maxResults !== 'number' ||
    !Number.isInteger(maxResults) ||
    maxResults < 1 ||
    maxResults > maxResultsLimit
  ) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${String(maxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to ${maxResultsLimit}`,
    );
  }
  if (input.NextToken !== undefined && typeof input.NextToken !== 'string') throw invalidNextToken();
  return offsetPage(items, input.NextToken, maxResults, invalidNextToken);
}

function invalidNextToken(): AwsServiceError {
  return new AwsServiceError('InvalidNextToken', "The specified token isn't valid.");
}

function refuseFilters(input: Record<string, unknown>): void {
  if (input.ParameterFilters !== undefined) {
    throw new AwsServiceError(
      'ValidationException',
      'ParameterFilters are not emulated by the local Parameter Store.',
    );
  }
}

/** A `PutParameter` request's input, validated as SSM validates it. */
export function readParameterWrite(input: Record<string, unknown>): ParameterWrite {
  if (input.Tags !== undefined && input.Overwrite === true) {
    throw new AwsServiceError(
      'ValidationException',
      "Invalid request: tags and overwrite can't be used together.",
    );
  }
  if (input.Policies !== undefined || input.Tags !== undefined) {
    throw new AwsServiceError(
      'ValidationException',
      'Parameter policies and tags are not emulated by the local Parameter Store.',
    );
  }
  const value = input.Value;
  if (typeof value !== 'string' || value.length === 0) {
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  const type = oneOf(input, 'Type', TYPES);
  const tier = oneOf(input, 'Tier', TIERS);
  const dataType = optionalString(input, 'DataType');
  if (dataType !== undefined && !DATA_TYPES.includes(dataType)) {
    throw new AwsServiceError('ValidationException', `The following data type is not supported: ${dataType}`);
  }
  return {
    name: requiredString(input, 'Name'),
    value,
    overwrite: input.Overwrite === true,
    ...optional('type', type),
    ...optional('tier', tier),
    ...optional('dataType', dataType),
    ...optional('description', optionalString(input, 'Description')),
    ...optional('allowedPattern', optionalString(input, 'AllowedPattern')),
    ...optional('keyId', optionalString(input, 'KeyId')),
  };
}

function names(input: Record<string, unknown>): string[] {
  const value = input.Names;
  if (!Array.isArray(value) || value.length === 0 || !value.every((name) => typeof name === 'string')) {
    throw new AwsServiceError(
      'ValidationException',
      "1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1",
    );
  }
  if (value.length > MAX_NAMES_PER_REQUEST) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at 'names' failed to satisfy constraint: Member must have length less than or equal to ${MAX_NAMES_PER_REQUEST}`,
    );
  }
  return value as string[];
}

function decrypts(input: Record<string, unknown>): boolean {
  return input.WithDecryption === true;
}

function requiredString(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '') {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value at '${key.charAt(0).toLowerCase()}${key.slice(1)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function optionalString(input: Record<string, unknown>, key: string): string | undefined {
  const value = input[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new AwsServiceError('SerializationException', `${key} must be a string.`);
  return value;
}

function oneOf<T extends string>(
  input: Record<string, unknown>,
  key: string,
  allowed: readonly T[],
): T | undefined {
  const value = optionalString(input, key);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${value}' at '${key.toLowerCase()}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value as T;
}

function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
