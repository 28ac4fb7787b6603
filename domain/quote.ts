/**
 * Choosing a plan (domain.md 8c, 保険プランの選び方): from an organisation's industry, size and the personal data it
 * holds, two scenarios per record set, the standard limits that cover the severe one, and the prevention measures it
 * lacks. No rating model: premiums are the insurer's and stay out of it.
 *
 * Nothing here has its own damages rule: the per-person figure is the JNSA model of `exposure.ts`, the severity band
 * that of `severity.ts` and the response costs those of the reserve model (`reserve.ts`), run on a policy without
 * limits so that every estimate shows whole. Integer yen throughout: leaked persons are rounded up (part of a person
 * is a person), yen amounts down (the exact product, computed in BigInt so that no binary fraction moves it).
 */
import { computeExposure, JNSA_MODEL } from './exposure.js';
import { formatPercent, formatYen, groupDigits } from './format.js';
import type { RecordSet } from './quote-schemas.js';
import { computeReserve, RESERVE_ASSUMPTIONS, type ReserveLine } from './reserve.js';
import { computeSeverity } from './severity.js';
import { COST_CATEGORIES, COST_CATEGORY_LABELS, isLiabilityCategory, type Cause, type CostCategory, type Severity } from './vocabulary.js';

/** Industries a quote asks for; those held to a higher standard carry JNSA's social-responsibility degree 2. */
export const QUOTE_INDUSTRIES = [
  'retail_ecommerce',
  'finance',
  'insurance',
  'healthcare',
  'education',
  'public_sector',
  'telecom',
  'it_services',
  'manufacturing',
  'hospitality',
  'real_estate',
  'professional_services',
  'other',
] as const;
export type QuoteIndustry = (typeof QUOTE_INDUSTRIES)[number];

export const INDUSTRY_LABELS: Record<QuoteIndustry, { en: string; ja: string }> = {
  retail_ecommerce: { en: 'Retail and e-commerce', ja: '小売・通販' },
  finance: { en: 'Banking and finance', ja: '銀行・金融' },
  insurance: { en: 'Insurance', ja: '保険' },
  healthcare: { en: 'Healthcare', ja: '医療・介護' },
  education: { en: 'Education', ja: '教育' },
  public_sector: { en: 'Public sector', ja: '官公庁・自治体' },
  telecom: { en: 'Telecommunications', ja: '通信' },
  it_services: { en: 'IT services', ja: '情報サービス' },
  manufacturing: { en: 'Manufacturing', ja: '製造' },
  hospitality: { en: 'Hospitality and travel', ja: '宿泊・旅行' },
  real_estate: { en: 'Real estate', ja: '不動産' },
  professional_services: { en: 'Professional services', ja: '士業・専門サービス' },
  other: { en: 'Other', ja: 'その他' },
};

/** The security measures a quote asks about (contract: `measures`), in the order shown. */
export const SECURITY_MEASURES = ['encryptionAtRest', 'mfa', 'edr', 'staffTraining', 'accessReviews'] as const;
export type SecurityMeasure = (typeof SECURITY_MEASURES)[number];
export type Measures = Record<SecurityMeasure, boolean>;

export const MEASURE_LABELS: Record<SecurityMeasure, { en: string; ja: string }> = {
  encryptionAtRest: { en: 'Encryption of stored data', ja: '保存データの暗号化' },
  mfa: { en: 'Multi-factor authentication', ja: '多要素認証' },
  edr: { en: 'Endpoint detection and response (EDR)', ja: 'EDR（エンドポイントの検知・対応）' },
  staffTraining: { en: 'Staff training', ja: '従業員教育' },
  accessReviews: { en: 'Regular access reviews', ja: 'アクセス権の定期見直し' },
};

