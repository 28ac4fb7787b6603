/** What the notification track records: its waves and the 公表 (workflows/case/notification.ts). */
import type { AnnouncementChannel } from '../../domain/rules.js';

/** One notification wave: its list (by upload id and checksum) and what its campaign did. */
export interface NotificationWave {
  wave: number;
  uploadId: string;
  checksum: string;
  /** Persons of the wave after 名寄せ against every earlier wave. */
  total: number;
  sent: number;
  failed: number;
  /** E-mails that bounced after they were sent (none are reported yet: SMTP rejections count as `failed`). */
  bounced: number;
  letters: number;
  /** Letters the print vendor reported returned undelivered (`letters_returned`). */
  lettersReturned: number;
  /** Persons of the upload left out because an earlier wave holds them. */
  duplicatesRemoved: number;
  status: 'not_started' | 'sending' | 'done';
}

/** A 公表 (public announcement) as recorded. */
export interface Announcement {
  publishedAt: string;
  channel: AnnouncementChannel;
  url?: string;
  recordedAt: string;
  by: string;
}
