/**
 * The AWS Query protocol over HTTP: `POST /` with a form-encoded body (`Action=<Operation>&Version=…`,
 * lists as `Foo.member.1=…`), answered in XML (`<ActionResponse><ActionResult>…`) or with an
 * `<ErrorResponse>`. Services that share the edge URL are told apart as AWS endpoints tell them apart:
 * by the service named in the SigV4 credential scope (`Credential=AKID/<date>/<region>/<service>/
 * aws4_request`). An unsigned request (`aws --no-sign-request`) goes to the service of its `Version`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  AwsServiceError,
  signingNameOf,
  XmlMap,
  type QueryInput,
  type QueryProtocolService,
  type QueryValue,
  type XmlResult,
  type XmlValue,
} from '../aws-protocol';
import { readAwsRequestText } from './read-body';

/** Deeper than any AWS input shape; a deeper key is refused before it is built. */
const MAX_KEY_DEPTH = 32;
const POSITIVE_INDEX = /^[1-9][0-9]*$/;
/** What character data cannot carry as it is: markup, CR, and the characters XML 1.0 forbids. */
// eslint-disable-next-line no-control-regex -- the C0 controls XML 1.0 forbids are exactly what it must match
const NEEDS_ESCAPE = /[&<>"'\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/** A form the Query protocol cannot read: a key given twice, or both a value and a structure. */
export class QueryParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueryParseError';
  }
}

/**
 * Serves the request if it is a form-encoded POST for one of `services`; returns false (without reading
 * the body) otherwise. A signed request belongs to the service its credential scope names; an unsigned one
 * to `/` is claimed, read and routed by its `Version`.
 */
export async function serveQueryProtocol(
  services: readonly QueryProtocolService[],
  req: IncomingMessage,
  res: ServerResponse,
): Promise<boolean> {
  if (req.method !== 'POST' || !isFormEncoded(req.headers['content-type'])) return false;
  const authorization = req.headers.authorization;
  const signedFor =
    typeof authorization === 'string'
      ? services.find((service) => service.signingName === signingNameOf(authorization))
      : undefined;
  if (typeof authorization === 'string' && signedFor === undefined) return false;
  // Unsigned, only the Query protocol's own path is claimed: a form posted elsewhere (curl's default
  // content type) belongs to the REST routes.
  if (signedFor === undefined && pathOf(req.url) !== '/') return false;

  const requestId = randomUUID();
  let xmlNamespace = signedFor?.xmlNamespace;
  try {
    const limit =
      signedFor?.maxRequestBodyBytes ?? Math.max(0, ...services.map((s) => s.maxRequestBodyBytes));
    const {
      Action: action,
      Version: version,
      ...input
    } = parseQueryParameters(await readAwsRequestText(req, limit));
    const service = signedFor ?? services.find((candidate) => candidate.version === version);
    if (service === undefined) {
      throw new AwsServiceError(
        'InvalidAction',
        `No local service speaks the Query protocol at version ${versionText(version)}; the local cloud serves ` +
          `${services.map((s) => `${s.signingName} (${s.version})`).join(', ')}.`,
      );
    }
    xmlNamespace = service.xmlNamespace;
    if (typeof action !== 'string' || action === '') {
      throw new AwsServiceError('MissingAction', 'The request must contain the parameter Action.');
    }
    if (version !== service.version) {
      throw new AwsServiceError(
        'InvalidAction',
        `Could not find operation ${action} for version ${versionText(version)}`,
      );
    }
    const result = await service.handle(action, input);
    writeXml(res, 200, requestId, responseDocument(action, service.xmlNamespace, result, requestId));
  } catch (error) {
    const serviceError = asServiceError(error);
    writeXml(res, serviceError.statusCode, requestId, errorDocument(xmlNamespace, serviceError, requestId));
  }
  return true;
}

/**
 * The parameters of a form-encoded body as a structure: `A.B=x` is `{ A: { B: 'x' } }`; a list, written
 * `Foo.member.N=…` (or flattened, `Foo.N=…`), is an array in index order. An empty list is sent as `Foo=`,
 * which reads as the empty string: the service decides what its member is.
 */