/** What each missing measure becomes: a prevention recommendation (domain.md 8c, last point). */
export const MEASURE_RECOMMENDATIONS: Record<SecurityMeasure, { en: string; ja: string }> = {
  encryptionAtRest: {
    en: 'Encrypt stored personal data (disks, databases, backups) so that a lost device or copied file is unreadable; strongly encrypted data may spare the report to the PPC.',
    ja: '保存している個人データ（ディスク・データベース・バックアップ）を暗号化し、紛失や持ち出しがあっても読めないようにしてください。高度な暗号化があれば個人情報保護委員会への報告が不要になる場合があります。',
  },
  mfa: {
    en: 'Require multi-factor authentication for e-mail, remote access and administrator accounts: stolen passwords are the commonest way in.',
    ja: 'メール・リモートアクセス・管理者アカウントに多要素認証を必須にしてください。盗まれたパスワードは最も多い侵入経路です。',
  },
  edr: {
    en: 'Deploy endpoint detection and response on servers and PCs, watched around the clock, to find an intrusion before the data leaves.',
    ja: 'サーバーとパソコンにEDRを導入し、常時監視して、データが持ち出される前に侵入を検知してください。',
  },
  staffTraining: {
    en: 'Train every employee at least once a year (misdelivery, phishing, handling personal data); the insurer offers courses and keeps the records.',
    ja: '全従業員に年1回以上の教育（誤送信・フィッシング・個人情報の取扱い）を行ってください。保険会社の研修を利用でき、受講記録も残せます。',
  },
  accessReviews: {
    en: 'Review who can reach personal data at least every quarter and remove leavers and unused accounts at once.',
    ja: '個人データにアクセスできる人を四半期ごとに見直し、退職者や使われていないアカウントを直ちに削除してください。',
  },
};

/** The standard limits of the market's plans (tmn-cyber.jp's limit table), in yen, ascending. */
export const STANDARD_LIMITS_JPY = [
  10_000_000, 30_000_000, 50_000_000, 100_000_000, 300_000_000, 500_000_000, 1_000_000_000,
] as const;

/** Claim rates as parts per million, so that the arithmetic stays in integers. */
const PPM = 1_000_000;

/** The two scenarios of every record set (product decision, domain.md 8c). */
export const QUOTE_SCENARIOS = {
  typical: {
    /** 10 % of the persons leak. */
    leakPpm: 100_000,
    /** 0.02 %: the reserve's claim rate (JNSA's data: about 0.02 % ever sued). */
    claimRatePpm: Math.round(RESERVE_ASSUMPTIONS.liabilityClaimRate.value * PPM),
    /** A misdirected e-mail or lost folder: negligence, no wrongful purpose. */
    cause: 'insider_negligent' as Cause,
  },
  severe: {
    /** Every person of the record set leaks. */
    leakPpm: 1_000_000,
    /** 1 %: an attack that is in the news draws claims far above the usual rate. */
    claimRatePpm: 10_000,
    /** An attack: the data is in hostile hands (raises the severity band). */
    cause: 'external_attack' as Cause,
  },
} as const;
export type ScenarioName = keyof typeof QUOTE_SCENARIOS;

/** JNSA social-responsibility degree 2 (一般より高い社会的責任): these industries, and large organisations. */
export const HIGH_RESPONSIBILITY_INDUSTRIES: readonly QuoteIndustry[] = ['finance', 'insurance', 'healthcare', 'education', 'public_sector', 'telecom'];
export const LARGE_ORGANISATION_EMPLOYEES = 1_000;

export const QUOTE_LIMITS = {
  maxRecordSets: 20,
  maxEmployees: 10_000_000,
  /** 1,000 兆円: above any company's revenue. */
  maxAnnualRevenueJpy: 1_000_000_000_000_000,
  maxLabelChars: 100,
} as const;

/** The quote function's input: the request with every measure known. */
export interface QuoteInput {
  industry: QuoteIndustry;
  employees: number;
  annualRevenueJpy: number;
  recordSets: readonly RecordSet[];
  measures: Measures;
}

/**
 * One line of arithmetic: a code and its parameters for any renderer, and the sentence in both languages for the
 * ones that need no more. `amountJpy` is the figure the step arrives at, when it arrives at one.
 */
export interface QuoteStep {
  code: string;
  params: Record<string, number | string>;
  amountJpy?: number;
  text: { en: string; ja: string };
}

export interface QuoteScenario {
  name: ScenarioName;
  recordSet: number;
  persons: number;
  leakedPersons: number;
  severity: Severity;
  perPersonJpy: number;
  liabilityJpy: number;
  responseCostsJpy: number;
  totalJpy: number;
  responseCosts: Partial<Record<CostCategory, number>>;
  steps: QuoteStep[];
}

export interface QuoteReason {
  code: 'covers_severe' | 'leaves_uncovered' | 'above_standard_limits' | 'headroom' | 'share_of_revenue';
  params: Record<string, number | string>;
  text: { en: string; ja: string };
}

