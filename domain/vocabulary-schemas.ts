/**
 * The vocabulary's codes as zod enums (domain/vocabulary.ts), for the schemas of what crosses the edge. Kept apart
 * from the codes so that the rules stay free of zod (see domain/rules.ts).
 */
import { z } from 'zod';
import {
  ACTIONS,
  AUDIENCES,
  CASE_STATUSES,
  CAUSES,
  COST_CATEGORIES,
  DATA_ITEM_CODES,
  OBLIGATION_KINDS,
  PREVENTION_MEASURES,
  REGIMES,
  RESIDENCY_KEYS,
  ROLES,
  SEVERITIES,
  VENDOR_ROLES,
} from './vocabulary.js';

export const DataItemSchema = z.enum(DATA_ITEM_CODES);
export const CauseSchema = z.enum(CAUSES);
export const ResidencySchema = z.partialRecord(z.enum(RESIDENCY_KEYS), z.number().int().nonnegative());
/** Affected persons by where they live (an incident report's `residency`). */
export type Residency = z.infer<typeof ResidencySchema>;
export const RegimeSchema = z.enum(REGIMES);
export const AudienceSchema = z.enum(AUDIENCES);
export const ObligationKindSchema = z.enum(OBLIGATION_KINDS);
export const CostCategorySchema = z.enum(COST_CATEGORIES);
export const SeveritySchema = z.enum(SEVERITIES);
export const CaseStatusSchema = z.enum(CASE_STATUSES);
export const RoleSchema = z.enum(ROLES);
export const ActionSchema = z.enum(ACTIONS);
export const PreventionMeasureSchema = z.enum(PREVENTION_MEASURES);
export const VendorRoleSchema = z.enum(VENDOR_ROLES);
