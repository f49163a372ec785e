import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../core-types.js';
import { call, type HarnessCore, must, startCore } from '../testing/core-harness.js';
import { escapeHl7, Hl7Reader, unescapeHl7 } from './hl7.js';
import { Hl7Context, Hl7Message } from './medplum.js';
import { rowCounts, staff } from './test-kit.js';

/**
 * HL7 v2 (issue 8) through the real core: ADT^A04/A08 built with escaping and read back by
 * @medplum/core's Hl7Message; realistic inbound ADT and ORU messages with repetitions,
 * escapes, Z-segments, missing optional fields, other encoding characters and line ends;
 * bad messages named by segment and field with nothing written.
 */

let h: HarnessCore;
let other: HarnessCore;
let desk: Connection;
let doctor: Connection;
let otherDesk: Connection;
let patientId: string;

const TRICKY = {
  givenNames: 'Anne~Marie',
  familyName: "Fernandes & D'Souza|Pinto^Jr",
  sex: 'female' as const,
  birth: { kind: 'exact' as const, date: '1979-11-30' },
  phones: [
    { number: '9847011111', label: 'mobile' as const },
    { number: '+914842345678', label: 'home' as const },
  ],
  address: {
    line: 'Flat 4\\B, Tower ^2',
    cityOrVillage: 'Kochi',
    district: 'Ernakulam',
    state: 'Kerala',
    pinCode: '682001',
  },
  nationalId: '567890123458',
  preferredLanguage: 'Konkani',
};

/** An admission system's A04: PID-3 repeats (MR, Aadhaar), two home phones, an escaped
 *  address, no EVN or PV1, a Z-segment, CRLF line ends. */
const INBOUND_A04 = [
  'MSH|^~\\&|HIS|LAKESIDE^2.16.356.1^ISO|KAVACH|CLINIC|20260301093000+0530||ADT^A04^ADT_A01|HIS-000731|P|2.5||||||UNICODE UTF-8',
  'PID|1||LS-9931^^^LAKESIDE^MR~345678901238^^^UIDAI^NI||Iyer^Sundar^Raman^^Mr||19650204|M|||22 Mount Road\\T\\Annexe^Block \\S\\C^Chennai^Tamil Nadu^600002^IND^H||9444012345^PRN^CP~+914428123456^PRN^PH||ta^Tamil',
  'ZPI|1|VIP^N|Ward 3',
].join('\r\n');

/** The same kind of message with other encoding characters: $ component, % repetition,
 *  * escape, # sub-component; '&' is plain text here. LF line ends. */
const OTHER_ENCODING = [
  'MSH|$%*#|HIS|LAKESIDE|KAVACH|CLINIC|20260301093000||ADT$A04$ADT_A01|HIS-000732|P|2.5',
  'EVN|A04|20260301093000',
  'PID|1||LS-9932$$$LAKESIDE$MR||Rao & Sons*S*Ltd$Meera||19900101|F|||||9444099999$PRN$CP%9444088888$PRN$CP',
  'PV1|1|O',
].join('\n');

const ORU = (pid: string, obx5 = '13.2') =>
  [
    'MSH|^~\\&|LIS|CITYLAB|KAVACH|CLINIC|20260302110000||ORU^R01^ORU_R01|LAB-55012|P|2.5',
    `PID|1||CL-1^^^CITYLAB^MR~${pid}^^^UIDAI^NI||Iyer^Sundar||19650204|M`,
    'OBR|1|ORD-1|LAB-55012|58410-2^CBC panel^LN|||20260302080000',
    `OBX|1|NM|718-7^Hemoglobin^LN||${obx5}|g/dL^grams per deciliter^UCUM|13.0-17.0|N|||F|||20260302090000`,
    'OBX|2|NM|6690-2^Leukocytes^LN||11.8|10*3/uL|4.0-11.0|H|||F',
    'OBX|3|ST|5909-7^Blood smear finding^LN||Mild toxic granulation \\T\\ left shift~No blasts seen||||||F',
    'OBX|4|CWE|882-1^ABO+Rh group^LN||B+^B Rh positive^L||||||F',
    'NTE|1||Sample received 08:10; reported by Dr K. Menon',
    'ZLR|internal-routing',
  ].join('\r');