export interface QuotePlan {
  position: 'lower' | 'recommended' | 'higher';
  liabilityLimitJpy: number;
  responseCostLimitJpy: number;
  recommended: boolean;
  uncoveredInSevereJpy: number;
  uncoveredLiabilityJpy: number;
  uncoveredResponseCostsJpy: number;
  reasons: QuoteReason[];
}

export interface PreventionRecommendation {
  measure: SecurityMeasure;
  label: { en: string; ja: string };
  text: { en: string; ja: string };
}

export interface Quote {
  socialResponsibility: 1 | 2;
  scenarios: QuoteScenario[];
  /** What the plans are measured against: the highest severe figures of all record sets. */
  sizing: { liabilityJpy: number; responseCostsJpy: number; liabilityRecordSet: number; responseRecordSet: number; steps: QuoteStep[] };
  plans: QuotePlan[];
  standardLimitsJpy: number[];
  measures: Measures;
  preventionRecommendations: PreventionRecommendation[];
  steps: QuoteStep[];
}

/** `a × ppm / 1,000,000`, rounded down, exactly. */
function timesPpmFloor(a: number, ppm: number): number {
  return Number((BigInt(a) * BigInt(ppm)) / BigInt(PPM));
}

/** `a × ppm / 1,000,000`, rounded up, exactly. */
function timesPpmCeil(a: number, ppm: number): number {
  const n = BigInt(a) * BigInt(ppm);
  const d = BigInt(PPM);
  return Number((n + d - 1n) / d);
}

/** The severity bands as the pages word them in Japanese. */
const SEVERITY_JA: Record<Severity, string> = { low: '低', medium: '中', high: '高', critical: '重大' };

const pct = (ppm: number): string => formatPercent(ppm / PPM);
const yenJa = (n: number): string => `${groupDigits(n)}円`;

function step(code: string, params: QuoteStep['params'], en: string, ja: string, amountJpy?: number): QuoteStep {
  return { code, params, ...(amountJpy !== undefined ? { amountJpy } : {}), text: { en, ja } };
}

/** JNSA's social-responsibility degree for the organisation, and why. */
export function socialResponsibilityOf(industry: QuoteIndustry, employees: number): { value: 1 | 2; step: QuoteStep } {
  const byIndustry = HIGH_RESPONSIBILITY_INDUSTRIES.includes(industry);
  const bySize = employees >= LARGE_ORGANISATION_EMPLOYEES;
  const value = byIndustry || bySize ? 2 : 1;
  const i = INDUSTRY_LABELS[industry];
  const why = byIndustry
    ? { en: `${i.en} is held to a higher standard`, ja: `${i.ja}は一般より高い社会的責任が求められる業種` }
    : bySize
      ? { en: `${groupDigits(employees)} employees (${groupDigits(LARGE_ORGANISATION_EMPLOYEES)} or more: a large organisation)`, ja: `従業員${groupDigits(employees)}人（${groupDigits(LARGE_ORGANISATION_EMPLOYEES)}人以上の大規模組織）` }
      : { en: `${i.en}, ${groupDigits(employees)} employees: the ordinary degree`, ja: `${i.ja}・従業員${groupDigits(employees)}人：通常の社会的責任度` };
  return {
    value,
    step: step(
      'social_responsibility',
      { industry, employees, value },
      `JNSA social responsibility ${value}: ${why.en}.`,
      `JNSA社会的責任度 ${value}：${why.ja}。`,
    ),
  };
}

/** A policy without limits, every category covered in full: the reserve model then shows each estimate whole. */
const UNLIMITED = Number.MAX_SAFE_INTEGER;
const UNLIMITED_POLICY = {
  liability: { perClaimLimitJpy: UNLIMITED, periodLimitJpy: UNLIMITED, deductibleJpy: 0 },
  responseCosts: { perIncidentLimitJpy: UNLIMITED, periodLimitJpy: UNLIMITED },
  categories: Object.fromEntries(COST_CATEGORIES.map((c) => [c, { limitJpy: UNLIMITED, payoutRatio: 1, consentRequired: false }])),
} as const;

