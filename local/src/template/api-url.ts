/**
 * CDK builds a REST API's URL as `https://<apiId>.execute-api.<region>.<urlSuffix>/<stage>/`; once
 * resolved, such URLs must point at the local API Gateway instead.
 */
import { LOCAL_REGION } from '../aws-protocol';

const API_URL = new RegExp(
  `^https://([a-z0-9]+)\\.execute-api\\.${LOCAL_REGION.replace(/[.-]/g, '\\$&')}\\.amazonaws\\.com/([A-Za-z0-9_-]+)(?=$|[/?#])`,
);

/**
 * Deeply rewrites every string that is, or starts with, an API's stage URL: the stage URL becomes
 * `localUrlFor(apiId, stage)` (trailing slashes dropped) and the rest of the string is kept. Strings of
 * APIs for which `localUrlFor` returns `undefined` stay as they are. Returns a copy.
 */
export function rewriteApiUrls(
  value: unknown,
  localUrlFor: (apiId: string, stage: string) => string | undefined,
): unknown {
  if (typeof value === 'string') return rewriteApiUrl(value, localUrlFor);
  if (Array.isArray(value)) return value.map((item: unknown) => rewriteApiUrls(item, localUrlFor));
  if (isPlainObject(value)) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, rewriteApiUrls(item, localUrlFor)]),
    );
  }
  return value;
}

function rewriteApiUrl(
  text: string,
  localUrlFor: (apiId: string, stage: string) => string | undefined,
): string {
  const match = API_URL.exec(text);
  const [stageUrl, apiId, stage] = match ?? [];
  if (stageUrl === undefined || apiId === undefined || stage === undefined) return text;
  const localUrl = localUrlFor(apiId, stage);
  return localUrl === undefined ? text : `${localUrl.replace(/\/+$/, '')}${text.slice(stageUrl.length)}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
