/**
 * AWS Cloud Map (service discovery) for HTTP namespaces, in the protocol `@aws-sdk/client-servicediscovery`
 * and `aws servicediscovery` speak (JSON 1.1, `X-Amz-Target: Route53AutoNaming_v20170314.<Operation>`):
 * namespaces and services from the template, instances from the template and registered at run time,
 * custom health checks, and `DiscoverInstances` with its health, query and optional filters. Held in memory.
 *
 * Differences, all documented in the package README: a custom health status changes at once (Cloud Map
 * waits about 30 seconds); operations are done when they are answered (`SUCCESS`); DNS namespaces,
 * Route 53 health checks and the namespace and service operations that change them are not emulated.
 */
import { randomUUID } from 'node:crypto';
import { AwsServiceError, type JsonProtocolService, LOCAL_ACCOUNT } from '../aws-protocol';
import { offsetPage } from '../http/offset-pages';
import {
  discoverInstancesRequest,
  discoverInstancesRevisionRequest,
  getInstancesHealthStatusRequest,
  idRequest,
  instanceRequest,
  listInstancesRequest,
  listNamespacesRequest,
  listServicesRequest,
  operationRequest,
  readRequest,
  registerInstanceRequest,
  updateInstanceCustomHealthStatusRequest,
  type DiscoverInstancesRequest,
  type NamespaceFilter,
  type RegisterInstanceRequest,
  type ServiceFilter,
} from './cloud-map-requests';

export const CLOUD_MAP_TARGET_PREFIX = 'Route53AutoNaming_v20170314';

export type InstanceHealth = 'HEALTHY' | 'UNHEALTHY';

/** The attribute that sets a new instance's custom health status (`HEALTHY` when absent). */
export const INIT_HEALTH_ATTRIBUTE = 'AWS_INIT_HEALTH_STATUS';

export interface HttpNamespaceSpec {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
}

export interface ServiceSpec {
  readonly id: string;
  readonly arn: string;
  readonly name: string;
  readonly namespaceId: string;
  readonly description?: string;
  /** The service has `HealthCheckCustomConfig`: its instances' health is what callers report. */
  readonly customHealthCheck: boolean;
}

export interface CloudMapEngineOptions {
  /** Epoch milliseconds of creation and operation dates. @default Date.now */
  readonly clock?: () => number;
  /** Orders `DiscoverInstances`' answer, which Cloud Map randomizes. @default Math.random */
  readonly random?: () => number;
}

interface Namespace extends HttpNamespaceSpec {
  readonly createdMs: number;
}

interface Instance {
  readonly id: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly creatorRequestId?: string;
  health: InstanceHealth;
}

interface Service extends ServiceSpec {
  readonly createdMs: number;
  /** In registration order. */
  readonly instances: Map<string, Instance>;
  /** Grows with every registration and deregistration (health changes leave it). */
  revision: number;
}

interface Operation {
  readonly id: string;
  readonly type: 'REGISTER_INSTANCE' | 'DEREGISTER_INSTANCE';
  readonly targets: Readonly<Record<string, string>>;
  readonly createdMs: number;
}

/** `DiscoverInstances` answers up to 100 instances unless asked for more. */
const DEFAULT_DISCOVERED = 100;
const DEFAULT_PAGE_SIZE = 100;
/** Operations are kept for `GetOperation`; the oldest make room past this many. */
const MAX_OPERATIONS = 1000;
/** Far above any valid request (30 attributes of 1 KB); Cloud Map documents no body limit. */
const MAX_REQUEST_BODY_BYTES = 256 * 1024;

export class CloudMapEngine implements JsonProtocolService {
  readonly targetPrefix = CLOUD_MAP_TARGET_PREFIX;
  readonly jsonVersion = '1.1' as const;
  readonly maxRequestBodyBytes = MAX_REQUEST_BODY_BYTES;

  private readonly namespaces = new Map<string, Namespace>();
  private readonly services = new Map<string, Service>();
  private readonly operations = new Map<string, Operation>();
  private readonly clock: () => number;
  private readonly random: () => number;

  constructor(options: CloudMapEngineOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.random = options.random ?? Math.random;
  }

