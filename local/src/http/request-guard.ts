/**
 * Which requests the local cloud serves at all. Its servers listen on 127.0.0.1, but a web page open in a
 * browser on the same machine can still reach them: directly (a form or a `text/plain` fetch needs no CORS
 * preflight) or through DNS rebinding (a name of the page's site made to resolve to 127.0.0.1, so the
 * browser treats the local cloud as that site). So:
 *
 * - a request whose `Host` is not a loopback name is refused (that defeats DNS rebinding);
 * - a request a page of another origin sent is refused where it could do harm: every request to the AWS
 *   APIs, and the requests that change something under `/_local`. The app's own API routes stay open to
 *   every origin, as on API Gateway: CORS is the app's business there.
 */
import type { IncomingMessage } from 'node:http';

/** How a server treats requests sent by a browser page of a non-loopback origin. */
export type CrossOriginPolicy =
  /** Every such request is refused: the AWS APIs (the edge), which no page has a reason to call. */
  | 'refuse-every-request'
  /** Only changes to `/_local` endpoints are refused; everything else is the app's API, open to all origins. */
  | 'refuse-local-endpoint-changes';

const LOCAL_ENDPOINT_PREFIX = '/_local';

/** Methods that read only: a page may cause them anyway (links, images), and they change nothing. */
const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

const OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';
/** `localhost`, any `*.localhost` (RFC 6761 reserves them for loopback), 127.0.0.0/8 and `[::1]`. */
const LOOPBACK_NAME = `(?:localhost|(?:[a-z0-9-]+\\.)+localhost|127(?:\\.${OCTET}){3}|\\[::1\\])`;
const OPTIONAL_PORT = '(?::[0-9]{1,5})?';
/**
 * A loopback address behind an AWS SDK's host prefix: the SDK sends Cloud Map's `DiscoverInstances` to
 * `data-127.0.0.1` when its endpoint is `127.0.0.1`. No browser can load a page from such a host (a name
 * whose last label is a number must be an IPv4 address), so accepting it opens nothing to DNS rebinding.
 */
const HOST_PREFIXED_LOOPBACK_ADDRESS = `(?:[a-z0-9]+-)+127(?:\\.${OCTET}){3}`;
const LOOPBACK_HOST = new RegExp(
  `^(?:${LOOPBACK_NAME}|${HOST_PREFIXED_LOOPBACK_ADDRESS})${OPTIONAL_PORT}$`,
  'i',
);
const LOOPBACK_ORIGIN = new RegExp(`^https?://${LOOPBACK_NAME}${OPTIONAL_PORT}$`, 'i');

/** A `Host` header naming this machine's loopback interface (or its SDK-prefixed address), with or without a port. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOST.test(host);
}

/** An `Origin` header of a page served from the loopback interface. */
export function isLoopbackOrigin(origin: string): boolean {
  return LOOPBACK_ORIGIN.test(origin);
}

/** Whether a request target belongs to the local cloud's own endpoints (`/_local…`) rather than to an API. */
export function isLocalEndpointUrl(url: string): boolean {
  return url.startsWith(LOCAL_ENDPOINT_PREFIX);
}

/** Why the request must be refused (403), or undefined when it may be served. */
export function refusalOf(req: IncomingMessage, policy: CrossOriginPolicy): string | undefined {
  // Only HTTP/1.0 requests lack a Host (Node answers 400 to HTTP/1.1 without one), and browsers always send it.
  const host = req.headers.host;
  if (host !== undefined && !isLoopbackHost(host)) {
    return `The local cloud only answers requests addressed to localhost, 127.0.0.1 or [::1], not to '${host}'.`;
  }
  const guarded =
    policy === 'refuse-every-request' ||
    (!READ_ONLY_METHODS.has(req.method ?? 'GET') && isLocalEndpointUrl(req.url ?? '/'));
  if (!guarded) return undefined;
  const origin = req.headers.origin;
  if (origin !== undefined) {
    return isLoopbackOrigin(origin)
      ? undefined
      : `The local cloud refuses this request from a page of '${origin}': only pages served from this machine may send it.`;
  }
  // Without an Origin (a plain navigation or subresource), the browser still says where the request came from.
  return req.headers['sec-fetch-site'] === 'cross-site'
    ? 'The local cloud refuses this request from a page of another site: only pages served from this machine may send it.'
    : undefined;
}
