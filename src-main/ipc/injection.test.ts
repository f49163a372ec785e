import { describe, expect, it } from 'vitest';
import { classifyString, scanPayload } from './injection.js';

describe('injection detector', () => {
  it.each([
    ["' OR 1=1 --", 'sql'],
    ["'; DROP TABLE users;--", 'sql'],
    ['{"$ne": null}', 'nosql'],
    ['<script>alert(1)</script>', 'script'],
    ['<img src=x onerror=alert(1)>', 'script'],
    ['javascript:alert(1)', 'script'],
    ['$(rm -rf /)', 'command'],
    ['; cat /etc/passwd', 'command'],
    ['rm -rf /', 'command'],
    ['sh ./payload', 'command'],
    ['../../etc/passwd', 'path'],
    ['{{7*7}}', 'template'],
    ['${7*7}', 'template'],
  ])('flags %s as %s', (payload, category) => {
    expect(classifyString(payload)).toContain(category);
  });

  it.each([
    "O'Brien",
    'Nguyễn Thị Minh',
    '<5 mg',
    '1/2 tab at night',
    "D'Souza-Fernandes",
    'प्रिया शर्मा',
    'Take 1 tab after food; review in 5 days',
    'BP 120/80, temp 98.6 F',
    'Mother & child clinic',
    'Sh',
    'Shankar',
    'Sh Rao',
    'Cat',
    'Catherine Nair',
    'Nc',
  ])('does not flag the legitimate value %s', (value) => {
    expect(classifyString(value)).toEqual([]);
  });

  it('flags prototype and operator keys with their paths', () => {
    const payload = JSON.parse('{"a":{"__proto__":{"x":1}},"$where":"1","b":"ok"}');
    expect(scanPayload(payload)).toEqual([
      { path: 'a.__proto__', categories: ['prototype'] },
      { path: '$where', categories: ['nosql'] },
    ]);
  });

  it('stays bounded on huge and deep payloads', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i++) deep = { d: deep };
    expect(() => scanPayload(deep)).not.toThrow();
    expect(scanPayload({ s: `<script>${'a'.repeat(200_000)}` })).toEqual([{ path: 's', categories: ['script'] }]);
  });
});
