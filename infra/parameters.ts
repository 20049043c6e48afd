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

/** The REST API's deploy-time values, declared only when the stack has the API (context `drover:api` not `none`). */
export interface ApiParameters {
  /** ACM certificate of the HTTPS listener, in the stack's region, for `domainName`. */
  certificateArn: string;
  /** The name clients use (a CNAME or alias of the load balancer), and the one the certificate covers. */
  domainName: string;
  /** Who may reach the load balancer on 443 (and 80, which only redirects). */
  ingressCidr: string;
}

export function declareApiParameters(scope: Construct): ApiParameters {
  const p = (id: string, props: ConstructorParameters<typeof CfnParameter>[2]) => new CfnParameter(scope, id, props).valueAsString;
  return {
    // Required: the API takes keys in a header, so it has no plain-HTTP listener to fall back to.
    certificateArn: p('ApiCertificateArn', {
      type: 'String',
      description: 'ARN of the ACM certificate of the API\'s HTTPS listener (same region as the stack), covering ApiDomainName.',
      allowedPattern: '^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]+$',
    }),
    domainName: p('ApiDomainName', {
      type: 'String',
      description: 'Host name of the API (point it at the ApiLoadBalancerDnsName output with a CNAME or alias record); the certificate must cover it.',
      allowedPattern: '^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
    }),
    ingressCidr: p('ApiIngressCidr', {
      type: 'String',
      description: 'IPv4 CIDR admitted to the API\'s load balancer on 443 (and 80, which redirects to 443).',
      default: '0.0.0.0/0',
      allowedPattern: '^([0-9]{1,3}\\.){3}[0-9]{1,3}/([0-9]|[1-2][0-9]|3[0-2])$',
    }),
  };
}