function responseStep(line: ReserveLine, persons: number, severity: Severity): QuoteStep {
  const A = RESERVE_ASSUMPTIONS;
  const amount = line.estimateJpy;
  let why: { en: string; ja: string };
  switch (line.category) {
    case 'notification':
      why = {
        en: `${formatYen(A.letterPerPersonJpy.value)} × ${groupDigits(persons)} persons`,
        ja: `${yenJa(A.letterPerPersonJpy.value)} × ${groupDigits(persons)}人`,
      };
      break;
    case 'apology_payment':
      why = {
        en: `${formatYen(A.defaultApologyPerPersonJpy.value)} × ${groupDigits(persons)} persons`,
        ja: `${yenJa(A.defaultApologyPerPersonJpy.value)} × ${groupDigits(persons)}人`,
      };
      break;
    case 'forensic_investigation': {
      const systems = A.defaultSystemsBySeverity.value[severity];
      why = {
        en: `${formatYen(A.forensicsPerSystemJpy.value)} × ${systems} system${systems === 1 ? '' : 's'} (the default for ${severity})`,
        ja: `${yenJa(A.forensicsPerSystemJpy.value)} × ${systems}システム（重大度「${SEVERITY_JA[severity]}」の標準）`,
      };
      break;
    }
    default:
      why = { en: `the figure for severity ${severity}`, ja: `重大度「${SEVERITY_JA[severity]}」の標準額` };
  }
  return step(
    `response.${line.category}`,
    { category: line.category, severity, persons },
    `${COST_CATEGORY_LABELS[line.category].label}: ${why.en} = ${formatYen(amount)}.`,
    `${COST_CATEGORY_LABELS[line.category].labelJa}：${why.ja} = ${yenJa(amount)}`,
    amount,
  );
}

/** One scenario of one record set, every figure with its arithmetic. */
export function computeScenario(name: ScenarioName, recordSet: RecordSet, index: number, socialResponsibility: 1 | 2): QuoteScenario {
  const s = QUOTE_SCENARIOS[name];
  const persons = recordSet.persons;
  const leakedPersons = timesPpmCeil(persons, s.leakPpm);
  const steps: QuoteStep[] = [];
  steps.push(
    step(
      'leaked_persons',
      { persons, share: pct(s.leakPpm), leakedPersons },
      `Leaked persons = ${groupDigits(persons)} × ${pct(s.leakPpm)} = ${groupDigits(leakedPersons)} (rounded up).`,
      `漏えい人数 = ${groupDigits(persons)}人 × ${pct(s.leakPpm)} = ${groupDigits(leakedPersons)}人（切り上げ）`,
    ),
  );
  const severity = computeSeverity({ affectedPersons: leakedPersons, dataItems: recordSet.dataItems, cause: s.cause, encrypted: false });
  steps.push(
    step(
      'severity',
      { severity: severity.severity, cause: s.cause },
      `Severity band ${severity.severity} (${name === 'severe' ? 'an attack' : 'a mistake'}; data assumed readable), from the leaked persons and data items.`,
      `重大度「${SEVERITY_JA[severity.severity]}」（${name === 'severe' ? '外部からの攻撃' : '過失による漏えい'}、データは読める状態と仮定、漏えい人数と項目から）`,
    ),
  );
  const exposure = computeExposure({ dataItems: recordSet.dataItems, persons: leakedPersons, socialResponsibility });
  const f = exposure.factors;
  const { baseJpy, emotionalBase, economicBase } = JNSA_MODEL;
  steps.push(
    step(
      'jnsa_per_person',
      { x: f.x, y: f.y, identifiability: f.identifiability, socialResponsibility, responseQuality: f.responseQuality },
      `JNSA per person = ${baseJpy} × (${emotionalBase}^${f.x - 1} + ${economicBase}^${f.y - 1}) × ${f.identifiability} × ${socialResponsibility} × ${f.responseQuality} = ${formatYen(exposure.perPersonJpy)} (rounded down).`,
      `JNSA想定損害賠償額（1人あたり）= ${baseJpy} × (${emotionalBase}^${f.x - 1} + ${economicBase}^${f.y - 1}) × 本人特定容易度${f.identifiability} × 社会的責任度${socialResponsibility} × 事後対応${f.responseQuality} = ${yenJa(exposure.perPersonJpy)}（切り捨て）`,
      exposure.perPersonJpy,
    ),
  );
  const liabilityJpy = timesPpmFloor(exposure.totalJpy, s.claimRatePpm);
  steps.push(
    step(
      'liability',
      { perPersonJpy: exposure.perPersonJpy, leakedPersons, claimRate: pct(s.claimRatePpm) },
      `Liability = ${formatYen(exposure.perPersonJpy)} × ${groupDigits(leakedPersons)} persons × claim rate ${pct(s.claimRatePpm)} = ${formatYen(liabilityJpy)} (rounded down).`,
      `損害賠償 = ${yenJa(exposure.perPersonJpy)} × ${groupDigits(leakedPersons)}人 × 請求率 ${pct(s.claimRatePpm)} = ${yenJa(liabilityJpy)}（切り捨て）`,
      liabilityJpy,
    ),
  );
  // The reserve model, liability left out (exposure 0): the quote's liability is the scenario's own claim rate.
  const reserve = computeReserve({
    policy: UNLIMITED_POLICY,
    affectedPersons: leakedPersons,
    exposure: { totalJpy: 0, perPersonJpy: exposure.perPersonJpy },
    severity: severity.severity,
  });
  const responseCosts: Partial<Record<CostCategory, number>> = {};
  let responseCostsJpy = 0;
  for (const line of reserve.lines) {
    if (isLiabilityCategory(line.category) || line.estimateJpy === 0) continue;
    responseCosts[line.category] = line.estimateJpy;
    responseCostsJpy += line.estimateJpy;
    steps.push(responseStep(line, leakedPersons, severity.severity));
  }
  const parts = Object.values(responseCosts);
  steps.push(
    step(
      'response_total',
      { parts: parts.length },
      `Response costs = ${parts.map((p) => groupDigits(p)).join(' + ') || '0'} = ${formatYen(responseCostsJpy)}.`,
      `対応費用 = ${parts.map((p) => groupDigits(p)).join(' + ') || '0'} = ${yenJa(responseCostsJpy)}`,
      responseCostsJpy,
    ),
  );
  const totalJpy = liabilityJpy + responseCostsJpy;
  steps.push(
    step(
      'scenario_total',
      { liabilityJpy, responseCostsJpy },
      `Total = ${formatYen(liabilityJpy)} + ${formatYen(responseCostsJpy)} = ${formatYen(totalJpy)}.`,
      `合計 = ${yenJa(liabilityJpy)} + ${yenJa(responseCostsJpy)} = ${yenJa(totalJpy)}`,
      totalJpy,
    ),
  );
  return {
    name,
    recordSet: index,
    persons,
    leakedPersons,
    severity: severity.severity,
    perPersonJpy: exposure.perPersonJpy,
    liabilityJpy,
    responseCostsJpy,
    totalJpy,
    responseCosts,
    steps,
  };
}

