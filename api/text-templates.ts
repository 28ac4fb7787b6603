/**
 * Templates of English text read back into their parameters, and filled again in another language. One engine for
 * the problems' recorded refusals (`problem-text.ts`) and for the texts the case records and the rules produce
 * (`case-text.ts`): a template is its English with `{name}` where a value goes; a text the product wrote from it is
 * matched whole (`^…$`), each `{name}` matching any text, shortest first.
 */

export interface Words {
  en: string;
  ja: string;
}

export type TemplateParams = Record<string, string | number | undefined>;

export interface CompiledTemplate<Id extends string = string> {
  id: Id;
  re: RegExp;
  names: string[];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The English of a template as an anchored regular expression, with the names of its parameters in order. */
export function compileTemplate<Id extends string>(id: Id, en: string): CompiledTemplate<Id> {
  const names: string[] = [];
  const parts = en.split(/\{(\w+)\}/);
  let src = '';
  parts.forEach((part, i) => {
    if (i % 2 === 1) {
      names.push(part);
      src += '([\\s\\S]+?)';
    } else src += escapeRe(part);
  });
  return { id, re: new RegExp(`^${src}$`), names };
}

/** The parameters of `text` if it was written from the template, else undefined. */
export function matchTemplate(t: CompiledTemplate, text: string): TemplateParams | undefined {
  const m = t.re.exec(text);
  if (!m) return undefined;
  const params: TemplateParams = {};
  t.names.forEach((n, i) => (params[n] = m[i + 1]));
  return params;
}

/** The first of `templates` that wrote `text`, with its parameters. */
export function matchFirst<Id extends string>(
  templates: readonly CompiledTemplate<Id>[],
  text: string,
): { id: Id; params: TemplateParams } | undefined {
  for (const t of templates) {
    const params = matchTemplate(t, text);
    if (params) return { id: t.id, params };
  }
  return undefined;
}

/** A template with its parameters filled in; a parameter without a value stays `{name}`. */
export function fillTemplate(template: string, params: TemplateParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params[name];
    return v === undefined ? whole : String(v);
  });
}

/** The `{name}`s of a template. */
export function templateParams(template: string): Set<string> {
  return new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!));
}
