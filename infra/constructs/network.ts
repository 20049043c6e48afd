import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface NetworkProps {
  /** Look up the account's default VPC instead of creating one (default false). */
  useDefaultVpc?: boolean;
}

/**
 * Where the Fargate tasks run: public subnets, tasks get a public IP for egress. No NAT
 * gateway and no interface endpoints, so the network costs nothing at rest; the workers' and
 * the Batch tasks' security groups admit no inbound traffic, and the API tasks' (made with
 * the API) admit only its load balancer. The database lives in isolated subnets (no route
 * out, nothing routes in from the internet), reachable only from the workers' and the API
 * tasks' security groups.
 */
export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PUBLIC };
  /** Where the database goes: the isolated subnets, or in the default VPC (which has only public ones) its public subnets with no public address. */
  readonly databaseSubnets: ec2.SubnetSelection;
  /** The Batch children (scraper and catalog steps). */
  readonly securityGroup: ec2.SecurityGroup;
  /** The Temporal workers alone: the database admits it (and the API tasks' group). */
  readonly workerSecurityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    this.vpc = props.useDefaultVpc
      ? ec2.Vpc.fromLookup(this, 'Vpc', { isDefault: true })
      : new ec2.Vpc(this, 'Vpc', {
          maxAzs: 2,
          natGateways: 0,
          // The database subnets come after the public ones, so the public subnets keep their CIDR blocks.
          subnetConfiguration: [
            { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
            { name: 'database', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
          ],
          restrictDefaultSecurityGroup: true,
        });
    this.databaseSubnets = { subnetType: props.useDefaultVpc ? ec2.SubnetType.PUBLIC : ec2.SubnetType.PRIVATE_ISOLATED };
    this.securityGroup = new ec2.SecurityGroup(this, 'Tasks', {
      vpc: this.vpc,
      description: 'drover Fargate tasks: outbound only (Temporal, AWS APIs, the tax portal)',
      allowAllOutbound: true,
    });
    this.workerSecurityGroup = new ec2.SecurityGroup(this, 'Workers', {
      vpc: this.vpc,
      description: 'drover Temporal workers: outbound only (Temporal, AWS APIs, the tax portal, the database)',
      allowAllOutbound: true,
    });
  }
}