  async handle(operation: string, input: Record<string, unknown>): Promise<unknown> {
    switch (operation) {
      case 'DiscoverInstances':
        return this.discoverInstances(readRequest(discoverInstancesRequest, input));
      case 'DiscoverInstancesRevision': {
        const request = readRequest(discoverInstancesRevisionRequest, input);
        return { InstancesRevision: this.serviceNamed(request.NamespaceName, request.ServiceName).revision };
      }
      case 'RegisterInstance':
        return { OperationId: this.registerInstance(readRequest(registerInstanceRequest, input)) };
      case 'DeregisterInstance': {
        const request = readRequest(instanceRequest, input);
        return { OperationId: this.deregisterInstance(request.ServiceId, request.InstanceId) };
      }
      case 'GetInstance':
        return this.getInstance(readRequest(instanceRequest, input));
      case 'ListInstances':
        return this.listInstances(readRequest(listInstancesRequest, input));
      case 'GetInstancesHealthStatus':
        return this.getInstancesHealthStatus(readRequest(getInstancesHealthStatusRequest, input));
      case 'UpdateInstanceCustomHealthStatus': {
        const request = readRequest(updateInstanceCustomHealthStatusRequest, input);
        this.updateInstanceCustomHealthStatus(request.ServiceId, request.InstanceId, request.Status);
        return {};
      }
      case 'GetService':
        return { Service: this.serviceOf(this.service(readRequest(idRequest, input).Id)) };
      case 'ListServices':
        return this.listServices(readRequest(listServicesRequest, input));
      case 'GetNamespace':
        return { Namespace: this.namespaceOf(this.namespace(readRequest(idRequest, input).Id)) };
      case 'ListNamespaces':
        return this.listNamespaces(readRequest(listNamespacesRequest, input));
      case 'GetOperation':
        return { Operation: this.getOperation(readRequest(operationRequest, input).OperationId) };
      default:
        throw new AwsServiceError(
          'UnknownOperationException',
          `The local Cloud Map does not implement ${operation}: it emulates DiscoverInstances(Revision), ` +
            'Register/DeregisterInstance, GetInstance, ListInstances, GetInstancesHealthStatus, ' +
            'UpdateInstanceCustomHealthStatus, Get/ListServices, Get/ListNamespaces and GetOperation; ' +
            'namespaces and services come from the template.',
        );
    }
  }

  /** Adds an HTTP namespace (a template's `AWS::ServiceDiscovery::HttpNamespace`). */
  createHttpNamespace(spec: HttpNamespaceSpec): void {
    if ([...this.namespaces.values()].some((namespace) => namespace.name === spec.name)) {
      throw new AwsServiceError('NamespaceAlreadyExists', `Namespace ${spec.name} already exists.`);
    }
    this.namespaces.set(spec.id, { ...spec, createdMs: this.clock() });
  }

  /** Adds a service to one of the namespaces (a template's `AWS::ServiceDiscovery::Service`). */
  createService(spec: ServiceSpec): void {
    this.namespace(spec.namespaceId);
    const taken = [...this.services.values()].some(
      (service) => service.namespaceId === spec.namespaceId && service.name === spec.name,
    );
    if (taken) throw new AwsServiceError('ServiceAlreadyExists', `Service ${spec.name} already exists.`);
    this.services.set(spec.id, { ...spec, createdMs: this.clock(), instances: new Map(), revision: 0 });
  }

  /**
   * Registers an instance, or replaces the one of that id (its attributes, and its custom health back to
   * the initial status); returns the operation's id.
   */
  registerInstance(request: RegisterInstanceRequest): string {
    const service = this.service(request.ServiceId);
    const initialHealth = request.Attributes[INIT_HEALTH_ATTRIBUTE] ?? 'HEALTHY';
    if (initialHealth !== 'HEALTHY' && initialHealth !== 'UNHEALTHY') {
      throw new AwsServiceError(
        'InvalidInput',
        `${INIT_HEALTH_ATTRIBUTE} must be HEALTHY or UNHEALTHY, not '${initialHealth}'.`,
      );
    }
    service.instances.set(request.InstanceId, {
      id: request.InstanceId,
      attributes: { ...request.Attributes },
      health: initialHealth,
      ...(request.CreatorRequestId === undefined ? {} : { creatorRequestId: request.CreatorRequestId }),
    });
    service.revision += 1;
    return this.recordOperation('REGISTER_INSTANCE', { INSTANCE: request.InstanceId, SERVICE: service.id });
  }

