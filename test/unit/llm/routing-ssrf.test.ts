import { describe, expect, it } from 'vitest';
import { rankAgents, taskText } from '../../../src/agents/routing/index.js';
import { isBlockedAddress } from '../../../src/net/index.js';

describe('BM25 agent routing', () => {
  const agents = [
    {
      id: '1',
      name: 'weather-bot',
      description: 'Answers questions about the weather',
      capabilities: ['weather', 'forecast'],
    },
    {
      id: '2',
      name: 'code-reviewer',
      description: 'Reviews pull requests',
      capabilities: ['code', 'review', 'typescript'],
    },
    {
      id: '3',
      name: 'summarizer',
      description: 'Summarizes long documents and articles',
      capabilities: ['summarize', 'text'],
    },
  ];

  it('ranks the agent whose capabilities and description match the task text first, with a reason', () => {
    const ranked = rankAgents(
      agents,
      taskText({ type: 'doc.summarize', payload: { text: 'Summarize this article about forecast models' } }),
    );
    expect(ranked[0]).toMatchObject({ agentId: '3' });
    expect(ranked[0]!.reason).toMatch(/summarize/);
    expect(ranked.map((r) => r.agentId)).toContain('1'); // "forecast" matched weakly
  });

  it('returns nothing when no term matches', () => {
    expect(rankAgents(agents, 'zzz qqq')).toEqual([]);
  });

  it('flattens nested payloads into the task text', () => {
    expect(taskText({ type: 'a.b', payload: { x: ['deep', { y: 'deeper' }], n: 3 } })).toBe(
      'a b x deep y deeper n 3',
    );
  });
});

describe('SSRF address guard', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.1.2.3', true],
    ['172.20.0.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fe80::1', true],
    ['fd00::1', true],
    ['::ffff:127.0.0.1', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['2606:4700::1111', false],
  ])('%s blocked: %s', (address, blocked) => {
    expect(isBlockedAddress(address)).toBe(blocked);
  });
});