export function parseQueryParameters(body: string): QueryInput {
  const root: FormNode = { children: new Map() };
  for (const [key, value] of new URLSearchParams(body)) {
    const segments = key.split('.');
    if (segments.some((segment) => segment === ''))
      throw new QueryParseError(`The parameter name '${key}' is malformed.`);
    if (segments.length > MAX_KEY_DEPTH) {
      throw new QueryParseError(
        `The parameter name '${key.slice(0, 100)}…' nests deeper than ${MAX_KEY_DEPTH} levels.`,
      );
    }
    let node = root;
    for (const segment of segments) {
      if (node.value !== undefined) throw conflicting(key);
      let child = node.children.get(segment);
      if (child === undefined) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    if (node.value !== undefined)
      throw new QueryParseError(`The parameter '${key}' is given more than once.`);
    if (node.children.size > 0) throw conflicting(key);
    node.value = value;
  }
  return structureOf(root);
}

/** `<name>…</name>` for a value of an answer; nothing for `undefined`. */
export function xmlElement(name: string, value: XmlValue): string {
  if (value === undefined) return '';
  let content: string;
  if (Array.isArray(value)) {
    content = value.map((item: XmlValue) => xmlElement('member', item)).join('');
  } else if (value instanceof XmlMap) {
    content = Object.entries(value.entries)
      .map(([key, item]) => `<entry>${xmlElement('key', key)}${xmlElement('value', item)}</entry>`)
      .join('');
  } else if (value instanceof Date) {
    content = value.toISOString();
  } else if (typeof value === 'object') {
    content = Object.entries(value as { readonly [key: string]: XmlValue })
      .map(([childName, child]) => xmlElement(childName, child))
      .join('');
  } else {
    content = escapeXml(String(value));
  }
  return content === '' ? `<${name}/>` : `<${name}>${content}</${name}>`;
}

/**
 * Text as XML character data. A carriage return is written as a reference, since a parser would turn a
 * raw one into a line feed; characters XML 1.0 cannot carry at all (most C0 controls) become U+FFFD.
 */
export function escapeXml(text: string): string {
  return text.replace(NEEDS_ESCAPE, (character) => {
    switch (character) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      case "'":
        return '&apos;';
      case '\r':
        return '&#13;';
      default:
        return '\uFFFD';
    }
  });
}

interface FormNode {
  value?: string;
  readonly children: Map<string, FormNode>;
}

function structureOf(node: FormNode): QueryInput {
  return Object.fromEntries([...node.children].map(([name, child]) => [name, valueOf(child)]));
}

function valueOf(node: FormNode): QueryValue {
  if (node.value !== undefined) return node.value;
  const names = [...node.children.keys()];
  if (names.every((name) => POSITIVE_INDEX.test(name))) return itemsOf(node);
  const members = node.children.get('member');
  if (names.length === 1 && members !== undefined && members.value === undefined) {
    const indexes = [...members.children.keys()];
    if (indexes.every((name) => POSITIVE_INDEX.test(name))) return itemsOf(members);
  }
  return structureOf(node);
}

/** The children of a node keyed `1`, `2`, …, in index order (a gap is closed, as AWS reads the list). */
function itemsOf(node: FormNode): QueryValue[] {
  return [...node.children].sort(([a], [b]) => Number(a) - Number(b)).map(([, child]) => valueOf(child));
}

function conflicting(key: string): QueryParseError {
  return new QueryParseError(`The parameter '${key}' is given both as a value and as a structure.`);
}

function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?')[0] ?? '/';
}

function isFormEncoded(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

function asServiceError(error: unknown): AwsServiceError {
  if (error instanceof AwsServiceError) return error;
  if (error instanceof QueryParseError) {
    return new AwsServiceError('InvalidQueryParameter', error.message);
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AwsServiceError('InternalFailure', message, 500);
}

function versionText(version: QueryValue | undefined): string {
  return typeof version === 'string' ? version : '(none)';
}

function responseDocument(
  action: string,
  xmlNamespace: string,
  result: XmlResult,
  requestId: string,
): string {
  return (
    `<${action}Response xmlns="${escapeXml(xmlNamespace)}">` +
    xmlElement(`${action}Result`, result) +
    xmlElement('ResponseMetadata', { RequestId: requestId }) +
    `</${action}Response>`
  );
}

function errorDocument(xmlNamespace: string | undefined, error: AwsServiceError, requestId: string): string {
  const namespace = xmlNamespace === undefined ? '' : ` xmlns="${escapeXml(xmlNamespace)}"`;
  return (
    `<ErrorResponse${namespace}>` +
    xmlElement('Error', {
      Type: error.statusCode >= 500 ? 'Receiver' : 'Sender',
      Code: error.code,
      Message: error.message,
    }) +
    xmlElement('RequestId', requestId) +
    '</ErrorResponse>'
  );
}

function writeXml(res: ServerResponse, statusCode: number, requestId: string, document: string): void {
  if (res.headersSent) return;
  res.writeHead(statusCode, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(document),
    'x-amzn-requestid': requestId,
  });
  res.end(document);
}
