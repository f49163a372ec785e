import type { InteropProblem } from '../../src-shared/interop.js';
import { Hl7Context, Hl7Message, type Hl7Segment } from './medplum.js';

/**
 * HL7 v2 ER7 text (issue 8): building ADT messages with correct escaping, and reading any
 * message through @medplum/core's Hl7Message (which splits segments, fields, repetitions,
 * components and sub-components by the message's own encoding characters from MSH-1/2).
 * Medplum leaves escape sequences as they are; `unescape` turns them back into text.
 */

export class Hl7Problem extends Error {
  constructor(
    readonly segment: string,
    readonly field: string,
    message: string,
  ) {
    super(`${field || segment}: ${message}`);
  }
  get problem(): InteropProblem {
    return { resource: this.segment, field: this.field, message: this.message.replace(/^[^:]+: /, '') };
  }
}

/** Escapes text for one component of a field: \ | ^ & ~ as \E\ \F\ \S\ \T\ \R\, line
 *  breaks as \X0D\ / \X0A\ (v2.5 section 2.7). The escape character goes first. */
export function escapeHl7(text: string, ctx: Hl7Context = new Hl7Context()): string {
  const e = ctx.escapeCharacter;
  const table: [string, string][] = [
    [ctx.fieldSeparator, 'F'],
    [ctx.componentSeparator, 'S'],
    [ctx.subcomponentSeparator, 'T'],
    [ctx.repetitionSeparator, 'R'],
  ];
  let out = '';
  for (const ch of text) {
    if (ch === e) out += `${e}E${e}`;
    else if (ch === '\r') out += `${e}X0D${e}`;
    else if (ch === '\n') out += `${e}X0A${e}`;
    else out += table.find(([c]) => c === ch) ? `${e}${table.find(([c]) => c === ch)![1]}${e}` : ch;
  }
  return out;
}

/** The text an escaped value stands for. Formatting sequences (\H\ \N\ \.br\ ...) become
 *  plain text; an unknown or unfinished sequence is kept as it was written. */
export function unescapeHl7(value: string, ctx: Hl7Context): string {
  const e = ctx.escapeCharacter;
  if (!value.includes(e)) return value;
  let out = '';
  let i = 0;
  while (i < value.length) {
    const ch = value[i]!;
    const end = ch === e ? value.indexOf(e, i + 1) : -1;
    if (end < 0) {
      out += ch;
      i++;
      continue;
    }
    const seq = value.slice(i + 1, end);
    const simple: Record<string, string> = {
      F: ctx.fieldSeparator,
      S: ctx.componentSeparator,
      T: ctx.subcomponentSeparator,
      R: ctx.repetitionSeparator,
      E: e,
      H: '',
      N: '',
      '.br': '\n',
    };
    if (seq in simple) out += simple[seq];
    else if (/^X([0-9A-Fa-f]{2})+$/.test(seq)) out += Buffer.from(seq.slice(1), 'hex').toString('latin1');
    else if (/^\.(sp|in|ti|ce|fi|nf|sk)/.test(seq)) out += '';
    else out += ch + seq + e;
    i = end + 1;
  }
  return out;
}

/** A message read through medplum, with typed, unescaped access by HL7 position. */
export class Hl7Reader {
  readonly message: Hl7Message;

  constructor(text: string) {
    // CR is the segment terminator; files and pastes bring LF or CRLF. Blank lines go.
    const normalized = text
      .replace(/\r\n|\n|\r/g, '\r')
      .split('\r')
      .filter((s) => s.trim() !== '')
      .join('\r');
    if (!normalized.startsWith('MSH') || normalized.length < 8)
      throw new Hl7Problem('MSH', 'MSH', 'the message does not start with an MSH segment');
    const msh1 = normalized[3]!;
    if (/[A-Za-z0-9\s]/.test(msh1))
      throw new Hl7Problem('MSH', 'MSH-1', `"${msh1}" cannot be a field separator`);
    this.message = Hl7Message.parse(normalized);
    const enc = this.message.header.getField(2)?.toString() ?? '';
    if (enc.length < 4 || new Set([msh1, ...enc.slice(0, 4)]).size !== 5)
      throw new Hl7Problem('MSH', 'MSH-2', 'the encoding characters must be four distinct characters');
  }

  get context(): Hl7Context {
    return this.message.context;
  }

  segments(name: string): Hl7Segment[] {
    return this.message.getAllSegments(name);
  }

  names(): string[] {
    return this.message.segments.map((s) => s.name);
  }

  /** The text at segment-field.component[.sub] in one repetition (all 1-based except the
   *  repetition, 0-based), unescaped and trimmed; '' when absent. */
  text(seg: Hl7Segment | undefined, field: number, component = 1, sub = 1, repetition = 0): string {
    if (!seg) return '';
    const f = seg.getField(field);
    if (!f) return '';
    const raw =
      sub > 1
        ? f.getComponent(component, sub - 1, repetition)
        : f.getComponent(component, undefined, repetition);
    // A component with sub-components returned whole: keep only the first when sub === 1.
    const firstSub = sub === 1 ? raw.split(this.context.subcomponentSeparator)[0]! : raw;
    return unescapeHl7(firstSub ?? '', this.context)
      .normalize('NFC')
      .trim();
  }

  /** How many repetitions the field has (0 when empty). */
  repetitions(seg: Hl7Segment | undefined, field: number): number {
    const f = seg?.getField(field);
    if (!f || f.toString() === '') return 0;
    return f.components.length;
  }
}

/** 'YYYYMMDDHHMMSS' in UTC for MSH-7 and EVN-2 (with +0000: v2.5 TS carries the zone). */
export function hl7Timestamp(ms: number): string {
  const d = new Date(ms).toISOString();
  return `${d.slice(0, 4)}${d.slice(5, 7)}${d.slice(8, 10)}${d.slice(11, 13)}${d.slice(14, 16)}${d.slice(17, 19)}+0000`;
}

/**
 * One segment as ER7 text: `fields[i]` is HL7 field i+1; each field is a list of
 * repetitions, each a list of components (already-plain text, escaped here).
 */
export function segment(name: string, fields: (string | string[] | string[][])[]): string {
  const ctx = new Hl7Context();
  const enc = (v: string | string[] | string[][]): string => {
    if (typeof v === 'string') return escapeHl7(v, ctx);
    const reps: string[][] = Array.isArray(v[0]) ? (v as string[][]) : [v as string[]];
    return reps
      .map((r) =>
        r
          .map((c) => escapeHl7(c, ctx))
          .join(ctx.componentSeparator)
          .replace(/\^+$/, ''),
      )
      .join(ctx.repetitionSeparator);
  };
  const text = [name, ...fields.map(enc)].join('|');
  return text.replace(/\|+$/, '');
}
