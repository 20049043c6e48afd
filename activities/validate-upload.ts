import { join } from 'node:path';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { SheetError, validateWorkbookFile } from '../sheet/index.js';
import type { ActivityDeps } from './deps.js';
import { failPermanently } from './failures.js';
import { downloadToFile, withTempDir } from '../storage/s3-files.js';

const isSheetError = (err: unknown): err is SheetError => err instanceof SheetError;

/** Fails the run before any lookup when the upload is not a usable workbook. */
export function validateUploadActivity({ aws, config, tmpDir }: ActivityDeps) {
  return async function validateUpload({ bucket, key }: { bucket: string; key: string }): Promise<{ bytes: number; rows?: number }> {
    const head = await aws.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = head.ContentLength ?? 0;
    // Refuse an oversized file from its size alone, before downloading any of it.
    if (bytes > config.sheet.maxBytes) {
      failPermanently(
        new SheetError(`the file is ${bytes} bytes, over the limit of ${config.sheet.maxBytes} bytes (SHEET_MAX_BYTES)`, 'SHEET_TOO_LARGE'),
        isSheetError,
      );
    }
    return withTempDir(tmpDir, async (dir) => {
      const path = join(dir, 'upload.xlsx');
      await downloadToFile(aws.s3, bucket, key, path);
      try {
        return await validateWorkbookFile(path, config.sheet);
      } catch (err) {
        failPermanently(err, isSheetError);
      }
    });
  };
}
