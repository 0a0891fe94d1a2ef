import { describe, expect, it } from 'vitest';
import { OTHER_LABEL, boundedLabel, fixedLabel } from '../../../src/metrics/index.js';

describe('bounded metric labels', () => {
  it('keeps known values and turns anything else into other', () => {
    const label = boundedLabel(['tinyllama', 'qwen2.5:7b']);
    expect(label('tinyllama')).toBe('tinyllama');
    expect(label('qwen2.5:7b')).toBe('qwen2.5:7b');
    for (const v of ['nope', '', undefined, null, 'tiny\u0000llama', 'a'.repeat(500)])
      expect(label(v)).toBe(OTHER_LABEL);
  });

  it('never exposes a configured value that is unsafe in the exposition format', () => {
    const label = boundedLabel(['ok', 'bad\u0000value', 'quo"te', 'back\\slash', 'new\nline']);
    expect(['ok', 'bad\u0000value', 'quo"te', 'back\\slash', 'new\nline'].map(label)).toEqual([
      'ok',
      OTHER_LABEL,
      OTHER_LABEL,
      OTHER_LABEL,
      OTHER_LABEL,
    ]);
  });

  it('learns at most learnCap proven values, and none by default', () => {
    const strict = boundedLabel(['a']);
    strict.learn('b');
    expect(strict('b')).toBe(OTHER_LABEL);
    const learning = boundedLabel(['a'], { learnCap: 2 });
    for (const v of ['b', 'c', 'd', 'e']) learning.learn(v);
    expect(['b', 'c', 'd', 'e'].map(learning)).toEqual(['b', 'c', OTHER_LABEL, OTHER_LABEL]);
  });

  it('reset replaces the configured values', () => {
    const label = boundedLabel(['a']);
    label.reset(['b']);
    expect([label('a'), label('b')]).toEqual([OTHER_LABEL, 'b']);
  });

  it('fixedLabel is a closed vocabulary', () => {
    const method = fixedLabel(['tools/call']);
    expect([method('tools/call'), method('x/evil')]).toEqual(['tools/call', OTHER_LABEL]);
  });
});
