interface ChoiceGroupProps<V extends string> {
  legend: string;
  name: string;
  value: V;
  options: readonly { value: V; label: string; className?: string }[];
  onChange: (value: V) => void;
  error?: string | undefined;
}

/** A row of radio buttons: every choice visible at once, one click or arrow key to change. */
export function ChoiceGroup<V extends string>({
  legend,
  name,
  value,
  options,
  onChange,
  error,
}: ChoiceGroupProps<V>) {
  return (
    <fieldset className={error ? 'choice-group field-invalid' : 'choice-group'}>
      <legend>{legend}</legend>
      <div className="choice-row">
        {options.map((option) => (
          <label key={option.value} className={`choice ${option.className ?? ''}`}>
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
            />
            {option.label}
          </label>
        ))}
      </div>
      {error ? <p className="field-error">{error}</p> : null}
    </fieldset>
  );
}
