import { Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import { REPO_ROOT } from '../paths.js';

/**
 * The one image of the worker fleet and the Batch children. Built from the repository's
 * Dockerfile as an asset: `cdk synth` only stages the build context (what .dockerignore
 * lets through) and hashes it, so it needs no Docker engine; `cdk deploy` builds and pushes.
 * A prebuilt image (context `drover:image`) skips the build entirely.
 */
export function droverImage(prebuilt?: string): ecs.ContainerImage {
  if (prebuilt) return ecs.ContainerImage.fromRegistry(prebuilt);
  return ecs.ContainerImage.fromAsset(REPO_ROOT, { file: 'Dockerfile', platform: Platform.LINUX_AMD64 });
}
