import { useState } from 'react';
import type { VisitSummary } from '../../../../src-shared/types';
import { DoctorQueue } from './DoctorQueue';
import { useDoctorQueue } from './useDoctorQueue';
import { VisitWorkspace } from './VisitWorkspace';
import '../queue/queue.css';
import './doctor.css';

/** The doctor's day: the queue, and for the open visit the chart, consultation and prescription. */
export function DoctorScreen() {
  const [open, setOpen] = useState<VisitSummary | null>(null);
  // The queue keeps polling while a visit is open, so new arrivals still notify.
  const queue = useDoctorQueue(open === null);
  if (open) {
    return (
      <VisitWorkspace
        key={open.id}
        visit={open}
        onClose={() => {
          setOpen(null);
          void queue.reload();
        }}
      />
    );
  }
  return <DoctorQueue view={queue.view} error={queue.error} onOpen={setOpen} reload={queue.reload} />;
}
