import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

const MOD = 1n << 256n;

/**
 * An order-independent digest of a set of rows: the sum of each row's sha256 modulo 2^256. Rows
 * come back from a table in any order, and holding 100,000 rows to sort them is what this avoids.
 */
export class RowsDigest {
  private sum = 0n;
  count = 0;

  add(line: string): void {
    this.sum = (this.sum + BigInt(`0x${createHash('sha256').update(line).digest('hex')}`)) % MOD;
    this.count++;
  }

  hex(): string {
    return this.sum.toString(16).padStart(64, '0');
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