beforeAll(async () => {
  h = await startCore();
  other = await startCore();
  ({ desk, doctor } = await staff(h));
  ({ desk: otherDesk } = await staff(other));
  const reg = must(await call(desk, 'patients.register', { patient: TRICKY, decision: 'register-new' }));
  if (reg.status !== 'registered') throw new Error('setup: not registered');
  patientId = reg.id;
}, 60_000);

afterAll(async () => {
  await h?.close();
  await other?.close();
});

describe('escaping', () => {
  it('escapes | ^ ~ \\ & as \\F\\ \\S\\ \\R\\ \\E\\ \\T\\ and reads them back, in any encoding characters', () => {
    const text = 'a|b^c~d\\e&f';
    expect(escapeHl7(text)).toBe('a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f');
    expect(unescapeHl7(escapeHl7(text), new Hl7Context())).toBe(text);
    const ctx = new Hl7Context('\r', '|', '$', '%', '*', '#');
    expect(escapeHl7('x$y*z&w', ctx)).toBe('x*S*y*E*z&w');
    expect(unescapeHl7('x*S*y*E*z&w*.br*end*X41*', ctx)).toBe('x$y*z&w\nendA');
    // An unknown sequence stays as written rather than vanishing.
    expect(unescapeHl7('50 \\Q\\ mg', new Hl7Context())).toBe('50 \\Q\\ mg');
  });
});

describe('ADT export', () => {
  it('builds a v2.5 ADT^A04 that medplum parses back to the same demographics', async () => {
    const out = must(await call(desk, 'interop.exportHl7', { patientId, event: 'A04' }));
    expect(out.fileName).toMatch(/^kavach-adt-a04-[0-9A-Z]{5}-\d{5}\.hl7$/);
    const segments = out.message.split('\r').filter(Boolean);
    expect(segments.map((s) => s.slice(0, 3))).toEqual(['MSH', 'EVN', 'PID', 'PV1']);
    expect(segments[0]).toMatch(
      /^MSH\|\^~\\&\|KAVACH\|Sushrut Clinic\|\|\|\d{14}\+0000\|\|ADT\^A04\^ADT_A01\|\w+\|P\|2\.5\|/,
    );
    // Every special character inside a value is escaped, so the structure survives.
    expect(segments[2]).toContain("Fernandes \\T\\ D'Souza\\F\\Pinto\\S\\Jr^Anne\\R\\Marie");
    expect(segments[2]).toContain('Flat 4\\E\\B, Tower \\S\\2');
    const m = Hl7Message.parse(out.message);
    const r = new Hl7Reader(out.message);
    const pid = m.getSegment('PID');
    expect(pid?.getField(5).components).toHaveLength(1); // no stray repetition from '~'
    expect(r.text(pid, 5, 1)).toBe(TRICKY.familyName);
    expect(r.text(pid, 5, 2)).toBe('Anne~Marie');
    expect(r.text(pid, 7)).toBe('19791130');
    expect(r.text(pid, 11, 1)).toBe('Flat 4\\B, Tower ^2');
    expect(r.text(pid, 3, 1, 1, 1)).toBe('567890123458');
    expect(r.text(pid, 3, 5, 1, 1)).toBe('NI');
    expect(r.text(pid, 13, 1, 1, 0)).toBe('9847011111');
    expect(r.text(pid, 13, 3, 1, 0)).toBe('CP');
  });

  it('A04 registers a copy in a second clinic; after a correction an A08 updates it', async () => {
    const a04 = must(await call(desk, 'interop.exportHl7', { patientId, event: 'A04' })).message;
    const preview = must(await call(otherDesk, 'interop.previewHl7', { message: a04 }));
    expect(preview.errors).toEqual([]);
    expect(preview.messageType).toBe('ADT^A04');
    expect(preview.candidates).toEqual([]);
    const made = must(
      await call(otherDesk, 'interop.importHl7', { message: a04, decision: { mode: 'register-new' } }),
    );
    expect(made.outcome).toBe('registered');
    const copy = must(await call(otherDesk, 'patients.get', { id: made.patientId }));
    const original = must(await call(desk, 'patients.get', { id: patientId }));
    const demo = (p: typeof copy) => [
      p.givenNames,
      p.familyName,
      p.sex,
      p.birth,
      p.phones,
      p.address,
      p.nationalIdMasked,
      p.preferredLanguage,
    ];
    expect(demo(copy)).toEqual(demo(original));

    must(
      await call(desk, 'patients.update', {
        id: patientId,
        patient: { ...TRICKY, nationalId: '', phones: [{ number: '9847022222', label: 'mobile' }] },
        keepNationalId: true,
      }),
    );
    const a08 = must(await call(desk, 'interop.exportHl7', { patientId, event: 'A08' })).message;
    const p08 = must(await call(otherDesk, 'interop.previewHl7', { message: a08 }));
    expect(p08.messageType).toBe('ADT^A08');
    expect(p08.candidates.map((c) => [c.id, c.reasons.includes('Same Aadhaar number')])).toEqual([
      [made.patientId, true],
    ]);
    const updated = must(
      await call(otherDesk, 'interop.importHl7', {
        message: a08,
        decision: { mode: 'use-existing', patientId: made.patientId },
      }),
    );
    expect(updated.outcome).toBe('updated');
    expect(must(await call(otherDesk, 'patients.get', { id: made.patientId })).phones).toEqual([
      { number: '9847022222', label: 'mobile' },
    ]);
    const again = must(
      await call(otherDesk, 'interop.importHl7', {
        message: a08,
        decision: { mode: 'use-existing', patientId: made.patientId },
      }),
    );
    expect(again.outcome).toBe('unchanged');
  });
});

