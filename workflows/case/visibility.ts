/** The search attributes the case list is built from, upserted only when one of them changed. */
import { upsertSearchAttributes } from '@temporalio/workflow';
import { SA } from '../contract.js';
import { refreshDeadlines } from './clocks.js';
import type { CaseContext } from './state.js';

export function syncSearchAttributes(c: CaseContext): void {
  const { v } = c;
  refreshDeadlines(c);
  const values = {
    status: v.status,
    severity: v.severity,
    next: v.nextDeadline,
    overdue: v.overdue,
    overdueCount: v.obligations.filter((o) => o.status === 'overdue').length,
    sla: v.vendors.filter((e) => e.slaBreached).length,
    assignee: v.assignedTo,
  };
  const key = JSON.stringify(values);
  if (key === c.lastSearchAttributes) return;
  c.lastSearchAttributes = key;
  upsertSearchAttributes([
    { key: SA.status, value: values.status },
    { key: SA.severity, value: values.severity },
    { key: SA.nextDeadline, value: values.next ? new Date(values.next) : null },
    { key: SA.overdue, value: values.overdue },
    { key: SA.overdueObligations, value: values.overdueCount },
    { key: SA.slaBreaches, value: values.sla },
    { key: SA.assignedTo, value: values.assignee },
  ]);
}