/** The smallest standard limit at or above `need`; the largest when none is (the plan then leaves some uncovered). */
export function standardLimitIndex(need: number): number {
  const i = STANDARD_LIMITS_JPY.findIndex((l) => l >= need);
  return i === -1 ? STANDARD_LIMITS_JPY.length - 1 : i;
}

function planAt(position: QuotePlan['position'], li: number, ri: number, need: { liability: number; response: number }, revenue: number): QuotePlan {
  const liabilityLimitJpy = STANDARD_LIMITS_JPY[li]!;
  const responseCostLimitJpy = STANDARD_LIMITS_JPY[ri]!;
  const uncoveredLiabilityJpy = Math.max(0, need.liability - liabilityLimitJpy);
  const uncoveredResponseCostsJpy = Math.max(0, need.response - responseCostLimitJpy);
  const uncoveredInSevereJpy = uncoveredLiabilityJpy + uncoveredResponseCostsJpy;
  const reasons: QuoteReason[] = [];
  const top = STANDARD_LIMITS_JPY[STANDARD_LIMITS_JPY.length - 1]!;
  if (uncoveredInSevereJpy === 0) {
    reasons.push({
      code: 'covers_severe',
      params: { liabilityJpy: need.liability, responseCostsJpy: need.response },
      text: {
        en: `Covers the severe scenario in full (liability ${formatYen(need.liability)}, response costs ${formatYen(need.response)}).`,
        ja: `深刻なシナリオを全額カバーします（損害賠償 ${yenJa(need.liability)}、対応費用 ${yenJa(need.response)}）。`,
      },
    });
    const spare = liabilityLimitJpy - need.liability + (responseCostLimitJpy - need.response);
    if (position === 'higher') {
      reasons.push({
        code: 'headroom',
        params: { spareJpy: spare },
        text: {
          en: `${formatYen(spare)} above the severe scenario: room for litigation costs, a second incident in the period, or a larger breach than modelled.`,
          ja: `深刻なシナリオより ${yenJa(spare)} の余裕：訴訟費用、期間中の2件目の事故、想定を超える漏えいに備えられます。`,
        },
      });
    }
  } else {
    reasons.push({
      code: 'leaves_uncovered',
      params: { uncoveredLiabilityJpy, uncoveredResponseCostsJpy, uncoveredInSevereJpy },
      text: {
        en: `Leaves ${formatYen(uncoveredInSevereJpy)} uncovered in the severe scenario (liability ${formatYen(uncoveredLiabilityJpy)} + response costs ${formatYen(uncoveredResponseCostsJpy)}).`,
        ja: `深刻なシナリオで ${yenJa(uncoveredInSevereJpy)} が補償されません（損害賠償 ${yenJa(uncoveredLiabilityJpy)} + 対応費用 ${yenJa(uncoveredResponseCostsJpy)}）。`,
      },
    });
    if (revenue > 0) {
      const share = formatPercent(uncoveredInSevereJpy / revenue);
      reasons.push({
        code: 'share_of_revenue',
        params: { uncoveredInSevereJpy, annualRevenueJpy: revenue, share },
        text: { en: `That is ${share} of annual revenue.`, ja: `これは年間売上高の ${share} にあたります。` },
      });
    }
    if (need.liability > top || need.response > top) {
      reasons.push({
        code: 'above_standard_limits',
        params: { largestJpy: top },
        text: {
          en: `The severe scenario is above the largest standard limit (${formatYen(top)}): ask the insurer for a tailored plan.`,
          ja: `深刻なシナリオが標準の最大限度額（${yenJa(top)}）を超えています。個別設計のプランをご相談ください。`,
        },
      });
    }
  }
  return {
    position,
    liabilityLimitJpy,
    responseCostLimitJpy,
    recommended: position === 'recommended',
    uncoveredInSevereJpy,
    uncoveredLiabilityJpy,
    uncoveredResponseCostsJpy,
    reasons,
  };
}

