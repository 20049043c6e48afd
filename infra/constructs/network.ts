import * as ec2 from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';

export interface NetworkProps {
  /** Look up the account's default VPC instead of creating one (default false). */
  useDefaultVpc?: boolean;
}

/**
 * Where the Fargate tasks run: public subnets only, tasks get a public IP for egress, and
 * nothing listens. No NAT gateway and no interface endpoints, so the network costs nothing
 * at rest; the security group admits no inbound traffic.
 */
export class Network extends Construct {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection = { subnetType: ec2.SubnetType.PUBLIC };
  readonly securityGroup: ec2.SecurityGroup;

  constructor(scope: Construct, id: string, props: NetworkProps = {}) {
    super(scope, id);
    this.vpc = props.useDefaultVpc
      ? ec2.Vpc.fromLookup(this, 'Vpc', { isDefault: true })
      : new ec2.Vpc(this, 'Vpc', {
          maxAzs: 2,
          natGateways: 0,
          subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
          restrictDefaultSecurityGroup: true,
        });
    this.securityGroup = new ec2.SecurityGroup(this, 'Tasks', {
      vpc: this.vpc,
      description: 'drover Fargate tasks: outbound only (Temporal, AWS APIs, the tax portal)',
      allowAllOutbound: true,
    });
  }
}
