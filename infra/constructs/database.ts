import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as rds from 'aws-cdk-lib/aws-rds';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The master user and the database the ledger's migrations run in. */
export const DATABASE_USER = 'drover';
export const DATABASE_NAME = 'drover';
export const DATABASE_PORT = 5432;

export interface DatabaseProps {
  vpc: ec2.IVpc;
  subnets: ec2.SubnetSelection;
  /** The workers' security group, admitted on the PostgreSQL port; `admit` adds the API's. */
  clients: ec2.ISecurityGroup;
  /** Deletion protection, a final snapshot and kept backups when the stack goes (context `drover:dbDeletionProtection`). */
  protect: boolean;
  /** Days of automated backups, 1 to 35 (point-in-time recovery within them). */
  backupDays: number;
}

/**
 * The catalog and the ledger of processes and tasks: one RDS PostgreSQL instance, not Aurora
 * Serverless v2. The ledger is small; a db.t4g.micro costs about a quarter of Aurora's
 * 0.5-ACU floor and answers the same every hour, while Aurora's scale-to-zero would make the
 * first query after a pause (a CLI command, a step's start) wait for the resume. Single-AZ
 * for the same cost reason: backups give point-in-time recovery.
 */
export class Database extends Construct {
  readonly instance: rds.DatabaseInstance;
  /** Username, password, host, port, dbname and engine as JSON (host and port written once the instance exists). */
  readonly secret: secretsmanager.ISecret;
  readonly securityGroup: ec2.SecurityGroup;
  readonly deletionProtection: boolean;
  /** What the worker container gets: the whole secret as `DATABASE_SECRET_JSON`, from which drover's config makes `DATABASE_URL`. */
  readonly ecsSecrets: Record<string, ecs.Secret>;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    this.deletionProtection = props.protect;
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      description: 'drover database: PostgreSQL from drover task security groups only (workers, API)',
      allowAllOutbound: false,
    });
    this.admit(props.clients, 'drover workers');

    // A DatabaseSecret rather than Credentials.fromGeneratedSecret: the same generated password,
    // but it can carry `dbname`, so the secret alone names everything DATABASE_URL needs.
    const credentials = new rds.DatabaseSecret(this, 'Credentials', { username: DATABASE_USER, dbname: DATABASE_NAME });
    this.instance = new rds.DatabaseInstance(this, 'Instance', {
      // Major version only: RDS applies the minor upgrades (autoMinorVersionUpgrade), and the
      // template never pins a minor that AWS retires or asks to go back to an older one.
      engine: rds.DatabaseInstanceEngine.postgres({ version: rds.PostgresEngineVersion.VER_17 }),
      instanceType: ec2.InstanceType.of(ec2.InstanceClass.T4G, ec2.InstanceSize.MICRO),
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [this.securityGroup],
      // Stated: CDK would make an instance in public subnets (the default VPC's) publicly accessible.
      publiclyAccessible: false,
      port: DATABASE_PORT,
      credentials: rds.Credentials.fromSecret(credentials),
      databaseName: DATABASE_NAME,
      storageEncrypted: true,
      storageType: rds.StorageType.GP3,
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      multiAz: false,
      autoMinorVersionUpgrade: true,
      caCertificate: rds.CaCertificate.RDS_CA_RSA2048_G1,
      backupRetention: Duration.days(props.backupDays),
      deletionProtection: props.protect,
      deleteAutomatedBackups: !props.protect,
      removalPolicy: props.protect ? RemovalPolicy.SNAPSHOT : RemovalPolicy.DESTROY,
    });
    // The attached secret (always set when credentials come from a secret): its reference makes a
    // task wait for the attachment that writes host and port into it.
    this.secret = this.instance.secret ?? credentials;
    this.ecsSecrets = { DATABASE_SECRET_JSON: ecs.Secret.fromSecretsManager(this.secret) };
  }

  /** Admits one more security group on the PostgreSQL port, and no other port: `who` names it in the rule. */
  admit(clients: ec2.ISecurityGroup, who: string): void {
    this.securityGroup.addIngressRule(clients, ec2.Port.tcp(DATABASE_PORT), who);
  }
}
