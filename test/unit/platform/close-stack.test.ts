import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { CloseStack } from '../../../src/close-stack.js';

describe('CloseStack', () => {
  it('closes in reverse order of construction, exactly once however often close() is called', async () => {
    const order: string[] = [];
    const stack = new CloseStack(pino({ level: 'silent' }));
    for (const name of ['database', 'mcp', 'http']) stack.push(name, async () => void order.push(name));
    await Promise.all([stack.close(), stack.close()]);
    await stack.close();
    expect(order).toEqual(['http', 'mcp', 'database']);
  });

  it('runs every closer when one fails, then reports the first failure', async () => {
    const order: string[] = [];
    const stack = new CloseStack(pino({ level: 'silent' }));
    stack.push('database', async () => void order.push('database'));
    stack.push('mcp', async () => {
      throw new Error('mcp stuck');
    });
    stack.push('http', async () => void order.push('http'));
    await expect(stack.close()).rejects.toThrow('mcp stuck');
    expect(order).toEqual(['http', 'database']);
  });
});
