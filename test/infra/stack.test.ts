import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RUN_FAILED_PATTERN } from '../../infra/constructs/alarms.js';
import { synthesize, type Synthesized } from './synth.js';

type Statement = { Action: string | string[]; Resource: unknown; Effect: string };

function statements(s: Synthesized): Statement[] {
  return Object.values(s.template.findResources('AWS::IAM::Policy')).flatMap(
    (p) => (p as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement,
  );
}

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
const flat = (r: unknown): string => (typeof r === 'string' ? r : JSON.stringify(r));
/** The ledger database's secret, injected whole (catalog-stack.test.ts checks it in detail). */
const DATABASE_SECRET = Match.objectLike({ Name: 'DATABASE_SECRET_JSON' });

describe('the CDK stack', () => {
  let s: Synthesized;
  beforeAll(() => {
    s = synthesize();
  });
  afterAll(() => s.dispose());

  it('notifies the queue of .xlsx uploads under incoming/ only', () => {
    s.template.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: {
        QueueConfigurations: [
          {
            Events: ['s3:ObjectCreated:*'],
            Filter: { Key: { FilterRules: [{ Name: 'suffix', Value: '.xlsx' }, { Name: 'prefix', Value: 'incoming/' }] } },
          },
        ],
      },
    });
  });

  it('encrypts the input bucket, blocks public access, versions it and expires each prefix', () => {
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { LogFilePrefix: 'input/' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'reports/', ExpirationInDays: 365 }),
          Match.objectLike({ Prefix: 'processed/', ExpirationInDays: 90 }),
          Match.objectLike({ Prefix: 'failed/', ExpirationInDays: 180 }),
          Match.objectLike({ Prefix: 'tmp/', ExpirationInDays: 2, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('feeds the trigger Lambda from SQS reporting partial batch failures, with a DLQ and 6x visibility', () => {
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { FunctionResponseTypes: ['ReportBatchItemFailures'], BatchSize: 10 });
    s.template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs20.x', Timeout: 30, Handler: 'index.handler' });
    s.template.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 180,
      SqsManagedSseEnabled: true,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: Match.anyValue() },
    });
  });

  it('puts Fargate Spot first and on-demand Fargate second in the job queue', () => {
    const envs = s.template.findResources('AWS::Batch::ComputeEnvironment');
    const byType = Object.fromEntries(
      Object.entries(envs).map(([id, r]) => [(r as { Properties: { ComputeResources: { Type: string } } }).Properties.ComputeResources.Type, id]),
    );
    expect(Object.keys(byType).sort()).toEqual(['FARGATE', 'FARGATE_SPOT']);
    s.template.hasResourceProperties('AWS::Batch::JobQueue', {
      ComputeEnvironmentOrder: [
        { ComputeEnvironment: { 'Fn::GetAtt': [byType.FARGATE_SPOT, 'ComputeEnvironmentArn'] }, Order: 1 },
        { ComputeEnvironment: { 'Fn::GetAtt': [byType.FARGATE, 'ComputeEnvironmentArn'] }, Order: 2 },
      ],
    });
  });

  it('gives the scraper job 3 attempts, no retry on exit code 2, and a 30-minute timeout', () => {
    s.template.hasResourceProperties('AWS::Batch::JobDefinition', {
      PlatformCapabilities: ['FARGATE'],
      RetryStrategy: {
        Attempts: 3,
        EvaluateOnExit: [
          { Action: 'EXIT', OnExitCode: '2' },
          { Action: 'RETRY', OnReason: '*' },
        ],
      },
      Timeout: { AttemptDurationSeconds: 1800 },
      ContainerProperties: Match.objectLike({
        Command: ['node', 'dist/workers/child.bundle.js'],
        Environment: Match.arrayWith([Match.objectLike({ Name: 'TAX_SOURCE_URL' })]),
        NetworkConfiguration: { AssignPublicIp: 'ENABLED' },
        LogConfiguration: Match.objectLike({ LogDriver: 'awslogs' }),
      }),
    });
  });

  it('scopes every DynamoDB grant to the drover-run-* tables', () => {
    const dynamo = statements(s).filter((st) => asList(st.Action).some((a) => a.startsWith('dynamodb:')));
    expect(dynamo.length).toBe(2);
    for (const st of dynamo) {
      for (const r of asList(st.Resource)) expect(flat(r)).toMatch(/:table\/drover-run-\*"?\]*\}?\]*$/);
    }
    const worker = dynamo.find((st) => asList(st.Action).includes('dynamodb:CreateTable'))!;
    expect(asList(worker.Action)).toEqual(expect.arrayContaining(['dynamodb:CreateTable', 'dynamodb:DeleteTable', 'dynamodb:BatchWriteItem', 'dynamodb:Query']));
    const child = dynamo.find((st) => !asList(st.Action).includes('dynamodb:CreateTable'))!;
    expect(asList(child.Action).sort()).toEqual(['dynamodb:BatchWriteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  it('has no statement allowing every action on every resource, and only named actions on "*"', () => {
    const all = statements(s);
    expect(all.filter((st) => asList(st.Action).includes('*') && asList(st.Resource).includes('*'))).toEqual([]);
    const onStar = all.filter((st) => asList(st.Resource).includes('*')).flatMap((st) => asList(st.Action));
    expect([...new Set(onStar)].sort()).toEqual(['batch:DescribeJobDefinitions', 'batch:DescribeJobs', 'batch:ListJobs', 'ecr:GetAuthorizationToken']);
  });

  it('injects the Temporal API key into the worker from Secrets Manager, never as plain text, and starts it with its heap limit', () => {
    s.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Secrets: [{ Name: 'TEMPORAL_API_KEY', ValueFrom: { 'Fn::Join': ['', [{ Ref: 'TemporalSecretArn' }, ':apiKey::']] } }, DATABASE_SECRET],
          StopTimeout: 120,
          Command: ['node', '--max-old-space-size=192', 'dist/workers/worker.js'],
        }),
      ],
    });
  });

  it('gives the worker the image it runs as the image of catalog step definitions', () => {
    const tasks = Object.values(s.template.findResources('AWS::ECS::TaskDefinition')) as { Properties: { ContainerDefinitions: { Name: string; Image: unknown; Environment: { Name: string; Value: unknown }[] }[] } }[];
    const worker = tasks.flatMap((t) => t.Properties.ContainerDefinitions).find((c) => c.Name === 'worker');
    expect(worker!.Image).toEqual({ 'Fn::Sub': expect.stringMatching(/\.dkr\.ecr\..*container-assets.*:[0-9a-f]{64}$/) });
    expect(worker!.Environment.find((e) => e.Name === 'BATCH_STEP_IMAGE')?.Value).toEqual(worker!.Image);
  });

  it('alarms on dead letters and on the worker logging "run failed"', () => {
    s.template.hasResourceProperties('AWS::Logs::MetricFilter', { FilterPattern: RUN_FAILED_PATTERN, MetricTransformations: [Match.objectLike({ MetricName: 'RunsFailed', MetricNamespace: 'Drover' })] });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'RunsFailed', Threshold: 0 });
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    const open = report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`);
    expect(open).toEqual([]);
  });

  it('switches the credential to mTLS PEM settings with drover:temporalAuth=mtls', () => {
    const mtls = synthesize({ 'drover:temporalAuth': 'mtls', 'drover:image': 'example.invalid/drover:test' });
    try {
      mtls.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
        ContainerDefinitions: [
          Match.objectLike({
            Image: 'example.invalid/drover:test',
            Secrets: [
              { Name: 'TEMPORAL_TLS_CERT_PEM', ValueFrom: { 'Fn::Join': ['', [{ Ref: 'TemporalSecretArn' }, ':tlsCert::']] } },
              { Name: 'TEMPORAL_TLS_KEY_PEM', ValueFrom: { 'Fn::Join': ['', [{ Ref: 'TemporalSecretArn' }, ':tlsKey::']] } },
              DATABASE_SECRET,
            ],
          }),
        ],
      });
    } finally {
      mtls.dispose();
    }
  });

  it('refuses an unknown drover: context key', () => {
    expect(() => synthesize({ 'drover:workerMax': '2', 'drover:tempralAuth': 'mtls' })).toThrow(expect.objectContaining({ code: 'INFRA_CONTEXT', message: expect.stringMatching(/^drover:tempralAuth is not a drover context key; known: drover:temporalAuth, /) }));
  });
});
