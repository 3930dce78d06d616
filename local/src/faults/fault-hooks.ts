import type { RestApiGateway } from '../apigateway/rest-api-server';
import { busNameOf } from '../cloud/arns';
import type { EventBridgeEngine } from '../eventbridge/event-bus';
import type { InvocationDecision, LambdaService } from '../lambda/lambda-service';
import type { FaultRegistry } from './fault-registry';

export interface FaultHookTargets {
  readonly lambda: Pick<LambdaService, 'setInvocationInterceptor'>;
  readonly eventBridge: Pick<EventBridgeEngine, 'setEntryFaultInjector'>;
  readonly restApis: Pick<RestApiGateway, 'setOutageCheck'>;
}

/**
 * Connects the registry to the engines' fault seams: every Lambda invocation attempt, every `PutEvents`
 * entry and every request to a REST API's stage asks it. With no fault set, each answer is "go on" and
 * nothing changes. (The DynamoDB front asks it too, given the registry when it starts.)
 */
export function installFaultHooks(faults: FaultRegistry, targets: FaultHookTargets): void {
  targets.lambda.setInvocationInterceptor(
    async (functionName, _event, version): Promise<InvocationDecision> => {
      const fault = faults.invocationFault(functionName, version);
      if (fault === undefined) return 'proceed';
      if (fault.failure === undefined) return { delayMs: fault.latencyMs };
      // Latency first, then the failure: a slow call that then fails, as a struggling dependency does.
      if (fault.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fault.latencyMs).unref());
      return fault.failure === 'timeout' ? { timeout: true } : { throw: fault.failure };
    },
  );
  targets.eventBridge.setEntryFaultInjector((entry) =>
    faults.putEventsEntryFault({
      busName: busNameOf(entry.eventBusName),
      source: entry.source,
      detailType: entry.detailType,
    }),
  );
  targets.restApis.setOutageCheck((stage) => faults.apiUnavailability(stage));
}