describe('ADT import', () => {
  it('reads an inbound A04 with repetitions, escapes, a Z-segment and no EVN/PV1, CRLF or CR or LF alike', async () => {
    const previews = [];
    for (const eol of ['\r\n', '\r', '\n']) {
      const message = INBOUND_A04.split('\r\n').join(eol);
      previews.push(must(await call(desk, 'interop.previewHl7', { message })));
    }
    expect(previews[1]).toEqual(previews[0]);
    expect(previews[2]).toEqual(previews[0]);
    const p = previews[0]!;
    expect(p.errors).toEqual([]);
    expect(p.controlId).toBe('HIS-000731');
    expect(p.patient).toMatchObject({
      givenNames: 'Sundar Raman',
      familyName: 'Iyer',
      sex: 'male',
      birth: { kind: 'exact', date: '1965-02-04' },
      phones: [
        { number: '9444012345', label: 'mobile' },
        { number: '+914428123456', label: 'home' },
      ],
      address: {
        line: '22 Mount Road&Annexe, Block ^C',
        cityOrVillage: 'Chennai',
        state: 'Tamil Nadu',
        pinCode: '600002',
        district: '',
      },
      nationalId: '345678901238',
      otherId: { kind: 'other', value: 'LS-9931' },
      preferredLanguage: 'Tamil',
    });
  });

  it('reads other encoding characters (MSH|$%*#) and a missing birth date is named', async () => {
    const p = must(await call(desk, 'interop.previewHl7', { message: OTHER_ENCODING }));
    expect(p.messageType).toBe('ADT^A04');
    expect(p.errors).toEqual([]);
    expect(p.patient).toMatchObject({
      givenNames: 'Meera',
      familyName: 'Rao & Sons$Ltd',
      phones: [
        { number: '9444099999', label: 'mobile' },
        { number: '9444088888', label: 'mobile' },
      ],
    });
    const noBirth = must(
      await call(desk, 'interop.previewHl7', { message: OTHER_ENCODING.replace('|19900101|', '||') }),
    );
    expect(noBirth.errors).toEqual([
      { resource: 'PID', field: 'PID-7', message: 'the birth date is missing' },
    ]);
  });

  it('refuses bad messages naming segment and field, and writes nothing', async () => {
    const before = rowCounts(h);
    const cases: [string, RegExp][] = [
      [INBOUND_A04.replace('19650204', '19901350'), /^PID-7: birth date 19901350 is not a date$/],
      [INBOUND_A04.replace('|M|||', '|X|||'), /^PID-8: sex X is not one of/],
      [
        INBOUND_A04.replace('345678901238', '345678901239'),
        /^PID-3: identifier 345678901239 is not a valid Aadhaar number$/,
      ],
      [INBOUND_A04.replace('ADT^A04^ADT_A01', 'ADT^A31'), /^MSH-9: message type ADT\^A31 is not/],
      [INBOUND_A04.replace('|2.5|', '|3.0|'), /^MSH-12: version 3.0 is not HL7 v2$/],
      [INBOUND_A04.replace('MSH|', 'MSX|'), /^MSH: the message does not start with an MSH segment$/],
      [INBOUND_A04.replace('Iyer^Sundar^Raman^^Mr', 'Iyer'), /^PID-5: the patient's name has no given name/],
      [INBOUND_A04.replace(/\r\nPID[^\r]*/, ''), /^PID: the message has no PID segment$/],
    ];
    for (const [message, error] of cases) {
      const preview = must(await call(desk, 'interop.previewHl7', { message }));
      expect(preview.errors, String(error)).toHaveLength(1);
      const r = await call(desk, 'interop.importHl7', { message, decision: { mode: 'register-new' } });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('VALIDATION');
        expect(r.error.message).toMatch(error);
      }
    }
    expect(rowCounts(h)).toEqual(before);
  });
});

