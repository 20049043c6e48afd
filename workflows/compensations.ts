import { log } from '@temporalio/workflow';

/**
 * Undo steps registered as resources are created, run in reverse order on success
 * (cleanup) and on failure or cancellation (compensation). Each runs once.
 */
export class Compensations {
  private readonly steps: { what: string; undo: () => Promise<unknown> }[] = [];

  add(what: string, undo: () => Promise<unknown>): void {
    this.steps.push({ what, undo });
  }

  async runAll(): Promise<void> {
    while (this.steps.length) {
      const step = this.steps.pop()!;
      try {
        await step.undo();
      } catch (err) {
        // One failed undo must not stop the others; the sweeper removes what is left.
        log.error('compensation failed', { step: step.what, error: String(err) });
      }
    }
  }
}
