/**
 * What a rule target receives: the whole event, a constant `Input`, the part of the event an
 * `InputPath` selects, or an `InputTransformer` template filled from the event. Pure.
 */

export interface InputTransformer {
  /** Variable name → JSON path into the event; at most 100. */
  readonly inputPathsMap?: Readonly<Record<string, string>>;
  readonly inputTemplate: string;
}

/** The parts of a target that shape its input (`Input`, `InputPath`, `InputTransformer` are exclusive). */
export interface TargetInputConfig {
  readonly input?: string;
  readonly inputPath?: string;
  readonly inputTransformer?: InputTransformer;
}

/** Values behind the predefined `<aws.events.*>` variables. */
export interface TransformContext {
  readonly ruleArn?: string;
  readonly ruleName?: string;
  /** ISO 8601; defaults to the event's `time`. */
  readonly ingestionTime?: string;
}

export class InvalidJsonPathError extends Error {
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`Invalid JSON path ${path}: ${reason}`);
    this.name = 'InvalidJsonPathError';
  }
}

export class InvalidInputTransformerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidInputTransformerError';
  }
}

/**
 * A JSON template that is no JSON once filled (an object or a list put inside quotes, say): AWS delivers
 * nothing to the target.
 */
export class TransformedInputNotJsonError extends Error {
  constructor(readonly input: string) {
    super(`The InputTemplate filled with the event is not valid JSON: ${input}`);
    this.name = 'TransformedInputNotJsonError';
  }
}

export const MAX_INPUT_PATHS = 100;
const MAX_TEMPLATE_LENGTH = 8192;
const MAX_PATH_LENGTH = 256;
const VARIABLE_NAME = /^[A-Za-z0-9_-]{1,256}$/;

export const PREDEFINED_VARIABLES = [
  'aws.events.rule-arn',
  'aws.events.rule-name',
  'aws.events.event',
  'aws.events.event.json',
  'aws.events.event.ingestion-time',
] as const;

type PathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

/**
 * The JSON path subset EventBridge evaluates: `$`, dot notation (names may hold dashes, underscores and
 * slashes), array indices `[0]`, bracketed names `['a b']` and wildcards (`.*`, `[*]`).
 */
export function parseJsonPath(path: string): PathSegment[] {
  if (!path.startsWith('$')) {
    throw new InvalidJsonPathError(path, 'it must start with $');
  }
  const segments: PathSegment[] = [];
  let at = 1;
  while (at < path.length) {
    const char = path[at];
    if (char === '.') {
      const match = /^[^.[\]]+/.exec(path.slice(at + 1));
      if (!match) {
        throw new InvalidJsonPathError(path, `a name is missing at position ${at + 1}`);
      }
      segments.push(match[0] === '*' ? { kind: 'wildcard' } : { kind: 'key', key: match[0] });
      at += 1 + match[0].length;
    } else if (char === '[') {
      const match = /^\[(?:(\d+)|(\*)|'([^']*)'|"([^"]*)")\]/.exec(path.slice(at));
      if (!match) {
        throw new InvalidJsonPathError(path, `unreadable brackets at position ${at}`);
      }
      if (match[1] !== undefined) {
        segments.push({ kind: 'index', index: Number(match[1]) });
      } else if (match[2] !== undefined) {
        segments.push({ kind: 'wildcard' });
      } else {
        segments.push({ kind: 'key', key: match[3] ?? match[4] ?? '' });
      }
      at += match[0].length;
    } else {
      throw new InvalidJsonPathError(path, `unexpected '${char}' at position ${at}`);
    }
  }
  return segments;
}

/**
 * The value `path` selects in `event`: `undefined` when nothing matches; an array of the matches when
 * the path holds a wildcard.
 */
export function applyInputPath(event: unknown, path: string): unknown {
  const segments = parseJsonPath(path);
  let nodes: unknown[] = [event];
  let many = false;
  for (const segment of segments) {
    const next: unknown[] = [];
    for (const node of nodes) {
      if (segment.kind === 'wildcard') {
        many = true;
        if (Array.isArray(node)) {
          next.push(...(node as unknown[]));
        } else if (isRecord(node)) {
          next.push(...Object.values(node));
        }
      } else if (segment.kind === 'index') {
        if (Array.isArray(node) && segment.index < node.length) {
          next.push((node as unknown[])[segment.index]);
        }
      } else if (isRecord(node) && Object.prototype.hasOwnProperty.call(node, segment.key)) {
        next.push(node[segment.key]);
      }
    }
    nodes = next;
  }
  return many ? nodes : nodes[0];
}