/** The quote: scenarios, the plans around the recommended one, and the prevention recommendations. Pure. */
export function computeQuote(input: QuoteInput): Quote {
  const sr = socialResponsibilityOf(input.industry, input.employees);
  const scenarios: QuoteScenario[] = [];
  input.recordSets.forEach((set, i) => {
    scenarios.push(computeScenario('typical', set, i, sr.value), computeScenario('severe', set, i, sr.value));
  });
  const severe = scenarios.filter((s) => s.name === 'severe');
  // One breach at a time: the plan must carry the worst record set, read per limit (the highest severe liability
  // and the highest severe response costs), so that no set's severe scenario is left outside it.
  const byLiability = severe.reduce((a, b) => (b.liabilityJpy > a.liabilityJpy ? b : a));
  const byResponse = severe.reduce((a, b) => (b.responseCostsJpy > a.responseCostsJpy ? b : a));
  const need = { liability: byLiability.liabilityJpy, response: byResponse.responseCostsJpy };
  const li = standardLimitIndex(need.liability);
  const ri = standardLimitIndex(need.response);
  const sizingSteps: QuoteStep[] = [
    step(
      'sizing',
      { liabilityJpy: need.liability, responseCostsJpy: need.response, liabilityRecordSet: byLiability.recordSet, responseRecordSet: byResponse.recordSet },
      `The plan is sized by the severe scenario: the highest liability ${formatYen(need.liability)} (record set ${byLiability.recordSet + 1}) and the highest response costs ${formatYen(need.response)} (record set ${byResponse.recordSet + 1}).`,
      `プランは深刻なシナリオで決めます：損害賠償の最大 ${yenJa(need.liability)}（データ${byLiability.recordSet + 1}）、対応費用の最大 ${yenJa(need.response)}（データ${byResponse.recordSet + 1}）。`,
    ),
    step(
      'liability_limit',
      { needJpy: need.liability, limitJpy: STANDARD_LIMITS_JPY[li]! },
      `Liability limit: the smallest standard limit at or above ${formatYen(need.liability)} is ${formatYen(STANDARD_LIMITS_JPY[li]!)}${need.liability > STANDARD_LIMITS_JPY[li]! ? ' (the largest; none is enough)' : ''}.`,
      `賠償責任の支払限度額：${yenJa(need.liability)} 以上で最小の標準限度額は ${yenJa(STANDARD_LIMITS_JPY[li]!)}${need.liability > STANDARD_LIMITS_JPY[li]! ? '（最大額でも不足）' : ''}`,
      STANDARD_LIMITS_JPY[li],
    ),
    step(
      'response_limit',
      { needJpy: need.response, limitJpy: STANDARD_LIMITS_JPY[ri]! },
      `Response-cost limit: the smallest standard limit at or above ${formatYen(need.response)} is ${formatYen(STANDARD_LIMITS_JPY[ri]!)}${need.response > STANDARD_LIMITS_JPY[ri]! ? ' (the largest; none is enough)' : ''}.`,
      `事故対応費用の支払限度額：${yenJa(need.response)} 以上で最小の標準限度額は ${yenJa(STANDARD_LIMITS_JPY[ri]!)}${need.response > STANDARD_LIMITS_JPY[ri]! ? '（最大額でも不足）' : ''}`,
      STANDARD_LIMITS_JPY[ri],
    ),
  ];
  const last = STANDARD_LIMITS_JPY.length - 1;
  const plans: QuotePlan[] = [];
  if (li > 0 || ri > 0) plans.push(planAt('lower', Math.max(0, li - 1), Math.max(0, ri - 1), need, input.annualRevenueJpy));
  plans.push(planAt('recommended', li, ri, need, input.annualRevenueJpy));
  if (li < last || ri < last) plans.push(planAt('higher', Math.min(last, li + 1), Math.min(last, ri + 1), need, input.annualRevenueJpy));

  const preventionRecommendations = SECURITY_MEASURES.filter((m) => !input.measures[m]).map((measure) => ({
    measure,
    label: MEASURE_LABELS[measure],
    text: MEASURE_RECOMMENDATIONS[measure],
  }));
  const steps: QuoteStep[] = [
    sr.step,
    step(
      'rounding',
      {},
      'Integer yen: leaked persons rounded up, yen amounts rounded down.',
      '金額は円単位の整数：漏えい人数は切り上げ、金額は切り捨て。',
    ),
  ];
  return {
    socialResponsibility: sr.value,
    scenarios,
    sizing: { liabilityJpy: need.liability, responseCostsJpy: need.response, liabilityRecordSet: byLiability.recordSet, responseRecordSet: byResponse.recordSet, steps: sizingSteps },
    plans,
    standardLimitsJpy: [...STANDARD_LIMITS_JPY],
    measures: { ...input.measures },
    preventionRecommendations,
    steps,
  };
}

