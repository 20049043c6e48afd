import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SETTINGS } from '../../config/settings.js';
import { buildApp } from '../../infra/build-app.js';
import { synthesize, type Synthesized } from './synth.js';
import { logicalIdOf, only, resources, roleStatements, type Resource } from './template-query.js';

const IMAGE = { 'drover:image': 'example.invalid/drover:test' };
/** DROVER_API_PORT's documented default: where the container listens and the load balancer sends. */
const PORT = 4570;
const getAtt = (id: string, attr: string) => ({ 'Fn::GetAtt': [id, attr] });

type Container = {
  Name: string;
  Command: string[];
  Environment: { Name: string; Value: unknown }[];
  Secrets: { Name: string; ValueFrom: unknown }[];
  PortMappings?: { ContainerPort: number }[];
  LogConfiguration: { Options: Record<string, unknown> };
};
type Rule = { IpProtocol: string; FromPort?: number; ToPort?: number; CidrIp?: unknown; SourceSecurityGroupId?: unknown; DestinationSecurityGroupId?: unknown };

function containerOf(s: Synthesized, taskPath: string): Container {
  const task = resources(s, 'AWS::ECS::TaskDefinition')[logicalIdOf(s, taskPath)]!;
  const [container, ...more] = task.Properties.ContainerDefinitions as Container[];
  expect(more).toEqual([]);
  return container!;
}

/** Every ingress rule of a security group: inline ones and separate AWS::EC2::SecurityGroupIngress resources. */
function ingressOf(s: Synthesized, groupId: string): Rule[] {
  const group = resources(s, 'AWS::EC2::SecurityGroup')[groupId]!;
  const inline = (group.Properties.SecurityGroupIngress as Rule[] | undefined) ?? [];
  const separate = Object.values(resources(s, 'AWS::EC2::SecurityGroupIngress'))
    .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(getAtt(groupId, 'GroupId')))
    .map((r) => r.Properties as Rule);
  return [...inline, ...separate];
}

