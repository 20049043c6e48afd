import { CfnParameter } from 'aws-cdk-lib';
import type { Construct } from 'constructs';

/** The deploy-time values, as CloudFormation parameters (`cdk deploy --parameters Name=value`). */
export interface DroverParameters {
  /** Temporal frontend `host:port`, e.g. `my-ns.a1b2c.tmprl.cloud:7233`. */
  temporalAddress: string;
  temporalNamespace: string;
  /**
   * Complete ARN of the Secrets Manager secret with the Temporal credentials: a JSON object
   * with `apiKey` (api-key auth) or `tlsCert` and `tlsKey` (PEM text, mtls auth).
   */
  temporalSecretArn: string;
  /** Base URL of the Temporal Web UI, for links in the emails. */
  temporalUiUrl: string;
  senderAddress: string;
  defaultRecipient: string;
  taxSourceUrl: string;
  /** Who gets the alarms; empty for none. */
  alarmEmail: string;
}

const EMAIL = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';

export function declareParameters(scope: Construct): DroverParameters {
  const p = (id: string, props: ConstructorParameters<typeof CfnParameter>[2]) => new CfnParameter(scope, id, props).valueAsString;
  return {
    temporalAddress: p('TemporalAddress', { type: 'String', description: 'Temporal frontend host:port (Temporal Cloud: <namespace>.<account>.tmprl.cloud:7233).', allowedPattern: '^[^\\s:]+:[0-9]+$' }),
    temporalNamespace: p('TemporalNamespace', { type: 'String', description: 'Temporal namespace (Temporal Cloud: <namespace>.<account>).', minLength: 1 }),
    temporalSecretArn: p('TemporalSecretArn', {
      type: 'String',
      description: 'Complete ARN of the Secrets Manager secret: JSON {"apiKey": "..."} or {"tlsCert": "PEM", "tlsKey": "PEM"}.',
      allowedPattern: '^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:.+-[A-Za-z0-9]{6}$',
    }),
    temporalUiUrl: p('TemporalUiUrl', { type: 'String', description: 'Temporal Web UI base URL, for links in emails.', default: 'https://cloud.temporal.io' }),
    senderAddress: p('SenderAddress', { type: 'String', description: 'SES sender address; the stack creates its identity and AWS mails a verification link.', allowedPattern: EMAIL }),
    defaultRecipient: p('DefaultRecipient', { type: 'String', description: 'Recipient of a report when the upload carries no notify metadata.', allowedPattern: EMAIL }),
    taxSourceUrl: p('TaxSourceUrl', { type: 'String', description: 'Base URL of the county tax portal the scraper reads.', allowedPattern: '^https?://.+' }),
    alarmEmail: p('AlarmEmail', { type: 'String', description: 'Address subscribed to the alarm topic (confirm the mail SNS sends); empty for none.', default: '' }),
  };
}
