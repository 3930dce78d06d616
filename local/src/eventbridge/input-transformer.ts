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
 * Checks a transformer as `PutTargets` does: the template's size, the paths map's size, keys and
 * paths, and that every placeholder names a variable (a mapped one or a predefined one) that is not
 * used as a key of a JSON object template.
 */
export function validateInputTransformer(transformer: InputTransformer): void {
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
      throw new InvalidInputTransformerError(`InputTemplate contains invalid placeholder ${part.name}.`);
    }
    if (part.objectKey) {
      throw new InvalidInputTransformerError(
        `InputTemplate uses placeholder ${part.name} as an object key, which is not allowed.`,
      );
    }
  }
}

/**
 * Fills the template. A template that opens with `{`, `[` or `"` is JSON: there a placeholder inside
 * quotes takes a string's characters as they are, and a bare placeholder takes the JSON value
 * (`"a"`, `1`, `{…}`). Any other template is plain text and takes strings as they are. Objects and
 * arrays are always written as JSON, and values are never escaped (AWS leaves that to the template's
 * author). A JSON result that parses is minified, as AWS passes it on.
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
  const parts = scanTemplate(transformer.inputTemplate);
  const json = isJsonTemplate(transformer.inputTemplate);
  const text = parts
    .map((part) => {
      if (part.kind === 'text') {
        return part.text;
      }
      if (!values.has(part.name)) {
        return `<${part.name}>`;
      }
      return renderValue(values.get(part.name), json && !part.quoted);
    })
    .join('');
  if (!json) {
    return text;
  }
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** The JSON text a target receives. */
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

/**
 * `asJson` is true for a bare placeholder in a JSON template. A variable whose path matched nothing
 * becomes `null` there (the template stays valid JSON) and nothing elsewhere.
 */
function renderValue(value: unknown, asJson: boolean): string {
  if (value === undefined) {
    return asJson ? 'null' : '';
  }
  if (typeof value === 'string') {
    return asJson ? JSON.stringify(value) : value;
  }
  return JSON.stringify(value);
}

function isJsonTemplate(template: string): boolean {
  const first = template.trimStart()[0];
  return first === '{' || first === '[' || first === '"';
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
