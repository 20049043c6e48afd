/** Characters that are unsafe in a file name on some system or in an S3 key segment. */
const UNSAFE = /[\u0000-\u001f\u007f/\\:*?"<>|]/g;

/**
 * The report's file name, `credit-report-<input file stem>-<run id>.xlsx`.
 *
 * @param inputKey The input's S3 key or path; only its last segment counts, less its extension.
 * @param runId The run id (the workflow id).
 */
export function reportFileName(inputKey: string, runId: string): string {
  const base = inputKey.split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return `credit-report-${safe(stem) || 'input'}-${safe(runId)}.xlsx`;
}

function safe(text: string): string {
  return text.trim().replace(UNSAFE, '_');
}
