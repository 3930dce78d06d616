/**
 * `path` under `baseUrl` taken as a directory: an API stage URL with or without its trailing slash
 * (`https://…/prod` and `https://…/prod/` both give `https://…/prod/orders`), where `new URL(path, base)`
 * alone would drop the stage of the first.
 */
export function urlUnder(baseUrl: string, path: string): URL {
  return new URL(path, baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`);
}
