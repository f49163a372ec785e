import { type KeyboardEvent, type RefObject, useEffect, useId, useState } from 'react';
import type { PatientSummary } from '../../../src-shared/types';
import { call, summaryOf } from '../api';
import { FormAlert } from './form';
import { ageSex, lastVisitText } from './format';
import { optionId, VirtualList } from './VirtualList';
import './components.css';

export const MIN_QUERY = 2;
const DEBOUNCE_MS = 200;
const ROW_HEIGHT = 60;
const VISIBLE_ROWS = 7;

type SearchState =
  | { kind: 'idle' }
  | { kind: 'searching' }
  | { kind: 'done'; query: string; results: PatientSummary[] }
  | { kind: 'failed'; message: string };

/** Search-as-you-type, debounced; a slower earlier answer never overwrites a later one. */
function usePatientSearch(query: string, refreshKey: number) {
  const [state, setState] = useState<SearchState>({ kind: 'idle' });
  // biome-ignore lint/correctness/useExhaustiveDependencies: refreshKey reruns the same query on purpose
  useEffect(() => {
    const q = query.trim();
    if ([...q].length < MIN_QUERY) {
      setState({ kind: 'idle' });
      return;
    }
    let current = true;
    setState((s) => (s.kind === 'done' ? s : { kind: 'searching' }));
    const timer = window.setTimeout(async () => {
      const result = await call('patients.search', { query: q });
      if (!current) return;
      setState(
        result.ok
          ? { kind: 'done', query: q, results: result.value }
          : { kind: 'failed', message: summaryOf(result.error) },
      );
    }, DEBOUNCE_MS);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [query, refreshKey]);
  return state;
}

function ResultRow({ patient }: { patient: PatientSummary }) {
  return (
    <div className="result">
      <div className="result-line">
        <span className="result-name">{patient.name}</span>
        <span className="result-agesex">{ageSex(patient)}</span>
        <span className="mono result-number">{patient.patientNumber}</span>
      </div>
      <div className="result-line muted">
        <span className="mono">{patient.nationalIdMasked || 'No Aadhaar'}</span>
        <span>{lastVisitText(patient.lastVisit)}</span>
      </div>
    </div>
  );
}

function statusText(state: SearchState, query: string): string {
  if (state.kind === 'searching') return 'Searching…';
  if (state.kind === 'done' && state.results.length === 0) return `No patients found for “${state.query}”.`;
  if (state.kind === 'done') {
    return state.results.length === 1 ? '1 patient found.' : `${state.results.length} patients found.`;
  }
  if (query.trim() !== '' && state.kind === 'idle') return `Type at least ${MIN_QUERY} characters.`;
  return '';
}

interface PatientSearchProps {
  onOpen: (patient: PatientSummary) => void;
  inputRef?: RefObject<HTMLInputElement | null>;
  autoFocus?: boolean;
  /** Bump to run the current query again (after a registration or a correction). */
  refreshKey?: number;
}

/**
 * The patient finder: a combobox over a windowed result list. The focus stays in the box;
 * arrow keys, Page Up/Down, Home/End move through the results and Enter opens one.
 */
export function PatientSearch({ onOpen, inputRef, autoFocus, refreshKey = 0 }: PatientSearchProps) {
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);
  const state = usePatientSearch(query, refreshKey);
  const results = state.kind === 'done' ? state.results : [];
  const listId = useId();
  const hintId = useId();
  const inputId = useId();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new answer starts at its first row
  useEffect(() => setActive(0), [state]);

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (results.length === 0) return;
    const last = results.length - 1;
    const moves: Record<string, number> = {
      ArrowDown: Math.min(last, active + 1),
      ArrowUp: Math.max(0, active - 1),
      PageDown: Math.min(last, active + VISIBLE_ROWS),
      PageUp: Math.max(0, active - VISIBLE_ROWS),
    };
    if (event.key in moves) {
      event.preventDefault();
      setActive(moves[event.key] as number);
    } else if (event.key === 'Enter') {
      event.preventDefault();
      const picked = results[active];
      if (picked) onOpen(picked);
    }
  };

  return (
    <div className="patient-search">
      <label htmlFor={inputId} className="field-label">
        Find a patient
      </label>
      <input
        id={inputId}
        ref={inputRef}
        type="search"
        role="combobox"
        value={query}
        onChange={(event) => setQuery(event.target.value)}
        onKeyDown={onKeyDown}
        aria-expanded={results.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={results.length > 0 ? optionId(listId, active) : undefined}
        aria-describedby={hintId}
        autoComplete="off"
        spellCheck={false}
        // biome-ignore lint/a11y/noAutofocus: the search box is where reception starts
        autoFocus={autoFocus}
        maxLength={100}
      />
      <p id={hintId} className="field-hint">
        Name, phone, full Aadhaar or patient number. ↑↓ to move, Enter to open.
      </p>
      <p className="search-status muted" role="status" data-testid="search-status">
        {statusText(state, query)}
      </p>
      {state.kind === 'failed' ? <FormAlert message={state.message} testId="search-error" /> : null}
      <VirtualList
        id={listId}
        label="Patients found"
        items={results}
        rowHeight={ROW_HEIGHT}
        visibleRows={VISIBLE_ROWS}
        activeIndex={active}
        getKey={(p) => p.id}
        renderRow={(p) => <ResultRow patient={p} />}
        onPick={(p) => onOpen(p)}
        onHover={setActive}
        testId="search-results"
      />
    </div>
  );
}