function egressOf(s: Synthesized, groupId: string): Rule[] {
  const group = resources(s, 'AWS::EC2::SecurityGroup')[groupId]!;
  const inline = (group.Properties.SecurityGroupEgress as Rule[] | undefined) ?? [];
  const separate = Object.values(resources(s, 'AWS::EC2::SecurityGroupEgress'))
    .filter((r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify(getAtt(groupId, 'GroupId')))
    .map((r) => r.Properties as Rule);
  return [...inline, ...separate];
}

/** The sides of a rule that say who and which port (CDK adds descriptions). */
const who = (r: Rule) => ({ IpProtocol: r.IpProtocol, FromPort: r.FromPort, ToPort: r.ToPort, CidrIp: r.CidrIp, SourceSecurityGroupId: r.SourceSecurityGroupId, DestinationSecurityGroupId: r.DestinationSecurityGroupId });
const rule = (r: Partial<Rule> & Pick<Rule, 'IpProtocol'>) => who(r as Rule);

function nagFindings(s: Synthesized): string[] {
  return new AwsSolutionsChecks(s.app).validateScope(s.stack).violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
}

describe('the REST API in the CDK stack', () => {
  let s: Synthesized;
  let ids: { lb: string; lbSg: string; apiSg: string; dbSg: string; workerSg: string; service: string; targetGroup: string; taskRole: string; task: string; attachment: string; bucket: string; accessLogs: string };
  beforeAll(() => {
    s = synthesize(IMAGE);
    ids = {
      lb: logicalIdOf(s, 'Api/LoadBalancer'),
      lbSg: logicalIdOf(s, 'Api/LoadBalancerGroup'),
      apiSg: logicalIdOf(s, 'Api/Tasks'),
      dbSg: logicalIdOf(s, 'Database/SecurityGroup'),
      workerSg: logicalIdOf(s, 'Network/Workers'),
      service: logicalIdOf(s, 'Api/Service'),
      targetGroup: only(s, 'AWS::ElasticLoadBalancingV2::TargetGroup')[0],
      taskRole: logicalIdOf(s, 'Api/TaskRole'),
      task: logicalIdOf(s, 'Api/Task'),
      attachment: only(s, 'AWS::SecretsManager::SecretTargetAttachment')[0],
      bucket: logicalIdOf(s, 'Storage/Input'),
      accessLogs: logicalIdOf(s, 'Storage/AccessLogs'),
    };
  });
  afterAll(() => s.dispose());

  it('listens on 443 with HTTPS, the ApiCertificateArn certificate and a TLS 1.3/1.2 policy, and on 80 only to redirect there', () => {
    const listeners = Object.values(resources(s, 'AWS::ElasticLoadBalancingV2::Listener')).map((l) => l.Properties);
    expect(listeners.map((l) => l.Port).sort()).toEqual([443, 80]);
    const https = listeners.find((l) => l.Port === 443)!;
    expect(https).toEqual({
      LoadBalancerArn: { Ref: ids.lb },
      Port: 443,
      Protocol: 'HTTPS',
      Certificates: [{ CertificateArn: { Ref: 'ApiCertificateArn' } }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: { Ref: ids.targetGroup } }],
    });
    const http = listeners.find((l) => l.Port === 80)!;
    expect(http).toEqual({
      LoadBalancerArn: { Ref: ids.lb },
      Port: 80,
      Protocol: 'HTTP',
      DefaultActions: [{ Type: 'redirect', RedirectConfig: { Protocol: 'HTTPS', Port: '443', StatusCode: 'HTTP_301' } }],
    });
    expect(resources(s, 'AWS::ElasticLoadBalancingV2::ListenerRule')).toEqual({});
  });

  it('requires the certificate as a parameter: no default, an ACM ARN', () => {
    const param = s.template.toJSON().Parameters.ApiCertificateArn as Record<string, unknown>;
    expect(param.Type).toBe('String');
    expect(param.Default).toBeUndefined();
    const pattern = new RegExp(param.AllowedPattern as string);
    expect(pattern.test('arn:aws:acm:eu-west-1:123456789012:certificate/0b6f1d2e-8c0a-4b1e-9f3a-2d5c7e9a1b3c')).toBe(true);
    expect(pattern.test('arn:aws:iam::123456789012:server-certificate/api')).toBe(false);
    expect(pattern.test('')).toBe(false);
  });

  it('is an internet-facing load balancer in two zones that writes access logs to the access-log bucket and drops malformed headers', () => {
    const lb = resources(s, 'AWS::ElasticLoadBalancingV2::LoadBalancer')[ids.lb]!;
    expect(lb.Properties.Scheme).toBe('internet-facing');
    expect(lb.Properties.SecurityGroups).toEqual([getAtt(ids.lbSg, 'GroupId')]);
    expect(lb.Properties.LoadBalancerAttributes).toEqual(
      expect.arrayContaining([
        { Key: 'access_logs.s3.enabled', Value: 'true' },
        { Key: 'access_logs.s3.bucket', Value: { Ref: ids.accessLogs } },
        { Key: 'access_logs.s3.prefix', Value: 'api-alb' },
        { Key: 'routing.http.drop_invalid_header_fields.enabled', Value: 'true' },
      ]),
    );
    const subnets = resources(s, 'AWS::EC2::Subnet');
    const zones = (lb.Properties.Subnets as { Ref: string }[]).map((r) => JSON.stringify(subnets[r.Ref]!.Properties.AvailabilityZone));
    expect(new Set(zones).size).toBe(2);
  });

  it('admits 443 and 80 from ApiIngressCidr to the load balancer, which sends only to the API tasks on the API port', () => {
    expect(ingressOf(s, ids.lbSg).map(who)).toEqual([
      rule({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, CidrIp: { Ref: 'ApiIngressCidr' } }),
      rule({ IpProtocol: 'tcp', FromPort: 80, ToPort: 80, CidrIp: { Ref: 'ApiIngressCidr' } }),
    ]);
    expect(egressOf(s, ids.lbSg).map(who)).toEqual([rule({ IpProtocol: 'tcp', FromPort: PORT, ToPort: PORT, DestinationSecurityGroupId: getAtt(ids.apiSg, 'GroupId') })]);
    expect(s.template.toJSON().Parameters.ApiIngressCidr).toEqual(expect.objectContaining({ Default: '0.0.0.0/0' }));
  });

  it('admits only the load balancer to the API tasks, on the API port', () => {
    expect(ingressOf(s, ids.apiSg).map(who)).toEqual([rule({ IpProtocol: 'tcp', FromPort: PORT, ToPort: PORT, SourceSecurityGroupId: getAtt(ids.lbSg, 'GroupId') })]);
    const service = resources(s, 'AWS::ECS::Service')[ids.service]!;
    const network = (service.Properties.NetworkConfiguration as { AwsvpcConfiguration: { SecurityGroups: unknown[]; AssignPublicIp: string } }).AwsvpcConfiguration;
    expect(network.SecurityGroups).toEqual([getAtt(ids.apiSg, 'GroupId')]);
    // No other resource (a Batch environment, the workers) uses the API's group: only its rules (load balancer in and out, the database in) name it.
    const users = Object.entries(s.template.toJSON().Resources as Record<string, Resource>).filter(
      ([id, r]) => id !== ids.service && id !== ids.apiSg && JSON.stringify(r).includes(JSON.stringify(getAtt(ids.apiSg, 'GroupId'))),
    );
    expect(users.map(([, r]) => r.Type).sort()).toEqual(['AWS::EC2::SecurityGroupEgress', 'AWS::EC2::SecurityGroupIngress', 'AWS::EC2::SecurityGroupIngress']);
  });

  it('admits the API tasks to the database on 5432 alone, beside the workers', () => {
    expect(ingressOf(s, ids.dbSg).map(who)).toEqual([
      rule({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: getAtt(ids.workerSg, 'GroupId') }),
      rule({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: getAtt(ids.apiSg, 'GroupId') }),
    ]);
  });

  it('runs 2 tasks of the API behind the target group, checked on /healthz, rolled back when a deployment fails', () => {
    const service = resources(s, 'AWS::ECS::Service')[ids.service]!;
    expect(service.Properties).toEqual(
      expect.objectContaining({
        Cluster: { Ref: logicalIdOf(s, 'Workers/Cluster') },
        TaskDefinition: { Ref: ids.task },
        DesiredCount: 2,
        LaunchType: 'FARGATE',
        LoadBalancers: [{ ContainerName: 'api', ContainerPort: PORT, TargetGroupArn: { Ref: ids.targetGroup } }],
        DeploymentConfiguration: expect.objectContaining({ DeploymentCircuitBreaker: { Enable: true, Rollback: true }, MinimumHealthyPercent: 100 }),
      }),
    );
    const subnets = (service.Properties.NetworkConfiguration as { AwsvpcConfiguration: { Subnets: { Ref: string }[] } }).AwsvpcConfiguration.Subnets;
    const all = resources(s, 'AWS::EC2::Subnet');
    expect(new Set(subnets.map((r) => JSON.stringify(all[r.Ref]!.Properties.AvailabilityZone))).size).toBe(2);

    const group = resources(s, 'AWS::ElasticLoadBalancingV2::TargetGroup')[ids.targetGroup]!;
    expect(group.Properties).toEqual(
      expect.objectContaining({ Port: PORT, Protocol: 'HTTP', TargetType: 'ip', HealthCheckPath: '/healthz', Matcher: { HttpCode: '200' } }),
    );
    // /healthz gives each dependency 3 s; the load balancer waits longer than that for its answer.
    expect(group.Properties.HealthCheckTimeoutSeconds as number).toBeGreaterThan(3);
  });

  it('starts node dist/api/main.js with the worker\'s Temporal settings and secrets and DATABASE_SECRET_JSON', () => {
    const api = containerOf(s, 'Api/Task');
    const worker = containerOf(s, 'Workers/Task');
    // The name the README's one-off task overrides the command of.
    expect(api.Name).toBe('api');
    expect(api.Command).toEqual(['node', 'dist/api/main.js']);
    expect(api.PortMappings).toEqual([expect.objectContaining({ ContainerPort: PORT })]);
    const env = Object.fromEntries(api.Environment.map((e) => [e.Name, e.Value]));
    const workerEnv = Object.fromEntries(worker.Environment.map((e) => [e.Name, e.Value]));
    expect(Object.keys(env).sort()).toEqual([
      'BATCH_LOG_GROUP', 'DROVER_API_PORT', 'DROVER_API_TRUSTED_PROXIES', 'DROVER_BUCKET', 'DROVER_MAIL_FROM', 'DROVER_MAIL_TO', 'DROVER_TABLE_PREFIX',
      'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_TASK_QUEUE', 'TEMPORAL_UI_URL',
    ]);
    expect(env).toEqual(expect.objectContaining({ TEMPORAL_ADDRESS: { Ref: 'TemporalAddress' }, TEMPORAL_NAMESPACE: { Ref: 'TemporalNamespace' }, TEMPORAL_TASK_QUEUE: 'drover', DROVER_API_PORT: String(PORT), DROVER_API_TRUSTED_PROXIES: '1' }));
    for (const name of Object.keys(env).filter((n) => n !== 'DROVER_API_PORT' && n !== 'DROVER_API_TRUSTED_PROXIES')) expect({ name, value: env[name] }).toEqual({ name, value: workerEnv[name] });
    // The API refuses a DROVER_* name it does not know: every name here is a setting.
    const known = new Set<string>(SETTINGS.map((setting) => setting.env));
    expect(Object.keys(env).filter((n) => !known.has(n))).toEqual([]);

    expect(api.Secrets).toEqual(worker.Secrets);
    expect(api.Secrets).toEqual([
      { Name: 'TEMPORAL_API_KEY', ValueFrom: { 'Fn::Join': ['', [{ Ref: 'TemporalSecretArn' }, ':apiKey::']] } },
      { Name: 'DATABASE_SECRET_JSON', ValueFrom: { Ref: ids.attachment } },
    ]);
    expect(api.LogConfiguration.Options).toEqual(expect.objectContaining({ 'awslogs-group': { Ref: logicalIdOf(s, 'Api/Logs') }, 'awslogs-stream-prefix': 'api' }));
  });

  it('lets the API task read .xlsx objects of the input bucket, describe Batch jobs and read step logs, and nothing else', () => {
    expect(roleStatements(s, ids.taskRole)).toEqual([
      { Sid: 'ReadWorkbooks', Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [getAtt(ids.bucket, 'Arn'), '/*.xlsx']] } },
      { Sid: 'DescribeJobs', Effect: 'Allow', Action: 'batch:DescribeJobs', Resource: '*' },
      {
        Sid: 'ReadStepLogs',
        Effect: 'Allow',
        Action: 'logs:GetLogEvents',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:eu-west-1:123456789012:log-group:/aws/batch/job:*']] },
      },
    ]);
    const role = resources(s, 'AWS::IAM::Role')[ids.taskRole]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
  });

  it('lets the API\'s execution role read the two secrets it injects', () => {
    const task = resources(s, 'AWS::ECS::TaskDefinition')[ids.task]!;
    const executionRole = (task.Properties.ExecutionRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const reads = roleStatements(s, executionRole).filter((st) => JSON.stringify(st.Action).includes('secretsmanager:GetSecretValue'));
    expect(reads.map((st) => st.Resource)).toEqual([{ Ref: 'TemporalSecretArn' }, { Ref: ids.attachment }]);
  });

  it('lets the load balancer write its access logs under api-alb/ only', () => {
    const policy = Object.values(resources(s, 'AWS::S3::BucketPolicy')).find((p) => JSON.stringify(p.Properties.Bucket) === JSON.stringify({ Ref: ids.accessLogs }))!;
    const statements = (policy.Properties.PolicyDocument as { Statement: { Action: string; Principal?: unknown; Resource: unknown }[] }).Statement;
    // 156460612806: Elastic Load Balancing's log-delivery account in eu-west-1 (the ELB user guide's table).
    const puts = statements.filter((st) => st.Action === 's3:PutObject' && JSON.stringify(st.Principal).match(/156460612806|delivery\.logs/));
    expect(puts.length).toBe(2);
    for (const st of puts) expect(st.Resource).toEqual({ 'Fn::Join': ['', [getAtt(ids.accessLogs, 'Arn'), '/api-alb/AWSLogs/123456789012/*']] });
  });

  it('outputs the API URL and what a one-off task of the API needs', () => {
    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ApiUrl!.Value).toEqual({ 'Fn::Join': ['', ['https://', { Ref: 'ApiDomainName' }]] });
    expect(outputs.ApiLoadBalancerDnsName!.Value).toEqual(getAtt(ids.lb, 'DNSName'));
    expect(outputs.ClusterName!.Value).toEqual({ Ref: logicalIdOf(s, 'Workers/Cluster') });
    expect(outputs.ApiTaskDefinition!.Value).toEqual({ Ref: ids.task });
    expect(outputs.ApiTaskSecurityGroup!.Value).toEqual(getAtt(ids.apiSg, 'GroupId'));
    expect(outputs.ApiLogGroup!.Value).toEqual({ Ref: logicalIdOf(s, 'Api/Logs') });
    const service = resources(s, 'AWS::ECS::Service')[ids.service]!;
    const subnets = (service.Properties.NetworkConfiguration as { AwsvpcConfiguration: { Subnets: unknown[] } }).AwsvpcConfiguration.Subnets;
    expect(outputs.ApiTaskSubnets!.Value).toEqual({ 'Fn::Join': [',', subnets] });
  });

  it('names in both READMEs only outputs the stack has, and the container the one-off task overrides', () => {
    const outputs = Object.keys(s.template.toJSON().Outputs as object);
    for (const file of ['README.md', 'infra/README.md']) {
      const text = readFileSync(file, 'utf8');
      // `OutputKey=='Name'` in a query, `$(out Name)` through the README's helper.
      const named = [...text.matchAll(/OutputKey=='(\w+)'|\$\(out (\w+)\)/g)].map((m) => (m[1] ?? m[2])!);
      expect({ file, missing: named.filter((n) => !outputs.includes(n)) }).toEqual({ file, missing: [] });
      expect({ file, oneOff: ['ClusterName', 'ApiTaskDefinition', 'ApiTaskSubnets', 'ApiTaskSecurityGroup', 'ApiLogGroup'].filter((n) => !named.includes(n)) }).toEqual({ file, oneOff: [] });
      expect({ file, command: text.includes('{"containerOverrides":[{"name":"api","command":["node","dist/cli/drover.js","api-key","create","first-admin","--role","admin","--json"]}]}') }).toEqual({ file, command: true });
    }
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged, and every acknowledgement under the API gives its reason', () => {
    expect(nagFindings(s)).toEqual([]);
    const acks = s.stack.node
      .findAll()
      .filter((c) => c.node.path.startsWith('Drover/Api'))
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).flatMap((m) => Object.entries(m.data as Record<string, string>)));
    expect(acks.length).toBeGreaterThan(0);
    for (const [id, reason] of acks) expect({ id, reasonLength: reason.trim().length >= 40 }).toEqual({ id, reasonLength: true });
  });

  it('keeps the API off the internet with drover:api=internal, still HTTPS, and clean under cdk-nag', () => {
    const internal = synthesize({ ...IMAGE, 'drover:api': 'internal', 'drover:apiTasks': '3' });
    try {
      const [, lb] = only(internal, 'AWS::ElasticLoadBalancingV2::LoadBalancer');
      expect(lb.Properties.Scheme).toBe('internal');
      internal.template.hasResourceProperties('AWS::ElasticLoadBalancingV2::Listener', { Port: 443, Protocol: 'HTTPS', Certificates: [{ CertificateArn: { Ref: 'ApiCertificateArn' } }] });
      const [, service] = Object.entries(resources(internal, 'AWS::ECS::Service')).find(([id]) => id === logicalIdOf(internal, 'Api/Service'))!;
      expect(service.Properties.DesiredCount).toBe(3);
      expect(nagFindings(internal)).toEqual([]);
    } finally {
      internal.dispose();
    }
  });

  it('leaves the API, its parameters and its database rule out with drover:api=none, still clean under cdk-nag', () => {
    const none = synthesize({ ...IMAGE, 'drover:api': 'none' });
    try {
      expect(resources(none, 'AWS::ElasticLoadBalancingV2::LoadBalancer')).toEqual({});
      expect(Object.keys(resources(none, 'AWS::ECS::Service'))).toEqual([logicalIdOf(none, 'Workers/Service')]);
      expect(Object.keys(none.template.toJSON().Parameters as object).filter((p) => p.startsWith('Api'))).toEqual([]);
      expect(Object.keys(none.template.toJSON().Outputs as object).filter((o) => o.startsWith('Api'))).toEqual([]);
      expect(ingressOf(none, logicalIdOf(none, 'Database/SecurityGroup')).map(who)).toEqual([
        rule({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: getAtt(logicalIdOf(none, 'Network/Workers'), 'GroupId') }),
      ]);
      expect(nagFindings(none)).toEqual([]);
    } finally {
      none.dispose();
    }
  });

  it('refuses an unknown drover:api, and a stack with the API but no region, whose access-log policy needs one', () => {
    expect(() => synthesize({ ...IMAGE, 'drover:api': 'private' })).toThrow(expect.objectContaining({ code: 'INFRA_CONTEXT', message: 'drover:api=private: expected public, internal, none' }));
    const outdir = mkdtempSync(join(tmpdir(), 'drover-cdk-'));
    try {
      const agnostic = { account: undefined, region: undefined };
      expect(() => buildApp({ outdir, env: agnostic, context: IMAGE })).toThrow(expect.objectContaining({ code: 'INFRA_CONTEXT', message: expect.stringMatching(/^the API's load balancer writes access logs/) }));
      expect(() => buildApp({ outdir, env: agnostic, context: { ...IMAGE, 'drover:api': 'none' } })).not.toThrow();
    } finally {
      rmSync(outdir, { recursive: true, force: true });
    }
  });
});
