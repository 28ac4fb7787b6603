import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { VENDOR_ROLES } from '../domain/index.js';
import type { PanelVendor } from '../workflows/contract.js';
import { liveFile } from '../lib/live-file.js';

/**
 * The vendor panel: who is engaged for each role, in panel order (the next one replaces a vendor that misses its
 * SLA), where its API lives and the secrets its webhooks are signed with (several while a secret is rotated).
 */
export const VendorEntrySchema = z.strictObject({
  vendorId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/),
  role: z.enum(VENDOR_ROLES),
  name: z.string().min(1).max(200),
  baseUrl: z.url(),
  secrets: z.array(z.string().min(16)).min(1),
  /** A call centre's enquiry number for persons (printed on notices once it is engaged). */
  phone: z
    .string()
    .regex(/^[0-9+()\- ]{3,50}$/)
    .optional(),
});
export type VendorEntry = z.infer<typeof VendorEntrySchema>;
export const VendorsFileSchema = z.array(VendorEntrySchema);

export function loadVendors(file: string): VendorEntry[] {
  const parsed = VendorsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

export function panelOf(vendors: VendorEntry[]): PanelVendor[] {
  return vendors.map(({ vendorId, role, name, phone }) => ({ vendorId, role, name, ...(phone ? { phone } : {}) }));
}

/**
 * The panel of a vendors file, read again when the file changes (lib/live-file.ts), so that an edited panel applies
 * to the next case filed without a restart; a file that fails to load keeps the last good panel.
 */
export function livePanel(file: string, onReloadError?: (err: Error) => void): () => PanelVendor[] {
  return liveFile(file, (f) => panelOf(loadVendors(f)), { ...(onReloadError ? { onReloadError } : {}) });
}

/**
 * The embedded default's panel: two firms for forensics, counsel and the call centre (so one can replace the other),
 * one for the rest.
 */
export function developmentVendors(sandboxUrl: string): VendorEntry[] {
  const secret = () => randomBytes(24).toString('base64url');
  const entry = (vendorId: string, role: VendorEntry['role'], name: string, phone?: string): VendorEntry => ({
    vendorId,
    role,
    name,
    baseUrl: sandboxUrl,
    secrets: [secret()],
    ...(phone ? { phone } : {}),
  });
  return [
    entry('counsel-a', 'counsel', 'Sandbox Law Office A'),
    entry('counsel-b', 'counsel', 'Sandbox Law Office B'),
    entry('forensics-a', 'forensics', 'Sandbox Forensics A'),
    entry('forensics-b', 'forensics', 'Sandbox Forensics B'),
    entry('callcenter-a', 'call_center', 'Sandbox Call Centre A', '0120-000-111'),
    entry('callcenter-b', 'call_center', 'Sandbox Call Centre B', '0120-000-222'),
    entry('print-a', 'print_and_mail', 'Sandbox Print & Mail'),
    entry('monitoring-a', 'credit_monitoring', 'Sandbox Credit Monitoring'),
    entry('pr-a', 'public_relations', 'Sandbox PR'),
    entry('prevention-a', 'recurrence_prevention', 'Sandbox Security Consulting'),
  ];
}

export function writeVendorsFile(file: string, vendors: VendorEntry[]): void {
  writeFileSync(file, JSON.stringify(vendors, null, 2) + '\n', { mode: 0o600 });
}
