import { useCallback, useEffect, useRef, useState } from 'react';
import { type ConsultationDraft, VITAL_NAMES } from '../../../../src-shared/clinical/chart';
import type { AppError } from '../../../../src-shared/result';
import { call, summaryOf } from '../../api';

export const DRAFT_DELAY_MS = 1_000;

export function emptyDraft(): ConsultationDraft {
  return {
    complaints: '',
    history: '',
    examination: '',
    vitals: Object.fromEntries(VITAL_NAMES.map((n) => [n, ''])) as ConsultationDraft['vitals'],
    diagnosis: '',
    icd10: '',
    advice: '',
    followUp: '',
  };
}

export type DraftState =
  | { kind: 'idle' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: number }
  | { kind: 'failed'; message: string };

/**
 * This visit's consultation as the doctor types it: loaded once, saved as a draft about a
 * second after typing stops, and finished (checked, visit closed) on request.
 */
export function useConsultation(visitId: string) {
  const [values, setValues] = useState<ConsultationDraft>(emptyDraft);
  const [loaded, setLoaded] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [final, setFinal] = useState(false);
  const [draft, setDraft] = useState<DraftState>({ kind: 'idle' });
  const dirty = useRef(false);
  /** Set while finishing and after: no draft may overwrite the finished consultation. */
  const stopped = useRef(false);
  const latest = useRef(values);
  latest.current = values;

  useEffect(() => {
    let live = true;
    void call('consultations.get', { visitId }).then((result) => {
      if (!live) return;
      if (!result.ok) {
        setLoadError(summaryOf(result.error));
        setLoaded(true);
        return;
      }
      if (result.value) {
        const { complaints, history, examination, vitals, diagnosis, icd10, advice, followUp } = result.value;
        setValues({ complaints, history, examination, vitals, diagnosis, icd10, advice, followUp });
        setFinal(result.value.status === 'final');
      }
      setLoaded(true);
    });
    return () => {
      live = false;
    };
  }, [visitId]);

  const saveDraft = useCallback(
    async (snapshot: ConsultationDraft) => {
      if (stopped.current) return;
      dirty.current = false;
      setDraft({ kind: 'saving' });
      const result = await call('consultations.saveDraft', { visitId, ...snapshot });
      if (result.ok) setDraft({ kind: 'saved', at: Date.now() });
      else setDraft({ kind: 'failed', message: summaryOf(result.error) });
    },
    [visitId],
  );

  useEffect(() => {
    if (!dirty.current) return;
    const timer = window.setTimeout(() => void saveDraft(values), DRAFT_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [values, saveDraft]);

  // Leaving the visit with unsaved typing: save it now rather than lose it.
  useEffect(
    () => () => {
      if (dirty.current && !stopped.current)
        void call('consultations.saveDraft', { visitId, ...latest.current });
    },
    [visitId],
  );

  const update = (patch: Partial<ConsultationDraft>) => {
    dirty.current = true;
    setValues((v) => ({ ...v, ...patch }));
  };

  const finish = async (): Promise<{ ok: true } | { ok: false; error: AppError }> => {
    stopped.current = true;
    const wasDirty = dirty.current;
    dirty.current = false;
    const result = await call('consultations.finish', { visitId, ...latest.current });
    if (!result.ok) {
      stopped.current = false;
      dirty.current = wasDirty;
      return { ok: false, error: result.error };
    }
    setFinal(true);
    return { ok: true };
  };

  return { values, update, loaded, loadError, final, draft, finish };
}

export type ConsultationState = ReturnType<typeof useConsultation>;
