import path from 'node:path';
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

/** SARIF 2.1.0 with one run; results carry compose file:line locations where known. */
export function toSarif(report: Report, baseDir = process.cwd()): Record<string, unknown> {
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
                      artifactLocation: {
                        uri: path.relative(baseDir, f.location.file).split(path.sep).join('/'),
                      },
                      region: { startLine: f.location.line },
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
