import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { TemporalAuth } from '../context.js';

/** The JSON fields of the Temporal secret, per auth mode, and the setting each one fills. */
export const SECRET_FIELDS: Record<TemporalAuth, Record<string, string>> = {
  'api-key': { apiKey: 'TEMPORAL_API_KEY' },
  mtls: { tlsCert: 'TEMPORAL_TLS_CERT_PEM', tlsKey: 'TEMPORAL_TLS_KEY_PEM' },
};

export interface TemporalCredentialsProps {
  auth: TemporalAuth;
  /** Complete ARN of an existing secret (the stack never holds the credential itself). */
  secretArn: string;
}

/**
 * How the Temporal credential reaches each consumer. ECS injects the secret's fields into
 * the containers at start (execution role reads it; the value never enters the template).
 * The Lambda gets CloudFormation dynamic references, resolved at deploy time into its
 * encrypted environment, because the handler reads its settings from the environment.
 */
export class TemporalCredentials extends Construct {
  readonly secret: secretsmanager.ISecret;
  readonly ecsSecrets: Record<string, ecs.Secret>;
  readonly lambdaEnvironment: Record<string, string>;

  constructor(scope: Construct, id: string, props: TemporalCredentialsProps) {
    super(scope, id);
    this.secret = secretsmanager.Secret.fromSecretAttributes(this, 'Secret', { secretCompleteArn: props.secretArn });
    const fields = Object.entries(SECRET_FIELDS[props.auth]);
    this.ecsSecrets = Object.fromEntries(fields.map(([field, env]) => [env, ecs.Secret.fromSecretsManager(this.secret, field)]));
    this.lambdaEnvironment = Object.fromEntries(fields.map(([field, env]) => [env, this.secret.secretValueFromJson(field).unsafeUnwrap()]));
  }
}
