import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AwsSolutionsChecks } from 'cdk-nag';
import { synthesize, type Synthesized } from './synth.js';
import { logicalIdOf, only, resources, roleStatements } from './template-query.js';

const asList = <T>(x: T | T[]): T[] => (Array.isArray(x) ? x : [x]);
/** `arn:<partition>:<rest>` as CDK writes an ARN it formats in a stack with a known account and region. */
const arn = (rest: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:${rest}`]] });
const STEP_DEFINITIONS = arn('batch:eu-west-1:123456789012:job-definition/drover-step-*');
const BATCH_LOGS = arn('logs:eu-west-1:123456789012:log-group:/aws/batch/job:*');

describe('the job catalog in the CDK stack', () => {
  let s: Synthesized;
  let ids: { instance: string; dbSg: string; workerSg: string; tasksSg: string; jobRole: string; executionRole: string; taskRole: string; attachment: string; queue: string };
  beforeAll(() => {
    s = synthesize({ 'drover:image': 'example.invalid/drover:test' });
    ids = {
      instance: only(s, 'AWS::RDS::DBInstance')[0],
      dbSg: logicalIdOf(s, 'Database/SecurityGroup'),
      workerSg: logicalIdOf(s, 'Network/Workers'),
      tasksSg: logicalIdOf(s, 'Network/Tasks'),
      jobRole: logicalIdOf(s, 'Steps/JobRole'),
      executionRole: logicalIdOf(s, 'Scrape/Child/ExecutionRole'),
      taskRole: logicalIdOf(s, 'Workers/TaskRole'),
      attachment: only(s, 'AWS::SecretsManager::SecretTargetAttachment')[0],
      queue: only(s, 'AWS::Batch::JobQueue')[0],
    };
  });
  afterAll(() => s.dispose());

  it('runs PostgreSQL 17 encrypted, not publicly accessible, protected from deletion, with 7 days of backups', () => {
    const [, db] = only(s, 'AWS::RDS::DBInstance');
    expect(db.Properties).toEqual(
      expect.objectContaining({
        Engine: 'postgres',
        EngineVersion: '17',
        StorageEncrypted: true,
        PubliclyAccessible: false,
        DeletionProtection: true,
        BackupRetentionPeriod: 7,
        DBName: 'drover',
        Port: '5432',
        VPCSecurityGroups: [{ 'Fn::GetAtt': [ids.dbSg, 'GroupId'] }],
      }),
    );
    expect(db.DeletionPolicy).toBe('Snapshot');
  });

  it('places it in isolated subnets: no route out of them, no public address on launch', () => {
    const [, group] = only(s, 'AWS::RDS::DBSubnetGroup');
    const subnetIds = (group.Properties.SubnetIds as { Ref: string }[]).map((r) => r.Ref);
    expect(subnetIds.length).toBe(2);
    const subnets = resources(s, 'AWS::EC2::Subnet');
    const associations = Object.values(resources(s, 'AWS::EC2::SubnetRouteTableAssociation'));
    const routes = Object.values(resources(s, 'AWS::EC2::Route'));
    for (const id of subnetIds) {
      const subnet = subnets[id]!;
      expect(subnet.Properties.MapPublicIpOnLaunch).toBe(false);
      expect(subnet.Properties.Tags).toEqual(expect.arrayContaining([{ Key: 'aws-cdk:subnet-type', Value: 'Isolated' }]));
      const tables = associations.filter((a) => JSON.stringify(a.Properties.SubnetId) === JSON.stringify({ Ref: id })).map((a) => JSON.stringify(a.Properties.RouteTableId));
      expect(tables.length).toBe(1);
      expect(routes.filter((r) => tables.includes(JSON.stringify(r.Properties.RouteTableId)))).toEqual([]);
    }
  });

  it('generates the credentials into Secrets Manager, with the database name, and attaches them to the instance', () => {
    const [secretId, secret] = only(s, 'AWS::SecretsManager::Secret');
    expect(secret.Properties.GenerateSecretString).toEqual(
      expect.objectContaining({ SecretStringTemplate: '{"username":"drover","dbname":"drover"}', GenerateStringKey: 'password' }),
    );
    s.template.hasResourceProperties('AWS::SecretsManager::SecretTargetAttachment', {
      SecretId: { Ref: secretId },
      TargetId: { Ref: ids.instance },
      TargetType: 'AWS::RDS::DBInstance',
    });
  });

  it('admits PostgreSQL from the workers\' and the API tasks\' security groups alone, which no Batch job shares', () => {
    const dbSg = resources(s, 'AWS::EC2::SecurityGroup')[ids.dbSg]!;
    expect(dbSg.Properties.SecurityGroupIngress).toBeUndefined();
    const ingress = Object.values(resources(s, 'AWS::EC2::SecurityGroupIngress')).filter(
      (r) => JSON.stringify(r.Properties.GroupId) === JSON.stringify({ 'Fn::GetAtt': [ids.dbSg, 'GroupId'] }),
    );
    expect(ingress.map((r) => r.Properties)).toEqual([
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [ids.workerSg, 'GroupId'] } }),
      expect.objectContaining({ IpProtocol: 'tcp', FromPort: 5432, ToPort: 5432, SourceSecurityGroupId: { 'Fn::GetAtt': [logicalIdOf(s, 'Api/Tasks'), 'GroupId'] } }),
    ]);
    const service = resources(s, 'AWS::ECS::Service')[logicalIdOf(s, 'Workers/Service')]!;
    expect((service.Properties.NetworkConfiguration as { AwsvpcConfiguration: { SecurityGroups: unknown } }).AwsvpcConfiguration.SecurityGroups).toEqual([
      { 'Fn::GetAtt': [ids.workerSg, 'GroupId'] },
    ]);
    for (const env of Object.values(resources(s, 'AWS::Batch::ComputeEnvironment'))) {
      expect((env.Properties.ComputeResources as { SecurityGroupIds: unknown }).SecurityGroupIds).toEqual([{ 'Fn::GetAtt': [ids.tasksSg, 'GroupId'] }]);
    }
  });

  it('injects the attached secret whole into the worker as DATABASE_SECRET_JSON, and the step roles as settings', () => {
    const task = resources(s, 'AWS::ECS::TaskDefinition')[logicalIdOf(s, 'Workers/Task')]!;
    const [container] = task.Properties.ContainerDefinitions as { Secrets: { Name: string; ValueFrom: unknown }[]; Environment: { Name: string; Value: unknown }[] }[];
    expect(container!.Secrets).toEqual(expect.arrayContaining([{ Name: 'DATABASE_SECRET_JSON', ValueFrom: { Ref: ids.attachment } }]));
    const env = Object.fromEntries(container!.Environment.map((e) => [e.Name, e.Value]));
    expect(env.DATABASE_URL).toBeUndefined();
    expect(env.BATCH_STEP_JOB_ROLE_ARN).toEqual({ 'Fn::GetAtt': [ids.jobRole, 'Arn'] });
    expect(env.BATCH_STEP_EXECUTION_ROLE_ARN).toEqual({ 'Fn::GetAtt': [ids.executionRole, 'Arn'] });
    expect(env.BATCH_STEP_IMAGE).toBe('example.invalid/drover:test');
    expect(env.BATCH_LOG_GROUP).toBe('/aws/batch/job');
    // ECS reads the secret with the task's execution role when the task starts.
    const executionRoleId = (task.Properties.ExecutionRoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    expect(roleStatements(s, executionRoleId)).toEqual(
      expect.arrayContaining([expect.objectContaining({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: { Ref: ids.attachment } })]),
    );
  });

  it('lets a step\'s job role read templates/*, read and write jobs/*, write reports/jobs/* of the input bucket, and nothing else', () => {
    const bucket = logicalIdOf(s, 'Storage/Input');
    const objects = (prefix: string) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket, 'Arn'] }, `/${prefix}*`]] });
    expect(roleStatements(s, ids.jobRole)).toEqual([
      { Sid: 'ReadTemplates', Effect: 'Allow', Action: 's3:GetObject', Resource: objects('templates/') },
      { Sid: 'StepWork', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: objects('jobs/') },
      { Sid: 'StepReports', Effect: 'Allow', Action: 's3:PutObject', Resource: objects('reports/jobs/') },
    ]);
    const role = resources(s, 'AWS::IAM::Role')[ids.jobRole]!;
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(role.Properties.Policies).toBeUndefined();
    expect(role.Properties.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' } }],
    });
  });

  it('lets the worker register, describe, deregister and submit drover-step-* definitions, pass the two step roles to Batch only, and read step logs', () => {
    const statements = roleStatements(s, ids.taskRole);
    const bySid = Object.fromEntries(statements.filter((st) => st.Sid).map((st) => [st.Sid, st]));
    expect(bySid.ManageStepDefinitions).toEqual({
      Sid: 'ManageStepDefinitions',
      Effect: 'Allow',
      Action: ['batch:RegisterJobDefinition', 'batch:DeregisterJobDefinition', 'batch:TagResource'],
      Resource: STEP_DEFINITIONS,
    });
    // DescribeJobDefinitions has no resource-level permissions: "*" is the only resource it takes.
    expect(bySid.DescribeStepDefinitions).toEqual({ Sid: 'DescribeStepDefinitions', Effect: 'Allow', Action: 'batch:DescribeJobDefinitions', Resource: '*' });
    expect(bySid.SubmitSteps).toEqual({ Sid: 'SubmitSteps', Effect: 'Allow', Action: 'batch:SubmitJob', Resource: [{ 'Fn::GetAtt': [ids.queue, 'JobQueueArn'] }, STEP_DEFINITIONS] });
    expect(bySid.PassStepRoles).toEqual({
      Sid: 'PassStepRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: [{ 'Fn::GetAtt': [ids.jobRole, 'Arn'] }, { 'Fn::GetAtt': [ids.executionRole, 'Arn'] }],
      Condition: { StringEquals: { 'iam:PassedToService': 'batch.amazonaws.com' } },
    });
    expect(bySid.ReadStepLogs).toEqual({ Sid: 'ReadStepLogs', Effect: 'Allow', Action: 'logs:GetLogEvents', Resource: BATCH_LOGS });
    // PassRole appears nowhere else, and the worker keeps what it had.
    expect(statements.filter((st) => asList(st.Action).includes('iam:PassRole'))).toEqual([bySid.PassStepRoles]);
    expect(Object.keys(bySid)).toEqual(expect.arrayContaining(['RunTables', 'BucketObjects', 'BucketList', 'SubmitScraper', 'ManageJobs', 'WatchJobs']));
  });

  it('lets the steps\' execution role write their log streams in /aws/batch/job', () => {
    expect(roleStatements(s, ids.executionRole)).toEqual(
      expect.arrayContaining([{ Sid: 'WriteStepLogs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: BATCH_LOGS }]),
    );
  });

  it('leaves no cdk-nag AwsSolutions finding unacknowledged', () => {
    const report = new AwsSolutionsChecks(s.app).validateScope(s.stack);
    expect(report.violations.map((v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
  });

  it('drops the protection, the final snapshot and kept backups with drover:dbDeletionProtection=false, still clean under cdk-nag', () => {
    const throwaway = synthesize({ 'drover:image': 'example.invalid/drover:test', 'drover:dbDeletionProtection': 'false', 'drover:dbBackupDays': '1' });
    try {
      const [, db] = only(throwaway, 'AWS::RDS::DBInstance');
      expect(db.Properties).toEqual(expect.objectContaining({ DeletionProtection: false, BackupRetentionPeriod: 1, DeleteAutomatedBackups: true }));
      expect(db.DeletionPolicy).toBe('Delete');
      expect(new AwsSolutionsChecks(throwaway.app).validateScope(throwaway.stack).violations).toEqual([]);
    } finally {
      throwaway.dispose();
    }
  });

  it('refuses a backup retention RDS does not offer', () => {
    expect(() => synthesize({ 'drover:image': 'example.invalid/drover:test', 'drover:dbBackupDays': '36' })).toThrow(
      expect.objectContaining({ code: 'INFRA_CONTEXT', message: 'drover:dbBackupDays=36: expected a whole number from 1 to 35' }),
    );
    expect(() => synthesize({ 'drover:image': 'example.invalid/drover:test', 'drover:dbDeletionProtection': 'no' })).toThrow(
      expect.objectContaining({ code: 'INFRA_CONTEXT', message: 'drover:dbDeletionProtection=no: expected true or false' }),
    );
  });
});
