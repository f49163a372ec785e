import { type KeyboardEvent, useState } from 'react';
import { FieldShell } from './form';
import './components.css';

interface TagInputProps {
  label: string;
  tags: readonly string[];
  onChange: (tags: string[]) => void;
  error?: string | undefined;
  hint?: string;
  max?: number;
}

/**
 * Quick tags ("penicillin", "DM2"): Enter or a comma adds what was typed, Backspace in an
 * empty box removes the last tag, and leaving the box keeps a half-typed tag rather than
 * silently dropping it.
 */
export function TagInput({ label, tags, onChange, error, hint, max = 30 }: TagInputProps) {
  const [draft, setDraft] = useState('');
  const commit = (text: string) => {
    const parts = text
      .split(',')
      .map((part) => part.trim())
      .filter((part) => part !== '' && !tags.includes(part));
    if (parts.length > 0) onChange([...tags, ...new Set(parts)].slice(0, max));
    setDraft('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'Enter' || event.key === ',') {
      // Enter here adds a tag; it must not also save the whole form.
      if (draft.trim() !== '' || event.key === ',') event.preventDefault();
      commit(draft);
    } else if (event.key === 'Backspace' && draft === '' && tags.length > 0) {
      onChange(tags.slice(0, -1));
    }
  };
  return (
    <FieldShell label={label} error={error} hint={hint ?? 'Type and press Enter or comma to add.'}>
      {({ id, describedBy }) => (
        <div className="tags">
          {tags.length > 0 ? (
            <ul className="tag-list" aria-label={`${label} added`}>
              {tags.map((tag) => (
                <li key={tag} className="tag">
                  <span>{tag}</span>
                  <button
                    type="button"
                    className="tag-remove"
                    aria-label={`Remove ${tag}`}
                    onClick={() => onChange(tags.filter((t) => t !== tag))}
                  >
                    ×
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          <input
            id={id}
            value={draft}
            onChange={(event) => {
              const text = event.target.value;
              if (text.includes(',')) commit(text);
              else setDraft(text);
            }}
            onKeyDown={onKeyDown}
            onBlur={() => commit(draft)}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
          />
        </div>
      )}
    </FieldShell>
  );
}
