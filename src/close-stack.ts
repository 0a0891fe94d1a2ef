import type { Logger } from 'pino';

/**
 * Teardown in reverse order of construction. close() is idempotent (every caller gets the same
 * promise), runs every closer even when one fails, and rethrows the first failure at the end.
 */
export class CloseStack {
  private readonly closers: Array<{ name: string; close: () => Promise<void> }> = [];
  private closing: Promise<void> | undefined;

  constructor(private readonly logger: Logger) {}

  push(name: string, close: () => Promise<void>): void {
    this.closers.push({ name, close });
  }

  close(): Promise<void> {
    return (this.closing ??= this.run());
  }

  private async run(): Promise<void> {
    let first: unknown;
    for (const { name, close } of this.closers.reverse()) {
      try {
        await close();
      } catch (err) {
        this.logger.error({ err, part: name }, 'platform:close:failed');
        first ??= err;
      }
    }
    if (first) throw first;
  }
}
