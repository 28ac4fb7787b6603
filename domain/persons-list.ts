/**
 * An uploaded affected-person list by reference: where the encrypted list is and what it holds, counted. This is all
 * that workflows, payloads and views ever carry of the persons (domain.md: personal data stays in the blob store).
 */
export interface PersonsListRef {
  /** Blob-store key of the encrypted NDJSON list. */
  key: string;
  uploadId: string;
  /** Data rows read, header excluded. */
  total: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  withEmail: number;
  withoutEmail: number;
  /** sha256 hex of the canonical NDJSON plaintext, checked again when the list is read to its end. */
  checksum: string;
  /**
   * A follow-up wave's list: the uploads of the case's earlier waves it was de-duplicated against (名寄せ at upload,
   * in storage), in wave order. Absent for a first list; the case refuses a wave checked against other waves than
   * its own (a wave attached meanwhile).
   */
  earlierWaves?: string[];
  /** Persons of this upload left out because an earlier wave already holds them (with `earlierWaves`). */
  duplicatesRemoved?: number;
}

/** What the case view shows of an attached list: the counts and checksum, not where it is stored. */
export type PersonsListSummary = Omit<PersonsListRef, 'key' | 'total' | 'earlierWaves'>;

export function personsListSummary(ref: PersonsListRef): PersonsListSummary {
  return {
    uploadId: ref.uploadId,
    accepted: ref.accepted,
    withEmail: ref.withEmail,
    withoutEmail: ref.withoutEmail,
    duplicates: ref.duplicates,
    rejected: ref.rejected,
    checksum: ref.checksum,
    ...(ref.duplicatesRemoved !== undefined ? { duplicatesRemoved: ref.duplicatesRemoved } : {}),
  };
}

/** The reference alone, as a workflow carries it (storage's record may hold more, e.g. counts per language). */
export function personsListRef(ref: PersonsListRef): PersonsListRef {
  return { key: ref.key, total: ref.total, ...personsListSummary(ref), ...(ref.earlierWaves ? { earlierWaves: [...ref.earlierWaves] } : {}) };
}
