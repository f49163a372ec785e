/**
 * Classifies input for injection attempts so they can be recorded as security events. It
 * never alters or rejects anything by itself: "O'Brien", "<5 mg" and "1/2 tab at night"
 * are real clinic data and are stored exactly as typed. Rejection is the schemas' job, and
 * safety comes from bound SQL parameters and text-only rendering, not from this filter.
 */

export type InjectionCategory = 'sql' | 'nosql' | 'script' | 'command' | 'path' | 'template' | 'prototype';

export interface Finding {
  path: string;
  categories: InjectionCategory[];
}

const STRING_RULES: [InjectionCategory, RegExp][] = [
  ['sql', /'\s*(?:or|and)\s+['"\d\w]+\s*(?:=|like)|'\s*;\s*(?:drop|delete|insert|update|alter|create|truncate|exec)\b|\bunion\s+(?:all\s+)?select\b|'\s*--|\/\*.*\*\/|;\s*(?:drop|truncate)\s+table\b|\bsleep\s*\(\s*\d+\s*\)|\bwaitfor\s+delay\b/i],
  ['nosql', /\{\s*"?\$(?:ne|gt|gte|lt|lte|in|nin|regex|where|exists|or|and|expr)"?\s*:/i],
  ['script', /<\s*script\b|<[^>]+\bon[a-z]+\s*=|javascript\s*:|vbscript\s*:|data\s*:\s*text\/html|<\s*(?:iframe|object|embed|svg|img|body|meta|link|style)\b[^>]*>/i],
  // A command word counts after a shell separator, or at the start only when an option or
  // path follows it: "Sh" and "Cat" are the start of common names (Sharma, Catherine).
  [
    'command',
    /\$\([^)]*\)|`[^`]*`|[;&|]\s*(?:cat|rm|curl|wget|nc|bash|sh|powershell|cmd|chmod|chown|python|perl)\b[^\n]*|^\s*(?:cat|rm|curl|wget|nc|bash|sh|powershell|cmd|chmod|chown|python|perl)\s+[-/~.$][^\n]*|\|\|\s*\w|&&\s*\w/i,
  ],
  ['path', /(?:\.\.[/\\]){1,}|\/etc\/(?:passwd|shadow|hosts)|[a-z]:\\windows\\|%2e%2e[%/\\]|\0/i],
  ['template', /\{\{[^}]*\}\}|\$\{[^}]*\}|<%[=-]?[^%]*%>|#\{[^}]*\}/],
];

const DANGEROUS_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const MAX_NODES = 5000;
const MAX_DEPTH = 16;

export function classifyString(value: string): InjectionCategory[] {
  // Long values are checked on a bounded window: a 100 kB string is refused by the
  // schema anyway, and the detector must not become a denial-of-service vector itself.
  const sample = value.length > 4096 ? value.slice(0, 4096) : value;
  return STRING_RULES.filter(([, re]) => re.test(sample)).map(([c]) => c);
}

export function scanPayload(payload: unknown): Finding[] {
  const findings: Finding[] = [];
  let nodes = 0;
  const walk = (value: unknown, path: string, depth: number): void => {
    if (++nodes > MAX_NODES || depth > MAX_DEPTH) return;
    if (typeof value === 'string') {
      const categories = classifyString(value);
      if (categories.length > 0) findings.push({ path: path || '(payload)', categories });
      return;
    }
    if (value === null || typeof value !== 'object') return;
    for (const key of Object.keys(value)) {
      const child = path ? `${path}.${key}` : key;
      const keyCategories: InjectionCategory[] = [];
      if (DANGEROUS_KEYS.has(key)) keyCategories.push('prototype');
      if (key.startsWith('$')) keyCategories.push('nosql');
      if (keyCategories.length > 0) findings.push({ path: child, categories: keyCategories });
      walk((value as Record<string, unknown>)[key], child, depth + 1);
    }
  };
  walk(payload, '', 0);
  return findings;
}