describe('ORU^R01 lab results', () => {
  it('files the OBX rows and the whole report as an attachment on the chosen patient', async () => {
    const preview = must(await call(desk, 'interop.previewHl7', { message: ORU('567890123458') }));
    expect(preview.errors).toEqual([]);
    expect(preview.candidates.map((c) => c.id)).toEqual([patientId]);
    expect(
      preview.observations.map((o) => [o.code, o.name, o.value, o.units, o.referenceRange, o.flag]),
    ).toEqual([
      ['718-7', 'Hemoglobin', '13.2', 'g/dL', '13.0-17.0', 'N'],
      ['6690-2', 'Leukocytes', '11.8', '10*3/uL', '4.0-11.0', 'H'],
      ['5909-7', 'Blood smear finding', 'Mild toxic granulation & left shift; No blasts seen', '', '', ''],
      ['882-1', 'ABO+Rh group', 'B Rh positive', '', '', ''],
    ]);
    const filed = must(
      await call(desk, 'interop.importHl7', {
        message: ORU('567890123458'),
        decision: { mode: 'use-existing', patientId },
      }),
    );
    expect(filed).toMatchObject({ patientId, outcome: 'results-filed', observations: 4 });
    const chart = must(await call(doctor, 'chart.open', { patientId }));
    const report = chart.attachments.find((a) => a.id === filed.attachmentId);
    expect(report).toMatchObject({ name: 'lab-report-LAB-55012.pdf', mime: 'application/pdf' });
    const piece = must(await call(doctor, 'attachments.read', { id: filed.attachmentId!, index: 0 }));
    expect(Buffer.from(piece.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(rowCounts(h).lab_results).toBe(1);
  });

  it('a bad OBX value is named and neither results nor the report file are kept', async () => {
    const before = rowCounts(h);
    const message = ORU('567890123458', '13,2');
    const r = await call(desk, 'interop.importHl7', {
      message,
      decision: { mode: 'use-existing', patientId },
    });
    expect(r.ok === false && r.error.message).toBe('OBX-5: value 13,2 is not a number (OBX-2 says NM)');
    const unknown = await call(desk, 'interop.importHl7', {
      message: ORU('567890123458'),
      decision: { mode: 'use-existing', patientId: '00000000-0000-4000-8000-000000000000' },
    });
    expect(unknown.ok === false && unknown.error.code).toBe('NOT_FOUND');
    expect(rowCounts(h)).toEqual(before);
  });
});
