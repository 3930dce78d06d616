/** Which Task `Resource`s the local cloud runs, and how AWS names them in an execution's history. */

export type TaskService = 'lambda' | 'events' | 'sqs' | 'dynamodb';

export interface TaskIntegration {
  /** `function`: a Lambda ARN in `Resource`; `integration`: an `arn:aws:states:::<service>:<action>`. */
  readonly kind: 'function' | 'integration';
  readonly service: TaskService;
  /** The API action, e.g. `invoke`, `putEvents`, `putItem`. */
  readonly action: string;
  readonly pattern: 'request-response' | 'callback';
}

const CALLBACK_SUFFIX = '.waitForTaskToken';

/** The optimized integrations the local cloud has, with the actions that may wait for a task token. */
const INTEGRATIONS: Readonly<Record<TaskService, { actions: readonly string[]; callback: boolean }>> = {
  lambda: { actions: ['invoke'], callback: true },
  events: { actions: ['putEvents'], callback: true },
  sqs: { actions: ['sendMessage'], callback: true },
  dynamodb: { actions: ['getItem', 'putItem', 'updateItem', 'deleteItem'], callback: false },
};

const FUNCTION_ARN = /^arn:aws[\w-]*:lambda:[^:]*:\d{12}:function:[^:]+(:[^:]+)?$/;
const INTEGRATION_ARN = /^arn:aws[\w-]*:states:::([a-z]+):([A-Za-z]+)(\.[A-Za-z:0-9]+)?$/;

/** The integration a `Resource` names, or `undefined` when the local cloud cannot run it. */
export function classifyTaskResource(resource: string): TaskIntegration | undefined {
  if (FUNCTION_ARN.test(resource)) {
    return { kind: 'function', service: 'lambda', action: 'invoke', pattern: 'request-response' };
  }
  const match = INTEGRATION_ARN.exec(resource);
  if (!match) return undefined;
  const [, service = '', action = '', suffix] = match;
  if (!isTaskService(service)) return undefined;
  const integration = INTEGRATIONS[service];
  if (!integration.actions.includes(action)) return undefined;
  if (suffix !== undefined && !(suffix === CALLBACK_SUFFIX && integration.callback)) return undefined;
  return {
    kind: 'integration',
    service,
    action,
    pattern: suffix === CALLBACK_SUFFIX ? 'callback' : 'request-response',
  };
}

/** `resource` of the Task* history events: `invoke`, `invoke.waitForTaskToken`, `putItem` … */
export function historyResourceName(integration: TaskIntegration): string {
  return integration.pattern === 'callback' ? `${integration.action}${CALLBACK_SUFFIX}` : integration.action;
}

function isTaskService(service: string): service is TaskService {
  return Object.prototype.hasOwnProperty.call(INTEGRATIONS, service);
}