/**
 * Checks the transformer of target `targetId` as `PutTargets` does: the template's size, the paths
 * map's size, keys and paths, and that every placeholder names a variable (a mapped one or a predefined
 * one) that is not used as a key of a JSON object template.
 */
export function validateInputTransformer(transformer: InputTransformer, targetId: string): void {
  const template = transformer.inputTemplate;
  if (typeof template !== 'string' || template.length < 1 || template.length > MAX_TEMPLATE_LENGTH) {
    throw new InvalidInputTransformerError(
      `InputTemplate must be between 1 and ${MAX_TEMPLATE_LENGTH} characters long.`,
    );
  }
  const paths = Object.entries(transformer.inputPathsMap ?? {});
  if (paths.length > MAX_INPUT_PATHS) {
    throw new InvalidInputTransformerError(`InputPathsMap can hold at most ${MAX_INPUT_PATHS} entries.`);
  }
  for (const [name, path] of paths) {
    if (!VARIABLE_NAME.test(name)) {
      throw new InvalidInputTransformerError(
        `InputPathsMap key ${name} must be 1 to 256 characters of [A-Za-z0-9_-].`,
      );
    }
    if (typeof path !== 'string' || path.length > MAX_PATH_LENGTH) {
      throw new InvalidInputTransformerError(`InputPathsMap value for ${name} must be a JSON path.`);
    }
    try {
      parseJsonPath(path);
    } catch (error) {
      throw new InvalidInputTransformerError((error as Error).message);
    }
  }
  const known = new Set<string>([...PREDEFINED_VARIABLES, ...paths.map(([name]) => name)]);
  for (const part of scanTemplate(template)) {
    if (part.kind !== 'placeholder') {
      continue;
    }
    if (!known.has(part.name)) {
      throw new InvalidInputTransformerError(
        `InputTemplate for target ${targetId} contains invalid placeholder ${part.name}.`,
      );
    }
    if (part.objectKey) {
      throw new InvalidInputTransformerError(
        `InputTemplate for target ${targetId} uses placeholder ${part.name} as an object key, which is not allowed.`,
      );
    }
  }
}

/**
 * Fills the template as AWS does. A template that opens with `{` or `[` is JSON: a bare placeholder
 * takes the JSON value (`"a"`, `1`, `{…}`; `""` when its path matched nothing), a placeholder inside
 * quotes takes a string's characters as they are and anything else as JSON, never escaped (AWS leaves
 * that to the template's author). The filled JSON must parse — it is passed on minified — else
 * `TransformedInputNotJsonError`. Any other template, one opening with `"` included, is text: strings
 * as they are, objects and lists written without quotes (`{id:a,tags:[x,y]}`), a missing value as nothing.
 */
export function applyInputTransformer(
  event: Record<string, unknown>,
  transformer: InputTransformer,
  context: TransformContext = {},
): string {
  const values = new Map<string, unknown>();
  for (const [name, path] of Object.entries(transformer.inputPathsMap ?? {})) {
    values.set(name, applyInputPath(event, path));
  }
  for (const [name, value] of predefinedValues(event, context)) {
    values.set(name, value);
  }
  const json = isJsonTemplate(transformer.inputTemplate);
  const text = scanTemplate(transformer.inputTemplate)
    .map((part) => {
      if (part.kind === 'text') {
        return part.text;
      }
      if (!values.has(part.name)) {
        return `<${part.name}>`;
      }
      const value = values.get(part.name);
      if (!json) {
        return asText(value);
      }
      return part.quoted ? asTextInJsonString(value) : asJsonValue(value);
    })
    .join('');
  if (!json) {
    return text;
  }
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    throw new TransformedInputNotJsonError(text);
  }
}

