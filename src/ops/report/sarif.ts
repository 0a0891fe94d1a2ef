import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RULES } from '../rules/catalogue.js';
import type { Report, Severity } from '../types.js';
import { DOCTOR_VERSION } from '../types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** The base every artifact URI is relative to; the run defines it (code scanning needs this). */
export const SRCROOT = '%SRCROOT%';

function artifactLocation(file: string, baseDir: string): { uri: string; uriBaseId?: string } {
  const rel = path.relative(baseDir, file);
  if (!rel.startsWith('..') && !path.isAbsolute(rel))
    return { uri: rel.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
  return { uri: pathToFileURL(file).href };
}

/**
 * SARIF 2.1.0 with one run; results carry compose file:line locations where known, relative to
 * %SRCROOT% (= baseDir, defined in originalUriBaseIds); files outside it get absolute file: URIs.
 */
export function toSarif(report: Report, baseDir = process.cwd()): Record<string, unknown> {
  const base = pathToFileURL(path.resolve(baseDir)).href.replace(/\/?$/, '/');
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'sutazai-doctor',
            version: DOCTOR_VERSION,
            informationUri: 'https://github.com/sutazai/sutazai/blob/main/docs/doctor.md',
            rules: RULES.map((r) => ({
              id: r.id,
              name: r.title,
              shortDescription: { text: r.title },
              fullDescription: { text: r.rationale },
              help: { text: r.remediation },
              defaultConfiguration: { level: LEVEL[r.severity] },
              properties: { category: r.category, fix: r.fix, severity: r.severity },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: base } },
        invocations: [
          {
            executionSuccessful: !report.partial,
            toolExecutionNotifications: report.sources
              .filter((s) => s.status === 'failed')
              .map((s) => ({ level: 'error', message: { text: `${s.name}: ${s.reason ?? 'failed'}` } })),
          },
        ],
        results: report.findings.map((f) => ({
          ruleId: f.ruleId,
          ruleIndex: RULES.findIndex((r) => r.id === f.ruleId),
          level: LEVEL[f.severity],
          message: { text: f.message },
          ...(f.location
            ? {
                locations: [
                  {
                    physicalLocation: {
                      artifactLocation: artifactLocation(f.location.file, path.resolve(baseDir)),
                      region: { startLine: Math.max(1, f.location.line) },
                    },
                  },
                ],
              }
            : {}),
          partialFingerprints: { doctorFingerprint: f.fingerprint },
          ...(f.suppressed
            ? { suppressions: [{ kind: 'external', justification: f.suppressed.reason }] }
            : {}),
          properties: {
            service: f.service,
            severity: f.severity,
            evidence: f.evidence,
            ...(f.container ? { container: f.container } : {}),
          },
        })),
      },
    ],
  };
}
