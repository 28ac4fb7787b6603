/** Number formatting for explanations, independent of the runtime's locale data (workflow sandboxes vary). */
export function groupDigits(n: number): string {
  const sign = n < 0 ? '-' : '';
  return sign + String(Math.trunc(Math.abs(n))).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatYen(n: number): string {
  return `${groupDigits(n)} 円`;
}

/** `0.9` → `90 %`, without binary-fraction noise. */
export function formatPercent(ratio: number): string {
  return `${Math.round(ratio * 1_000_000) / 10_000} %`;
}
