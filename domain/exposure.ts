/**
 * Expected damages per affected person after JNSA's JO model (source: JNSA 2005 table via thinkit.co.jp, lrm.jp;
 * EP diagram: JNSA 2003 report and 2017 annex):
 *   per person = 500 × (10^(x−1) + 5^(y−1)) × identifiability × social responsibility × response quality
 */
import { formatYen as yen, groupDigits } from './format.js';
import { DATA_ITEMS, type DataItem } from './vocabulary.js';

export const JNSA_MODEL = {
  /** The model's base unit in yen. */
  baseJpy: 500,
  /** Emotional harm grows tenfold per EP level, economic loss fivefold. */
  emotionalBase: 10,
  economicBase: 5,
  identifiability: {
    /** Name and address together: the person is found at once. */
    easy: 6,
    /** Name alone, or address and phone: found with some effort. */
    someCost: 3,
    otherwise: 1,
  },
  /** 1 = appropriate or unknown; 2 = inappropriate (late, misleading). Unknown is read in the insured's favour. */
  defaultResponseQuality: 1,
} as const;

export type Identifiability = 1 | 3 | 6;

export function identifiabilityOf(items: readonly DataItem[]): { value: Identifiability; why: string } {
  const has = (code: DataItem): boolean => items.includes(code);
  const { easy, someCost, otherwise } = JNSA_MODEL.identifiability;
  if (has('name') && has('address')) return { value: easy, why: 'name and address leaked together' };
  if (has('name')) return { value: someCost, why: 'name leaked without address' };
  if (has('address') && has('phone')) return { value: someCost, why: 'address and phone leaked without name' };
  return { value: otherwise, why: 'neither name nor address with phone leaked' };
}

export interface ExposureInput {
  dataItems: readonly DataItem[];
  persons: number;
  socialResponsibility: 1 | 2;
  responseQuality?: 1 | 2;
}

export interface Exposure {
  perPersonJpy: number;
  persons: number;
  totalJpy: number;
  factors: {
    x: number;
    y: number;
    identifiability: Identifiability;
    socialResponsibility: 1 | 2;
    responseQuality: 1 | 2;
  };
  explanation: string[];
}


export function computeExposure(input: ExposureInput): Exposure {
  const responseQuality = input.responseQuality ?? JNSA_MODEL.defaultResponseQuality;
  const persons = Math.max(0, Math.floor(input.persons));
  let x = 0;
  let y = 0;
  let xItem: DataItem | undefined;
  let yItem: DataItem | undefined;
  for (const code of input.dataItems) {
    const info = DATA_ITEMS[code];
    if (info.x > x) [x, xItem] = [info.x, code];
    if (info.y > y) [y, yItem] = [info.y, code];
  }
  const ident = identifiabilityOf(input.dataItems);
  const factors = {
    x,
    y,
    identifiability: ident.value,
    socialResponsibility: input.socialResponsibility,
    responseQuality,
  };
  if (xItem === undefined || yItem === undefined) {
    return { perPersonJpy: 0, persons, totalJpy: 0, factors, explanation: ['No data items: no expected damages.'] };
  }
  const { baseJpy, emotionalBase, economicBase } = JNSA_MODEL;
  const harm = emotionalBase ** (x - 1) + economicBase ** (y - 1);
  const perPersonJpy = Math.floor(baseJpy * harm * ident.value * input.socialResponsibility * responseQuality);
  const totalJpy = perPersonJpy * persons;
  const explanation = [
    `Emotional harm x = ${x} (highest item: ${DATA_ITEMS[xItem].label}); economic loss y = ${y} (highest item: ${DATA_ITEMS[yItem].label}).`,
    `Identifiability ${ident.value}: ${ident.why}.`,
    `Social responsibility ${input.socialResponsibility} (from the policy); response quality ${responseQuality}${input.responseQuality === undefined ? ' (appropriate or unknown)' : ''}.`,
    `Per person = ${baseJpy} × (${emotionalBase}^${x - 1} + ${economicBase}^${y - 1}) × ${ident.value} × ${input.socialResponsibility} × ${responseQuality} = ${yen(perPersonJpy)} [JNSA JO model 想定損害賠償額].`,
    `Total = ${yen(perPersonJpy)} × ${groupDigits(persons)} persons = ${yen(totalJpy)}.`,
  ];
  return { perPersonJpy, persons, totalJpy, factors, explanation };
}
