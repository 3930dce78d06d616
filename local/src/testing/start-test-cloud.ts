import { LocalCloud, type LocalCloudOptions } from '../local-cloud';

/**
 * Starts the local cloud for a test suite: on free ports (suites never collide with a running
 * `npm start`), the function logs kept in `logs` instead of printed. `options` win over these.
 */
export async function startTestCloud(
  options: LocalCloudOptions,
): Promise<{ cloud: LocalCloud; logs: string[] }> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const logs: string[] = [];
  const cloud = await LocalCloud.start({
    port: 0,
    edgePort: 0,
    xrayDaemonPort: 0,
    log: (line) => logs.push(line),
    ...options,
  });
  return { cloud, logs };
}
