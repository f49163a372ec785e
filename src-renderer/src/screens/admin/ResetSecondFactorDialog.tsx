import type { StaffSummary } from '../../../../src-shared/types';
import { Dialog } from '../../components/Dialog';

/** Asks before an admin removes someone's authenticator app (a lost phone, usually). */
export function ResetSecondFactorDialog({
  staff,
  onConfirm,
  onClose,
}: {
  staff: StaffSummary;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Dialog title="Reset second factor" onClose={onClose} testId="reset-second-factor-dialog">
      <p>
        {staff.displayName} will no longer be asked for their authenticator app code, and their recovery codes
        stop working. If their role requires a second factor they set up a new app at their next login.
      </p>
      <div className="actions">
        <button type="button" className="btn btn-primary" onClick={onConfirm}>
          Reset second factor
        </button>
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