  /** `<namespace>/<service> (n instances, custom health check)`, one line per service, for the banner. */
  describe(): string[] {
    return [...this.services.values()].map((service) => {
      const namespace = this.namespaces.get(service.namespaceId)?.name ?? service.namespaceId;
      const count = service.instances.size;
      const health = service.customHealthCheck ? ', custom health check' : '';
      return `${namespace}/${service.name} (${count} instance${count === 1 ? '' : 's'}${health})`;
    });
  }

  private discoverInstances(request: DiscoverInstancesRequest): Record<string, unknown> {
    const service = this.serviceNamed(request.NamespaceName, request.ServiceName);
    const queried = [...service.instances.values()].filter((instance) =>
      matchesAll(instance, request.QueryParameters),
    );
    // The health filter applies only where there is a health check; elsewhere every instance is returned.
    const wanted = request.HealthStatus ?? 'HEALTHY';
    const byHealth = !service.customHealthCheck
      ? queried
      : wanted === 'ALL'
        ? queried
        : wanted === 'HEALTHY_OR_ELSE_ALL'
          ? queried.some((instance) => instance.health === 'HEALTHY')
            ? queried.filter((instance) => instance.health === 'HEALTHY')
            : queried
          : queried.filter((instance) => instance.health === wanted);
    // Optional parameters narrow the answer only when some instances match them all.
    const optional = byHealth.filter((instance) => matchesAll(instance, request.OptionalParameters));
    const found = optional.length > 0 ? optional : byHealth;
    const namespaceName = this.namespace(service.namespaceId).name;
    return {
      Instances: this.shuffled(found)
        .slice(0, request.MaxResults ?? DEFAULT_DISCOVERED)
        .map((instance) => ({
          InstanceId: instance.id,
          NamespaceName: namespaceName,
          ServiceName: service.name,
          HealthStatus: service.customHealthCheck ? instance.health : 'UNKNOWN',
          Attributes: instance.attributes,
        })),
      InstancesRevision: service.revision,
    };
  }

  private deregisterInstance(serviceId: string, instanceId: string): string {
    const service = this.service(serviceId);
    if (!service.instances.delete(instanceId)) throw instanceNotFound(instanceId);
    service.revision += 1;
    return this.recordOperation('DEREGISTER_INSTANCE', { INSTANCE: instanceId, SERVICE: service.id });
  }

  private getInstance(request: { ServiceId: string; InstanceId: string }): Record<string, unknown> {
    const instance = this.instance(this.service(request.ServiceId), request.InstanceId);
    return {
      ResourceOwner: LOCAL_ACCOUNT,
      Instance: {
        Id: instance.id,
        Attributes: instance.attributes,
        CreatedByAccount: LOCAL_ACCOUNT,
        ...(instance.creatorRequestId === undefined ? {} : { CreatorRequestId: instance.creatorRequestId }),
      },
    };
  }

