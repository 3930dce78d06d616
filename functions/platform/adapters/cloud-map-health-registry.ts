import {
  paginateListInstances,
  paginateListServices,
  UpdateInstanceCustomHealthStatusCommand,
  type ServiceDiscoveryClient,
} from '@aws-sdk/client-servicediscovery';
import { INSTANCE_ATTRIBUTES } from '../../../shared/discovery';
import type { HealthRegistry, HealthStatus, ProbedInstance } from '../application/check-instance-health';

/** The instances of one Cloud Map namespace whose services take custom health status. */
export class CloudMapHealthRegistry implements HealthRegistry {
  constructor(
    private readonly props: {
      readonly client: ServiceDiscoveryClient;
      readonly namespaceId: string;
    },
  ) {}

  async probedInstances(): Promise<readonly ProbedInstance[]> {
    const { client, namespaceId } = this.props;
    const instances: ProbedInstance[] = [];
    const services = paginateListServices(
      { client },
      { Filters: [{ Name: 'NAMESPACE_ID', Values: [namespaceId], Condition: 'EQ' }] },
    );
    for await (const page of services) {
      for (const service of page.Services ?? []) {
        if (service.Id === undefined || service.HealthCheckCustomConfig === undefined) continue;
        for await (const listed of paginateListInstances({ client }, { ServiceId: service.Id })) {
          for (const instance of listed.Instances ?? []) {
            const healthUrl = instance.Attributes?.[INSTANCE_ATTRIBUTES.healthUrl];
            if (instance.Id === undefined || healthUrl === undefined) continue;
            instances.push({
              serviceId: service.Id,
              serviceName: service.Name ?? service.Id,
              instanceId: instance.Id,
              healthUrl,
            });
          }
        }
      }
    }
    return instances;
  }

  async setHealth(instance: ProbedInstance, status: HealthStatus): Promise<void> {
    await this.props.client.send(
      new UpdateInstanceCustomHealthStatusCommand({
        ServiceId: instance.serviceId,
        InstanceId: instance.instanceId,
        Status: status,
      }),
    );
  }
}