/** Where each measure of a quote came from. */
export type MeasureSource = 'request' | 'self_assessment' | 'training_records' | 'not_stated';

/** A training record counts towards `staffTraining` for this long after the course. */
export const TRAINING_VALID_MS = 365 * 86_400_000;

/**
 * The quote's measures: the request's where it states them, else the insured's self-assessment, else (staff
 * training) a course recorded in the last year; a measure nobody stated is counted missing. Pure.
 */
export function resolveMeasures(
  stated: Partial<Measures> | undefined,
  assessment: Partial<Measures> | undefined,
  trainingDates: readonly string[],
  now: Date,
): { measures: Measures; sources: Record<SecurityMeasure, MeasureSource> } {
  const measures = {} as Measures;
  const sources = {} as Record<SecurityMeasure, MeasureSource>;
  const trainedRecently = trainingDates.some((d) => {
    const t = Date.parse(d);
    return Number.isFinite(t) && t <= now.getTime() && now.getTime() - t <= TRAINING_VALID_MS;
  });
  for (const m of SECURITY_MEASURES) {
    if (stated?.[m] !== undefined) [measures[m], sources[m]] = [stated[m], 'request'];
    else if (assessment?.[m] === true) [measures[m], sources[m]] = [true, 'self_assessment'];
    // A course on record in the last year is staff training, whatever the self-assessment said.
    else if (m === 'staffTraining' && trainedRecently) [measures[m], sources[m]] = [true, 'training_records'];
    else if (assessment?.[m] === false) [measures[m], sources[m]] = [false, 'self_assessment'];
    else [measures[m], sources[m]] = [false, 'not_stated'];
  }
  return { measures, sources };
}
