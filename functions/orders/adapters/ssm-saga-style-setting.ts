import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import type { SagaStyle } from '../domain/order';
import type { SagaStyleSetting } from '../ports/saga-style-setting';

const STYLES: readonly SagaStyle[] = ['orchestrated', 'choreographed'];

/**
 * The saga style from an SSM parameter (`/shop/saga-style`), through Powertools Parameters: cached in
 * the execution environment for `maxAgeSeconds`, so an operator's change reaches new orders within that
 * time. A value that is no saga style is a misconfigured deployment: it fails the request (a 5xx), it is
 * never guessed.
 */
export class SsmSagaStyleSetting implements SagaStyleSetting {
  constructor(
    private readonly parameterName: string,
    private readonly maxAgeSeconds: number,
  ) {}

  async current(): Promise<SagaStyle> {
    const value = await getParameter(this.parameterName, { maxAge: this.maxAgeSeconds });
    if (value === undefined || !(STYLES as readonly string[]).includes(value)) {
      throw new Error(
        `The parameter ${this.parameterName} holds ${JSON.stringify(value)}, not one of ${STYLES.join(', ')}`,
      );
    }
    return value as SagaStyle;
  }
}
