/**
 * What an AWS SDK client needs to talk to the local cloud: its endpoint, the local region and any
 * credentials (the local endpoints accept every signature).
 */
export function localClientConfig(endpoint: string): {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
} {
  return { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}
