import { describe, expect, it } from 'vitest';
import { AgentFileError, parseAgentFile } from '../../../src/agents/index.js';

function reasonOf(text: string): string {
  try {
    parseAgentFile(text, 'agents/x.md');
  } catch (err) {
    expect(err).toBeInstanceOf(AgentFileError);
    expect((err as AgentFileError).path).toBe('agents/x.md');
    return (err as AgentFileError).reason;
  }
  throw new Error('expected the file to be rejected');
}

describe('parseAgentFile', () => {
  it('reads a Claude Code style sub-agent file with comma-separated tools', () => {
    const text = [
      '---',
      'name: code-reviewer',
      'description: Reviews diffs for bugs',
      'tools: Read, Grep,  Glob',
      'model: inherit',
      'color: blue',
      '---',
      'You are a careful reviewer.',
      '',
      'Be brief.',
      '',
    ].join('\n');
    expect(parseAgentFile(text, 'a.md')).toEqual({
      name: 'code-reviewer',
      description: 'Reviews diffs for bugs',
      capabilities: [],
      tools: ['Read', 'Grep', 'Glob'],
      model: null,
      configuration: {},
      systemPrompt: 'You are a careful reviewer.\n\nBe brief.',
    });
  });

  it('accepts YAML lists, a type, a configuration mapping, CRLF line ends and a BOM', () => {
    const text =
      '\uFEFF---\r\nname: site-checker\r\ntype: monitor\r\ncapabilities:\r\n  - web\r\n  - monitoring\r\n' +
      'tools: [http.fetch, filesystem__read_file]\r\nmodel: tinyllama\r\nconfiguration:\r\n  max_steps: 4\r\n---\r\nCheck sites.\r\n';
    const def = parseAgentFile(text, 'b.md');
    expect(def).toMatchObject({
      name: 'site-checker',
      type: 'monitor',
      description: '',
      capabilities: ['web', 'monitoring'],
      tools: ['http.fetch', 'filesystem__read_file'],
      model: 'tinyllama',
      configuration: { max_steps: 4 },
      systemPrompt: 'Check sites.',
    });
  });

  it('splits comma strings for capabilities, drops empty items and duplicates', () => {
    const def = parseAgentFile('---\nname: a\ncapabilities: "web, ,web, search"\n---\nprompt', 'c.md');
    expect(def.capabilities).toEqual(['web', 'search']);
    expect(def.tools).toEqual([]);
  });

  it('treats an empty tools key as no tools', () => {
    expect(parseAgentFile('---\nname: a\ntools:\n---\nprompt', 'd.md').tools).toEqual([]);
  });

  it('rejects a file without a name', () => {
    expect(reasonOf('---\ndescription: nameless\n---\nprompt')).toBe('name: is required');
  });

  it('rejects a name that is not lower case', () => {
    expect(reasonOf('---\nname: Site Checker\n---\nprompt')).toMatch(/^name: must match/);
  });

  it('reports bad YAML with the line number in the file', () => {
    // Line 1 is the opening `---`; the nested mapping on line 4 is the error.
    const reason = reasonOf('---\nname: a\ntools: Read\ndescription: a: b\n---\nprompt');
    expect(reason).toMatch(/^invalid YAML at line 4: /);
  });

  it('rejects an empty body: an agent needs a system prompt', () => {
    expect(reasonOf('---\nname: a\n---\n   \n\n')).toBe('the body (the system prompt) is empty');
  });

  it('rejects a file without front matter, and one whose front matter is not closed', () => {
    expect(reasonOf('# Just markdown\n')).toMatch(/no front matter/);
    expect(reasonOf('---\nname: a\nprompt without a closing line\n')).toMatch(/not closed/);
  });

  it('rejects front matter that is not a mapping, and wrong types with the key named', () => {
    expect(reasonOf('---\n- a\n- b\n---\nprompt')).toMatch(/must be a YAML mapping/);
    expect(reasonOf('---\nname: a\ncapabilities: 5\n---\nprompt')).toMatch(/^capabilities: .*array/);
    expect(reasonOf('---\nname: a\ntools: [ "has space" ]\n---\nprompt')).toMatch(/^tools\.0: tool names/);
  });
});
