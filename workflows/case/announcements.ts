/**
 * 公表 and substitute measures, beside the notification track: `record-announcement` (when, where, and the enquiry
 * desk persons can reach), and the substitute-measure duty that follows unreachable persons until both are recorded.
 */
import { substituteMeasureObligation } from '../../domain/rules.js';
import type { CommandTable } from './command.js';
import { nowIso, record, refuse, type CaseContext } from './state.js';

export const announcementCommands: CommandTable<'record-announcement'> = {
  'record-announcement': {
    check(c, b) {
      // A query's clock can be hours old (see `checkingByQuery`): the future is judged when the command arrives.
      if (!c.checkingByQuery && Date.parse(b.publishedAt) > Date.now() + ANNOUNCEMENT_FUTURE_TOLERANCE_MS) {
        refuse('invalid', 'publishedAt is in the future');
      }
    },
    apply(c, b, actor) {
      const at = nowIso();
      (c.v.announcements ??= []).push({ publishedAt: b.publishedAt, channel: b.channel, ...(b.url ? { url: b.url } : {}), recordedAt: at, by: actor.name });
      if (b.enquiryDesk) c.v.enquiryDesk = { phone: b.enquiryDesk.phone, hours: b.enquiryDesk.hours, recordedAt: at, by: actor.name };
      record(c, 'announcement', actor.name, b.enquiryDesk ? `announcement recorded (${b.channel}) with an enquiry desk` : `announcement recorded (${b.channel})`);
      refreshSubstituteMeasures(c);
    },
  },
};

/** How far in the future an announcement may be dated (clock skew between the insured and the case). */
const ANNOUNCEMENT_FUTURE_TOLERANCE_MS = 5 * 60_000;

/**
 * Brings the substitute-measure duty up to date with the unreachable persons and what was recorded (the pure rule is
 * domain's), noting on the timeline when it arises and when it is met.
 */
export function refreshSubstituteMeasures(c: CaseContext): void {
  const { v } = c;
  const duty = substituteMeasureObligation({
    unreachable: v.notifications.unreachable ?? 0,
    announcements: v.announcements ?? [],
    enquiryDesk: v.enquiryDesk ?? null,
  });
  if (!duty) return;
  const before = v.substituteMeasures;
  if (JSON.stringify(before) === JSON.stringify(duty)) return;
  v.substituteMeasures = duty;
  c.dirty = true;
  if (!before && duty.status === 'pending') record(c, 'substitute', 'system', `substitute measures needed: ${duty.unreachable} persons unreachable`);
  if (before?.status !== 'done' && duty.status === 'done') record(c, 'substitute', 'system', 'substitute measures in place: announcement and enquiry desk recorded');
}
