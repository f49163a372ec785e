import { useId } from 'react';
import { icd10ByCode, searchIcd10 } from '../../../../src-shared/clinical/reference';
import { FieldShell } from '../../components/form';

interface IcdFieldProps {
  label: string;
  value: string;
  onChange: (code: string) => void;
  error?: string | undefined;
}

/** An ICD-10 code with suggestions from the bundled list, by code or by words of the title. */
export function IcdField({ label, value, onChange, error }: IcdFieldProps) {
  const listId = useId();
  const known = value.trim() === '' ? undefined : icd10ByCode(value);
  const suggestions = value.trim().length >= 1 && !known ? searchIcd10(value, 12) : [];
  return (
    <FieldShell
      label={label}
      error={error}
      hint={
        known ? <span data-testid="icd-title">{known.title}</span> : 'Type a code or words, e.g. J06 or fever'
      }
    >
      {({ id, describedBy }) => (
        <>
          <input
            id={id}
            value={value}
            list={listId}
            autoComplete="off"
            spellCheck={false}
            onChange={(event) => {
              const typed = event.target.value;
              // Picking a suggestion puts "J06.9 — title" in the box; keep the code only.
              const code = typed.split(' — ')[0] ?? typed;
              onChange(code);
            }}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
          />
          <datalist id={listId}>
            {suggestions.map((c) => (
              <option key={c.code} value={`${c.code} — ${c.title}`} />
            ))}
          </datalist>
        </>
      )}
    </FieldShell>
  );
}
