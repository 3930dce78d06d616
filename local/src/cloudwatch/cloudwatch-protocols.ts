/**
 * The two protocols of the CloudWatch API, over one engine: AWS JSON 1.0 (`X-Amz-Target:
 * GraniteServiceVersion20100801.<Operation>`, query-compatible errors), which `@aws-sdk/client-cloudwatch`
 * and the AWS CLI (botocore 1.43) speak, and AWS Query (`Action=…&Version=2010-08-01`, answered in XML),
 * which older SDKs and CLIs speak. Smithy RPC v2 CBOR, which CloudWatch also offers, is not served: no
 * client of this project sends it.
 */
import {
  AwsServiceError,
  XmlMap,
  type QueryInput,
  type QueryProtocolService,
  type XmlResult,
  type XmlValue,
} from '../aws-protocol';
import type { NamespacedJsonProtocolService } from '../http/json-protocol';
import type { CloudWatchEngine } from './cloudwatch-engine';

export const CLOUDWATCH_TARGET_PREFIX = 'GraniteServiceVersion20100801';
export const CLOUDWATCH_XML_NAMESPACE = 'http://monitoring.amazonaws.com/doc/2010-08-01/';
/** PutMetricData takes up to 1 MB (compressed bodies are read uncompressed). */
const MAX_REQUEST_BODY_BYTES = 1024 * 1024;

export function cloudWatchJsonService(engine: CloudWatchEngine): NamespacedJsonProtocolService {
  return {
    targetPrefix: CLOUDWATCH_TARGET_PREFIX,
    jsonVersion: '1.0',
    errorNamespace: 'com.amazonaws.cloudwatch',
    maxRequestBodyBytes: MAX_REQUEST_BODY_BYTES,
    handle: async (operation, input) => jsonOf(await engine.handle(operation, input)),
  };
}

export function cloudWatchQueryService(engine: CloudWatchEngine): QueryProtocolService {
  return {
    signingName: 'monitoring',
    version: '2010-08-01',
    xmlNamespace: CLOUDWATCH_XML_NAMESPACE,
    maxRequestBodyBytes: MAX_REQUEST_BODY_BYTES,
    handle: async (action: string, input: QueryInput): Promise<XmlResult> => {
      try {
        return await engine.handle(action, input);
      } catch (error) {
        // The Query protocol names an error by its code, not by the JSON protocol's shape.
        if (error instanceof AwsServiceError && error.queryErrorCode !== undefined) {
          throw new AwsServiceError(error.queryErrorCode, error.message, error.statusCode);
        }
        throw error;
      }
    },
  };
}

/** An answer as AWS JSON writes it: timestamps in epoch seconds, maps as objects. */
function jsonOf(value: XmlValue): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof XmlMap) return jsonOf(value.entries);
  if (Array.isArray(value)) return value.map((item: XmlValue) => jsonOf(item));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value as { readonly [key: string]: XmlValue })
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => [key, jsonOf(item)]),
    );
  }
  return value;
}
