import { DockerImageAsset, Platform } from 'aws-cdk-lib/aws-ecr-assets';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import type { Construct } from 'constructs';
import { REPO_ROOT } from '../paths.js';

export interface DroverImage {
  /** For the worker's task and the scraper's job definition (binding it lets their execution roles pull it). */
  image: ecs.ContainerImage;
  /** Its reference, for the step job definitions the worker registers itself (`BATCH_STEP_IMAGE`). */
  uri: string;
}

/**
 * The one image of the worker fleet, the Batch children and the catalog's steps. Built from
 * the repository's Dockerfile as an asset: `cdk synth` only stages the build context (what
 * .dockerignore lets through) and hashes it, so it needs no Docker engine; `cdk deploy`
 * builds and pushes. A prebuilt image (context `drover:image`) skips the build entirely.
 */
export function droverImage(scope: Construct, prebuilt?: string): DroverImage {
  if (prebuilt) return { image: ecs.ContainerImage.fromRegistry(prebuilt), uri: prebuilt };
  // The asset made here rather than by ContainerImage.fromAsset, so its URI is known outside a container definition.
  const asset = new DockerImageAsset(scope, 'Image', { directory: REPO_ROOT, file: 'Dockerfile', platform: Platform.LINUX_AMD64 });
  return { image: ecs.ContainerImage.fromDockerImageAsset(asset), uri: asset.imageUri };
}
