/** Lookups in a synthesized template, shared by the stack tests. */
import { expect } from '@jest/globals';
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { Synthesized } from './synth.js';

export type Ref = { Ref: string } | { 'Fn::GetAtt': [string, string] } | Record<string, unknown>;
export type Statement = { Sid?: string; Action: string | string[]; Resource: unknown; Effect: string; Condition?: unknown };
export type Resource = { Type: string; Properties: Record<string, unknown>; DeletionPolicy?: string; DependsOn?: string[] };

export function resources(s: Synthesized, type: string): Record<string, Resource> {
  return s.template.findResources(type) as Record<string, Resource>;
}

export function only(s: Synthesized, type: string): [string, Resource] {
  const found = Object.entries(resources(s, type));
  expect(found.length).toBe(1);
  return found[0]!;
}

/** The statements of every inline policy attached to the role with this logical id. */
export function roleStatements(s: Synthesized, roleId: string): Statement[] {
  return Object.values(resources(s, 'AWS::IAM::Policy'))
    .filter((p) => (p.Properties.Roles as Ref[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })))
    .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
}

/** The logical id of the resource at this construct path under the stack (`Database/SecurityGroup`). */
export function logicalIdOf(s: Synthesized, path: string): string {
  const construct = path.split('/').reduce<IConstruct>((scope, id) => scope.node.findChild(id), s.stack);
  return s.stack.getLogicalId(construct.node.defaultChild as CfnElement);
}
