/**
 * A function's credentials, where Lambda puts them: its role's, in the environment
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`).
 *
 * The bundles alias `@aws-sdk/credential-provider-node` (the SDK clients' default chain: environment,
 * SSO, ini files, a process, web identity, container and instance metadata, and the STS and SSO clients
 * those need) to this module (`ServiceFunction`), since a function never looks past its environment:
 * the rest of the chain is code each cold start would load for nothing. Code that runs elsewhere (tests,
 * scripts) is not bundled and keeps the whole chain.
 */
import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/** The name and shape the SDK clients' runtime configuration imports. */
export function defaultProvider(init: FromEnvInit = {}): AwsCredentialIdentityProvider {
  return fromEnv(init);
}
