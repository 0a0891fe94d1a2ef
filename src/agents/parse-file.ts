import { parse as parseYaml, YAMLParseError } from 'yaml';
import { z } from 'zod';
import {
  agentDescription,
  agentName,
  agentType,
  capabilityList,
  configuration,
  modelName,
  systemPrompt,
  toolList,
  unique,
} from './fields.js';
import type { AgentDefinition } from './types.js';

/**
 * Agent files: markdown with YAML front matter, the sub-agent format coding-agent tools share
 * (Claude Code's `.claude/agents/*.md`):
 *
 *   ---
 *   name: site-checker
 *   description: Checks that a web site answers
 *   capabilities: web, monitoring        # list or comma-separated string
 *   tools: http.fetch                    # list or comma-separated string
 *   model: tinyllama                     # `inherit` or absent: the default model
 *   ---
 *   You are ... (the system prompt)
 *
 * Other front matter keys (`color`, ...) are ignored so files written for other tools load as is.
 */
export class AgentFileError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`${path}: ${reason}`);
    this.name = 'AgentFileError';
  }
}

/** A list given either as a YAML sequence or as one comma-separated string; empty means none. */
const commaList = z.preprocess((value) => {
  if (value === null || value === undefined) return [];
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
  return value;
}, z.array(z.unknown()));

const FrontMatterSchema = z.object({
  name: agentName,
  description: agentDescription.nullish(),
  type: agentType.nullish(),
  capabilities: commaList.pipe(capabilityList),
  tools: commaList.pipe(toolList),
  model: modelName.nullish(),
  configuration: configuration.nullish(),
});

const FRONT_MATTER = /^---[ \t]*\r?\n([\s\S]*?)^---[ \t]*(?:\r?\n|$)/m;

/** Parses one agent file; throws AgentFileError naming the path and what is wrong. */
export function parseAgentFile(text: string, path: string): AgentDefinition {
  const source = text.replace(/^\uFEFF/, '');
  if (!/^---[ \t]*\r?\n/.test(source)) {
    throw new AgentFileError(path, 'no front matter: the file must start with a line "---"');
  }
  const match = FRONT_MATTER.exec(source);
  if (!match || match.index !== 0) {
    throw new AgentFileError(path, 'front matter is not closed by a line "---"');
  }
  const data = parseFrontMatter(match[1]!, path);
  const body = source.slice(match[0].length).trim();
  if (body.length === 0) {
    throw new AgentFileError(path, 'the body (the system prompt) is empty');
  }
  const prompt = systemPrompt.safeParse(body);
  if (!prompt.success) throw new AgentFileError(path, `body: ${prompt.error.issues[0]!.message}`);
  return { ...data, systemPrompt: body };
}

function parseFrontMatter(yamlText: string, path: string): Omit<AgentDefinition, 'systemPrompt'> {
  let raw: unknown;
  try {
    raw = parseYaml(yamlText);
  } catch (err) {
    if (err instanceof YAMLParseError && err.linePos) {
      // +1: the front matter starts on the line after the opening `---`.
      const line = err.linePos[0].line + 1;
      throw new AgentFileError(path, `invalid YAML at line ${line}: ${firstLine(err.message)}`);
    }
    throw new AgentFileError(path, `invalid YAML: ${firstLine((err as Error).message)}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new AgentFileError(path, 'front matter must be a YAML mapping (key: value lines)');
  }
  const result = FrontMatterSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = issue.path.map(String).join('.') || '(front matter)';
    const message = /received undefined$/.test(issue.message) ? 'is required' : issue.message;
    throw new AgentFileError(path, `${key}: ${message}`);
  }
  const fm = result.data;
  return {
    name: fm.name,
    ...(fm.type ? { type: fm.type } : {}),
    description: fm.description ?? '',
    capabilities: unique(fm.capabilities),
    tools: unique(fm.tools),
    // `inherit` is how Claude Code files say "the default model".
    model: fm.model && fm.model !== 'inherit' ? fm.model : null,
    configuration: fm.configuration ?? {},
  };
}

/** The yaml library appends its own (front-matter relative) position; we report the file's line. */
function firstLine(message: string): string {
  return message
    .split('\n')[0]!
    .replace(/ at line \d+, column \d+:?$/, '')
    .trim();
}
