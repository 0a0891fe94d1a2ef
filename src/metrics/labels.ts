/**
 * Bounded label values. Every label whose value can come from a request (model, tool, MCP method,
 * task type, backend) goes through one of these, so a caller cannot grow /metrics with made-up
 * names or put control bytes into the exposition: values outside the known set count as `other`.
 */
export const OTHER_LABEL = 'other';

/** Printable ASCII without quotes or backslashes, 1-100 characters: safe to expose as is. */
const SAFE = /^[\x21\x23-\x5b\x5d-\x7e][\x20\x21\x23-\x5b\x5d-\x7e]{0,99}$/;

export interface BoundedLabel {
  /** The value itself when known, `other` otherwise. */
  (value: string | null | undefined): string;
  /**
   * Adds a value proven real at run time (e.g. a model the backend answered for), while fewer
   * than `learnCap` were learned; values past the cap stay `other`.
   */
  learn(value: string): void;
  /** Replaces the configured values (e.g. after a config reload); learned ones are kept. */
  reset(known: Iterable<string>): void;
}

export interface BoundedLabelOptions {
  /** How many values `learn` may add (default 0: only the configured ones). */
  learnCap?: number;
}

export function boundedLabel(known: Iterable<string>, options: BoundedLabelOptions = {}): BoundedLabel {
  const cap = options.learnCap ?? 0;
  let configured = new Set<string>();
  const learned = new Set<string>();
  const label = ((value) =>
    typeof value === 'string' && (configured.has(value) || learned.has(value))
      ? value
      : OTHER_LABEL) as BoundedLabel;
  label.reset = (values) => {
    configured = new Set([...values].filter((v) => SAFE.test(v)));
  };
  label.learn = (value) => {
    if (learned.size < cap && SAFE.test(value) && !configured.has(value)) learned.add(value);
  };
  label.reset(known);
  return label;
}

/** A fixed vocabulary (MCP methods, outcomes): anything else is `other`. */
export function fixedLabel(values: readonly string[]): (value: string | null | undefined) => string {
  return boundedLabel(values);
}
