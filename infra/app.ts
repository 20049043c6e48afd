/**
 * The CDK app's entry: `npx cdk synth` / `npx cdk deploy` from the repository root (cdk.json
 * runs tsc first, then this file from dist/). Deploy-time values are stack parameters; see
 * infra/README.md.
 */
import { buildApp } from './build-app.js';

buildApp().app.synth();
