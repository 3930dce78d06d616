import { DiscoverInstancesCommand, type ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import type { AppLogger } from '../observability/app-logger';
import type { InstanceDirectory, ServiceName } from './instance-directory';
import { instanceFromAttributes, type ServiceInstance } from './service-instance';

/**
 * The healthy instances of a service in an AWS Cloud Map HTTP namespace. An instance without a usable
 * `url` is left out (and logged): a registration mistake must not send traffic nowhere.
 */
export class CloudMapDirectory implements InstanceDirectory {
  constructor(
    private readonly props: {
      readonly client: Pick<ServiceDiscoveryClient, 'send'>;
      readonly logger: AppLogger;
      /** At most this many instances are asked for. @default 100 */
      readonly maxResults?: number;
    },
  ) {}

  async discover({ namespace, service }: ServiceName): Promise<readonly ServiceInstance[]> {
    const { Instances = [] } = await this.props.client.send(
      new DiscoverInstancesCommand({
        NamespaceName: namespace,
        ServiceName: service,
        HealthStatus: 'HEALTHY',
        MaxResults: this.props.maxResults ?? 100,
      }),
    );
    return Instances.flatMap(({ InstanceId, Attributes = {} }) => {
      const { instance, problem } = instanceFromAttributes(InstanceId ?? '', Attributes);
      if (problem !== undefined)
        this.props.logger.warn('A discovered instance is unusable', { service, problem });
      return instance === undefined ? [] : [instance];
    });
  }
}