  private listInstances(request: {
    ServiceId: string;
    MaxResults?: number | undefined;
    NextToken?: string | undefined;
  }): Record<string, unknown> {
    const service = this.service(request.ServiceId);
    const page = paged([...service.instances.values()], request);
    return {
      ResourceOwner: LOCAL_ACCOUNT,
      Instances: page.items.map((instance) => ({
        Id: instance.id,
        Attributes: instance.attributes,
        CreatedByAccount: LOCAL_ACCOUNT,
      })),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  private getInstancesHealthStatus(request: {
    ServiceId: string;
    Instances?: string[] | undefined;
    MaxResults?: number | undefined;
    NextToken?: string | undefined;
  }): Record<string, unknown> {
    const service = this.service(request.ServiceId);
    const instances =
      request.Instances === undefined
        ? [...service.instances.values()]
        : [...new Set(request.Instances)].map((id) => this.instance(service, id));
    const page = paged(instances, request);
    return {
      Status: Object.fromEntries(
        page.items.map((instance) => [instance.id, service.customHealthCheck ? instance.health : 'UNKNOWN']),
      ),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  private updateInstanceCustomHealthStatus(
    serviceId: string,
    instanceId: string,
    status: InstanceHealth,
  ): void {
    const service = this.service(serviceId);
    const instance = this.instance(service, instanceId);
    if (!service.customHealthCheck) {
      throw new AwsServiceError(
        'CustomHealthNotFound',
        `The health check for instance ${instanceId} of service ${service.id} isn't a custom health check.`,
      );
    }
    instance.health = status;
  }

  private listServices(request: {
    Filters?: ServiceFilter[] | undefined;
    MaxResults?: number | undefined;
    NextToken?: string | undefined;
  }): Record<string, unknown> {
    const services = [...this.services.values()].filter((service) =>
      (request.Filters ?? []).every((filter) =>
        filter.Name === 'NAMESPACE_ID'
          ? matchesFilter(
              filter,
              [service.namespaceId, this.namespace(service.namespaceId).arn],
              ['EQ', 'IN'],
            )
          : matchesFilter(filter, ['SELF'], ['EQ']),
      ),
    );
    const page = paged(services, request);
    return {
      Services: page.items.map((service) => {
        const { NamespaceId: _namespaceId, CreatorRequestId: _creator, ...summary } = this.serviceOf(service);
        return summary;
      }),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  private listNamespaces(request: {
    Filters?: NamespaceFilter[] | undefined;
    MaxResults?: number | undefined;
    NextToken?: string | undefined;
  }): Record<string, unknown> {
    const namespaces = [...this.namespaces.values()].filter((namespace) =>
      (request.Filters ?? []).every((filter) => {
        switch (filter.Name) {
          case 'TYPE':
            return matchesFilter(filter, ['HTTP'], ['EQ', 'IN', 'BEGINS_WITH']);
          case 'NAME':
          case 'HTTP_NAME':
            return matchesFilter(filter, [namespace.name], ['EQ', 'BEGINS_WITH']);
          case 'RESOURCE_OWNER':
            return matchesFilter(filter, ['SELF'], ['EQ']);
        }
      }),
    );
    const page = paged(namespaces, request);
    return {
      Namespaces: page.items.map((namespace) => {
        const { CreatorRequestId: _creator, ...summary } = this.namespaceOf(namespace);
        return summary;
      }),
      ...(page.nextToken === undefined ? {} : { NextToken: page.nextToken }),
    };
  }

  private getOperation(operationId: string): Record<string, unknown> {
    const operation = this.operations.get(operationId);
    if (operation === undefined) {
      throw new AwsServiceError('OperationNotFound', `No operation found with ID ${operationId}.`);
    }
    return {
      Id: operation.id,
      OwnerAccount: LOCAL_ACCOUNT,
      Type: operation.type,
      // Locally an instance is registered (or gone) by the time the request is answered.
      Status: 'SUCCESS',
      CreateDate: operation.createdMs / 1000,
      UpdateDate: operation.createdMs / 1000,
      Targets: operation.targets,
    };
  }

  private recordOperation(type: Operation['type'], targets: Readonly<Record<string, string>>): string {
    const id = `${randomUUID().replace(/-/g, '')}-${randomUUID().slice(0, 8)}`;
    this.operations.set(id, { id, type, targets, createdMs: this.clock() });
    if (this.operations.size > MAX_OPERATIONS) {
      const oldest = this.operations.keys().next().value;
      if (oldest !== undefined) this.operations.delete(oldest);
    }
    return id;
  }

  private serviceOf(service: Service): Record<string, unknown> {
    return {
      Id: service.id,
      Arn: service.arn,
      ResourceOwner: LOCAL_ACCOUNT,
      Name: service.name,
      NamespaceId: service.namespaceId,
      Type: 'HTTP',
      InstanceCount: service.instances.size,
      CreateDate: service.createdMs / 1000,
      CreatedByAccount: LOCAL_ACCOUNT,
      ...(service.description === undefined ? {} : { Description: service.description }),
      ...(service.customHealthCheck ? { HealthCheckCustomConfig: { FailureThreshold: 1 } } : {}),
    };
  }

  private namespaceOf(namespace: Namespace): Record<string, unknown> {
    return {
      Id: namespace.id,
      Arn: namespace.arn,
      ResourceOwner: LOCAL_ACCOUNT,
      Name: namespace.name,
      Type: 'HTTP',
      ServiceCount: [...this.services.values()].filter((service) => service.namespaceId === namespace.id)
        .length,
      Properties: { DnsProperties: { SOA: {} }, HttpProperties: { HttpName: namespace.name } },
      CreateDate: namespace.createdMs / 1000,
      ...(namespace.description === undefined ? {} : { Description: namespace.description }),
    };
  }

  /** A service by its id or ARN. */
  private service(idOrArn: string): Service {
    const service =
      this.services.get(idOrArn) ??
      [...this.services.values()].find((candidate) => candidate.arn === idOrArn);
    if (service === undefined) {
      throw new AwsServiceError('ServiceNotFound', `Service not found: ${idOrArn}`);
    }
    return service;
  }

  /** A namespace by its id or ARN. */
  private namespace(idOrArn: string): Namespace {
    const namespace =
      this.namespaces.get(idOrArn) ??
      [...this.namespaces.values()].find((candidate) => candidate.arn === idOrArn);
    if (namespace === undefined) {
      throw new AwsServiceError('NamespaceNotFound', `Namespace not found: ${idOrArn}`);
    }
    return namespace;
  }

  /** A service by the names `DiscoverInstances` takes: its namespace's HTTP name and its own. */
  private serviceNamed(namespaceName: string, serviceName: string): Service {
    const namespace = [...this.namespaces.values()].find((candidate) => candidate.name === namespaceName);
    if (namespace === undefined) throw new AwsServiceError('NamespaceNotFound', 'Namespace not found');
    const service = [...this.services.values()].find(
      (candidate) => candidate.namespaceId === namespace.id && candidate.name === serviceName,
    );
    if (service === undefined) throw new AwsServiceError('ServiceNotFound', 'Service not found');
    return service;
  }

  private instance(service: Service, instanceId: string): Instance {
    const instance = service.instances.get(instanceId);
    if (instance === undefined) throw instanceNotFound(instanceId);
    return instance;
  }

  /** Fisher–Yates: Cloud Map returns instances in random order, so clients spread their calls. */
  private shuffled<T>(items: readonly T[]): T[] {
    const copy = [...items];
    for (let i = copy.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.random() * (i + 1));
      [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
    }
    return copy;
  }
}

function instanceNotFound(instanceId: string): AwsServiceError {
  return new AwsServiceError('InstanceNotFound', `Instance not found: ${instanceId}`);
}

function matchesAll(instance: Instance, filters: Readonly<Record<string, string>> | undefined): boolean {
  return Object.entries(filters ?? {}).every(([key, value]) => instance.attributes[key] === value);
}

/** Whether one of `candidates` satisfies the filter; a condition the filter's name does not take is refused. */
function matchesFilter(
  filter: {
    readonly Name: string;
    readonly Values: readonly string[];
    readonly Condition?: string | undefined;
  },
  candidates: readonly string[],
  conditions: readonly string[],
): boolean {
  const condition = filter.Condition ?? 'EQ';
  if (!conditions.includes(condition)) {
    throw new AwsServiceError(
      'InvalidInput',
      `The filter ${filter.Name} takes the condition ${conditions.join(' or ')}, not ${condition}.`,
    );
  }
  if (condition !== 'IN' && filter.Values.length !== 1) {
    throw new AwsServiceError('InvalidInput', `The condition ${condition} takes exactly one value.`);
  }
  const [first = ''] = filter.Values;
  return condition === 'BEGINS_WITH'
    ? candidates.some((candidate) => candidate.startsWith(first))
    : candidates.some((candidate) => filter.Values.includes(candidate));
}

function paged<T>(
  items: readonly T[],
  request: { MaxResults?: number | undefined; NextToken?: string | undefined },
): { items: T[]; nextToken?: string } {
  return offsetPage(
    items,
    request.NextToken,
    request.MaxResults ?? DEFAULT_PAGE_SIZE,
    () => new AwsServiceError('InvalidInput', 'The NextToken is not valid.'),
  );
}