/** The text a target receives; `TransformedInputNotJsonError` when AWS would deliver nothing. */
export function targetInput(
  event: Record<string, unknown>,
  target: TargetInputConfig,
  context: TransformContext = {},
): string {
  if (target.input !== undefined) {
    return target.input;
  }
  if (target.inputPath !== undefined) {
    // A path that matches nothing still hands the target a JSON document.
    return JSON.stringify(applyInputPath(event, target.inputPath) ?? null);
  }
  if (target.inputTransformer !== undefined) {
    return applyInputTransformer(event, target.inputTransformer, context);
  }
  return JSON.stringify(event);
}

function predefinedValues(event: Record<string, unknown>, context: TransformContext): [string, unknown][] {
  // `<aws.events.event>` is the envelope without `detail`, with `detail-type` spelled `detailType`.
  const envelope: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    if (key !== 'detail') {
      envelope[key === 'detail-type' ? 'detailType' : key] = value;
    }
  }
  const entries: [string, unknown][] = [
    ['aws.events.event', envelope],
    ['aws.events.event.json', event],
    ['aws.events.event.ingestion-time', context.ingestionTime ?? event.time],
  ];
  if (context.ruleArn !== undefined) {
    entries.push(['aws.events.rule-arn', context.ruleArn]);
  }
  if (context.ruleName !== undefined) {
    entries.push(['aws.events.rule-name', context.ruleName]);
  }
  return entries;
}

/** A bare placeholder in a JSON template; a path that matched nothing gives an empty string. */
function asJsonValue(value: unknown): string {
  return value === undefined ? '""' : JSON.stringify(value);
}

/** A placeholder inside quotes in a JSON template: an object or a list breaks the JSON, as on AWS. */
function asTextInJsonString(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A placeholder in a text template: `{acc_id:0a787ecb-4015,sf_id:baz}`, `[ACTIVE,INACTIVE]`. */
function asText(value: unknown): string {
  if (value === undefined) {
    return '';
  }
  if (typeof value === 'string') {
    return value;
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => asText(item)).join(',')}]`;
  }
  if (isRecord(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}:${asText(item)}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Only an object or a list template is JSON; one opening with a quote is text that happens to hold quotes. */
function isJsonTemplate(template: string): boolean {
  const first = template.trimStart()[0];
  return first === '{' || first === '[';
}

type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | {
      readonly kind: 'placeholder';
      readonly name: string;
      readonly quoted: boolean;
      readonly objectKey: boolean;
    };

/**
 * Splits a template into text and `<name>` placeholders, noting for each placeholder whether it sits
 * inside a JSON string and whether it (or the string holding it) is used as an object key. Quote
 * tracking only applies to JSON templates; `<` and `>` cannot be escaped, as on AWS.
 */
function scanTemplate(template: string): TemplatePart[] {
  const json = isJsonTemplate(template);
  const parts: TemplatePart[] = [];
  let text = '';
  let inString = false;
  let escaped = false;
  let stringPlaceholders: number[] = [];

  const isFollowedByColon = (from: number): boolean => /^\s*:/.test(template.slice(from));
  const flushText = (): void => {
    if (text) {
      parts.push({ kind: 'text', text });
      text = '';
    }
  };

  for (let at = 0; at < template.length; at++) {
    const char = template[at] ?? '';
    if (char === '<') {
      const match = /^<([^<>]*)>/.exec(template.slice(at));
      if (match) {
        flushText();
        const name = match[1] ?? '';
        const index = parts.length;
        parts.push({ kind: 'placeholder', name, quoted: json && inString, objectKey: false });
        at += match[0].length - 1;
        if (json && inString) {
          stringPlaceholders.push(index);
        } else if (json && isFollowedByColon(at + 1)) {
          markObjectKey(parts, index);
        }
        continue;
      }
    }
    text += char;
    if (!json) {
      continue;
    }
    if (escaped) {
      escaped = false;
    } else if (inString && char === '\\') {
      escaped = true;
    } else if (char === '"') {
      inString = !inString;
      if (!inString) {
        if (isFollowedByColon(at + 1)) {
          stringPlaceholders.forEach((index) => markObjectKey(parts, index));
        }
        stringPlaceholders = [];
      }
    }
  }
  flushText();
  return parts;
}

function markObjectKey(parts: TemplatePart[], index: number): void {
  const part = parts[index];
  if (part?.kind === 'placeholder') {
    parts[index] = { ...part, objectKey: true };
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
