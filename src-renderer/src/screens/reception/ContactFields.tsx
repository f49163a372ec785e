import { CheckboxField, TextAreaField, TextField } from '../../components/form';
import { PHONE_HINT, type SectionProps } from './PatientEssentials';
import { type ContactRow, emptyContact, MAX_CONTACTS, P } from './patientValues';

function ContactRowFields({
  index,
  contact,
  onChange,
  onRemove,
  errors,
}: {
  index: number;
  contact: ContactRow;
  onChange: (c: ContactRow) => void;
  onRemove: () => void;
  errors: SectionProps['errors'];
}) {
  const name = `Contact ${index + 1}`;
  const path = `${P}emergencyContacts.${index}`;
  return (
    <div className="row-fields">
      <TextField
        label={`${name} name`}
        value={contact.name}
        onChange={(text) => onChange({ ...contact, name: text })}
        error={errors[`${path}.name`]}
        className="grow"
      />
      <TextField
        label={`${name} relation`}
        value={contact.relation}
        onChange={(relation) => onChange({ ...contact, relation })}
        error={errors[`${path}.relation`]}
      />
      <TextField
        label={`${name} phone`}
        type="tel"
        value={contact.phone}
        onChange={(phone) => onChange({ ...contact, phone })}
        error={errors[`${path}.phone`]}
        inputMode="tel"
      />
      <button type="button" className="btn btn-small btn-quiet row-remove" onClick={onRemove}>
        Remove<span className="visually-hidden"> {name.toLowerCase()}</span>
      </button>
    </div>
  );
}

export function EmergencyContactFields({ values, update, errors }: SectionProps) {
  const contacts = values.emergencyContacts;
  return (
    <fieldset className="fieldset">
      <legend>Emergency contacts</legend>
      {contacts.length === 0 ? <p className="muted">None recorded.</p> : null}
      {contacts.map((contact, i) => (
        <ContactRowFields
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity beyond their place
          key={i}
          index={i}
          contact={contact}
          errors={errors}
          onChange={(c) =>
            update((v) => ({ ...v, emergencyContacts: v.emergencyContacts.map((x, j) => (j === i ? c : x)) }))
          }
          onRemove={() =>
            update((v) => ({ ...v, emergencyContacts: v.emergencyContacts.filter((_, j) => j !== i) }))
          }
        />
      ))}
      {errors[`${P}emergencyContacts`] ? (
        <p className="field-error">{errors[`${P}emergencyContacts`]}</p>
      ) : null}
      {contacts.length < MAX_CONTACTS ? (
        <button
          type="button"
          className="btn btn-small add-row"
          onClick={() =>
            update((v) => ({ ...v, emergencyContacts: [...v.emergencyContacts, emptyContact()] }))
          }
        >
          Add emergency contact
        </button>
      ) : null}
    </fieldset>
  );
}

export function BystanderInsuranceFields({ values, update, errors }: SectionProps) {
  const b = values.bystander;
  const ins = values.insurance;
  const setB = (key: keyof ContactRow) => (text: string) =>
    update((v) => ({ ...v, bystander: { ...v.bystander, [key]: text } }));
  const setI = (key: keyof typeof ins) => (text: string) =>
    update((v) => ({ ...v, insurance: { ...v.insurance, [key]: text } }));
  return (
    <>
      <fieldset className="fieldset">
        <legend>Bystander (who brought the patient)</legend>
        <div className="grid-3">
          <TextField
            label="Bystander name"
            value={b.name}
            onChange={setB('name')}
            error={errors[`${P}bystander.name`]}
          />
          <TextField
            label="Bystander relation"
            value={b.relation}
            onChange={setB('relation')}
            error={errors[`${P}bystander.relation`]}
          />
          <TextField
            label="Bystander phone"
            type="tel"
            value={b.phone}
            onChange={setB('phone')}
            error={errors[`${P}bystander.phone`]}
            inputMode="tel"
            hint={`Optional. ${PHONE_HINT}`}
          />
        </div>
      </fieldset>
      <fieldset className="fieldset">
        <legend>Insurance</legend>
        <div className="grid-3">
          <TextField
            label="Insurance provider"
            value={ins.provider}
            onChange={setI('provider')}
            error={errors[`${P}insurance.provider`]}
          />
          <TextField
            label="Policy number"
            value={ins.policyNumber}
            onChange={setI('policyNumber')}
            error={errors[`${P}insurance.policyNumber`]}
          />
          <TextField
            label="Valid until"
            type="date"
            value={ins.validUntil}
            onChange={setI('validUntil')}
            error={errors[`${P}insurance.validUntil`]}
          />
        </div>
      </fieldset>
    </>
  );
}

export function MedicoLegalNotesFields({ values, update, errors }: SectionProps) {
  const m = values.medicoLegal;
  return (
    <>
      <fieldset className="fieldset">
        <legend>Medico-legal</legend>
        <CheckboxField
          label="Medico-legal case (MLC)"
          checked={m.isMlc}
          onChange={(isMlc) => update((v) => ({ ...v, medicoLegal: { ...v.medicoLegal, isMlc } }))}
          error={errors[`${P}medicoLegal.isMlc`]}
        />
        {m.isMlc ? (
          <div className="grid-2">
            <TextField
              label="Police station"
              value={m.policeStation}
              onChange={(policeStation) =>
                update((v) => ({ ...v, medicoLegal: { ...v.medicoLegal, policeStation } }))
              }
              error={errors[`${P}medicoLegal.policeStation`]}
            />
            <TextField
              label="Report number"
              value={m.reportNumber}
              onChange={(reportNumber) =>
                update((v) => ({ ...v, medicoLegal: { ...v.medicoLegal, reportNumber } }))
              }
              error={errors[`${P}medicoLegal.reportNumber`]}
            />
          </div>
        ) : null}
      </fieldset>
      <TextAreaField
        label="Notes"
        value={values.notes}
        onChange={(notes) => update((v) => ({ ...v, notes }))}
        error={errors[`${P}notes`]}
      />
    </>
  );
}
