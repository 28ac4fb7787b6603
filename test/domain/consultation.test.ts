import { describe, expect, it } from 'vitest';
import {
  CONSULTATION_ACK_MS,
  CONSULTATION_ACTIONS,
  CONSULTATION_STATUSES,
  ConsultationBodySchema,
  consultationAckDueAt,
  consultationGate,
  conversionAwareness,
  type ConsultationAction,
  type ConsultationStatus,
} from '../../domain/index.js';

describe('the consultation desk rules', () => {
  it('takes each action only in the states the desk allows', () => {
    const allowed: Record<ConsultationStatus, ConsultationAction[]> = {
      open: ['acknowledge', 'convert', 'close'],
      acknowledged: ['advise', 'convert', 'close'],
      advised: ['advise', 'convert', 'close'],
      closed: [],
      converted: [],
    };
    for (const status of CONSULTATION_STATUSES) {
      for (const action of CONSULTATION_ACTIONS) {
        const gate = consultationGate(status, action);
        expect(gate === null, `${action} on ${status}`).toBe(allowed[status].includes(action));
      }
    }
    expect(consultationGate('acknowledged', 'acknowledge')).toEqual({ code: 'nothing_to_do', text: 'consultation is already acknowledged' });
    expect(consultationGate('converted', 'close')).toEqual({ code: 'wrong_state', text: 'consultation is converted' });
  });

  it('is due for acknowledgement one hour after it opened', () => {
    expect(CONSULTATION_ACK_MS).toBe(3_600_000);
    expect(consultationAckDueAt('2026-11-20T23:30:00+09:00')).toBe('2026-11-20T15:30:00.000Z');
  });

  it('gives a converted case the awareness the insured gave, or when it called; earlier only, never later', () => {
    const c = { awareAt: '2026-11-19T10:00:00.000Z', openedAt: '2026-11-20T01:00:00.000Z' };
    expect(conversionAwareness(c)).toBe('2026-11-19T10:00:00.000Z');
    expect(conversionAwareness({ ...c, awareAt: null })).toBe('2026-11-20T01:00:00.000Z');
    expect(conversionAwareness(c, '2026-11-18T00:00:00.000Z')).toBe('2026-11-18T00:00:00.000Z');
    expect(conversionAwareness(c, '2026-11-22T00:00:00.000Z')).toBe('2026-11-19T10:00:00.000Z');
  });

  it('refuses unknown fields and texts beyond their bounds in a new consultation', () => {
    const ok = { policyNumber: 'PL-1', summary: '相談', contact: { name: 'A', email: 'a@example.jp' } };
    expect(ConsultationBodySchema.safeParse(ok).success).toBe(true);
    expect(ConsultationBodySchema.safeParse({ ...ok, insuredId: 'ins-002' }).success).toBe(false);
    expect(ConsultationBodySchema.safeParse({ ...ok, summary: 'x'.repeat(2001) }).success).toBe(false);
    expect(ConsultationBodySchema.safeParse({ ...ok, summary: '   ' }).success).toBe(false);
    expect(ConsultationBodySchema.safeParse({ ...ok, awareAt: '2026-11-19' }).success).toBe(false);
  });
});
