/**
 * The words of every problem the API answers, in Japanese and English: one title per code and one detail template per
 * code and per situation (`DETAIL_TEXT`), filled from the problem's own fields (`{row}`, `{column}`, `{limit}`, ...).
 * Codes never change with the language; only `title` and `detail` do (and `Content-Language` says which).
 *
 * Refusals recorded by the case workflow arrive as English text (`code: text`, see `parseRefusal`); `refusalText`
 * reads them back into a template and its parameters, so a Japanese reader gets the same facts in Japanese.
 */
import type { Request } from 'express';
import { FINDINGS_PROBLEM_TEXT, INPUT_LIMITS, type FindingsProblem } from '../domain/index.js';
import { PERSONS_IMPORT_TEXT_KEYS, type PersonsImportTextKey } from '../storage/persons.js';
import { REFUSALS, type RefusalCode } from '../workflows/contract.js';
import { compileTemplate, fillTemplate, matchTemplate, type CompiledTemplate, type Words } from './text-templates.js';

export type { Words } from './text-templates.js';

export const PROBLEM_LANGUAGES = ['en', 'ja'] as const;
export type ProblemLanguage = (typeof PROBLEM_LANGUAGES)[number];


/**
 * The language of a request's problems: the better of `en` and `ja` by `Accept-Language` (negotiator, through
 * Express's `req.acceptsLanguages`; `ja-JP` counts as `ja`). English when the header is absent, `*`, or names neither:
 * API clients without the header get English; the pages send their language.
 */
export function problemLanguage(req: Pick<Request, 'acceptsLanguages'> | undefined): ProblemLanguage {
  if (!req) return 'en';
  // `en` first: with no header every language is acceptable and negotiator answers the first offered.
  const best = req.acceptsLanguages('en', 'ja');
  return best === 'ja' ? 'ja' : 'en';
}

/** Each problem code: its title and the detail used when the problem says nothing more specific. */
export const PROBLEM_TEXT = {
  validation: {
    title: { en: 'Request failed validation', ja: 'リクエストの内容に誤りがあります' },
    detail: { en: 'the request could not be read', ja: 'リクエストを読み取れませんでした' },
  },
  malformed_json: {
    title: { en: 'Request body is not valid JSON', ja: 'リクエスト本文が正しいJSONではありません' },
    detail: { en: 'the body is not valid JSON', ja: '本文が正しいJSONではありません' },
  },
  unsupported_media_type: {
    title: { en: 'Unsupported content type', ja: '対応していないコンテンツ形式です' },
    detail: { en: 'send UTF-8 JSON', ja: 'UTF-8のJSONで送ってください' },
  },
  payload_too_large: {
    title: { en: 'Request body too large', ja: 'リクエスト本文が大きすぎます' },
    detail: { en: 'the body is larger than allowed', ja: '本文が上限を超えています' },
  },
  unauthenticated: {
    title: { en: 'Authentication required', ja: '認証が必要です' },
    detail: { en: 'send Authorization: Bearer <key>', ja: 'Authorization: Bearer <APIキー> を付けて送ってください' },
  },
  forbidden: {
    title: { en: 'Not allowed for this principal', ja: 'この利用者には許可されていません' },
    detail: { en: 'not allowed for this principal', ja: 'この操作は許可されていません' },
  },
  not_found: {
    title: { en: 'Not found', ja: '見つかりません' },
    detail: { en: 'not found', ja: '見つかりません' },
  },
  method_not_allowed: {
    title: { en: 'Method not allowed', ja: 'このメソッドは使えません' },
    detail: { en: 'this method is not allowed here', ja: 'ここではこのメソッドは使えません' },
  },
  headers_too_large: {
    title: { en: 'Request headers too large', ja: 'リクエストヘッダーが大きすぎます' },
    detail: { en: 'the request headers are larger than the server accepts', ja: 'リクエストヘッダーがサーバーの上限を超えています' },
  },
  request_timeout: {
    title: { en: 'Request timed out', ja: 'リクエストが時間切れになりました' },
    detail: { en: 'the request was not received in full in time', ja: 'リクエストを時間内に受け取れませんでした' },
  },
  unknown_policy: {
    title: { en: 'Unknown policy', ja: '登録されていない保険契約です' },
    detail: { en: 'the policy is not registered', ja: 'この保険契約は登録されていません' },
  },
  unknown_assignee: {
    title: { en: 'Unknown assignee', ja: '担当者が見つかりません' },
    detail: { en: 'the assignee is not a handler or supervisor', ja: '指定された担当者は損害調査担当者でも承認者でもありません' },
  },
  idempotency_conflict: {
    title: { en: 'Idempotency key reused with another body', ja: '同じIdempotency-Keyが別の内容で使われました' },
    detail: { en: 'this Idempotency-Key was already used with a different body', ja: 'このIdempotency-Keyは別の内容の報告で使用済みです' },
  },
  consultation_mismatch: {
    title: { en: 'Not the consultation’s policy', ja: '相談の保険契約と一致しません' },
    detail: { en: 'the report is for another policy than the consultation', ja: '報告の保険契約が相談の保険契約と異なります' },
  },
  conflict: {
    title: { en: 'Conflict', ja: '競合しています' },
    detail: { en: 'already exists', ja: 'すでに存在します' },
  },
  wrong_state: {
    title: { en: 'Not possible in the current state', ja: '現在の状態ではできません' },
    detail: { en: 'not possible in the current state of the case', ja: '事案の現在の状態ではこの操作はできません' },
  },
  over_authority: {
    title: { en: 'Above the approver’s authority', ja: '承認権限を超えています' },
    detail: { en: 'above the approver’s authority', ja: '承認者の権限額を超えています' },
  },
  consent_missing: {
    title: { en: 'Insurer consent missing', ja: '保険会社の同意がありません' },
    detail: { en: 'the insurer’s consent is missing', ja: '保険会社の事前同意がありません' },
  },
  invalid: {
    title: { en: 'Refused by the case rules', ja: '事案のルールにより受け付けられません' },
    detail: { en: 'refused by the case', ja: '事案のルールにより受け付けられませんでした' },
  },
  nothing_to_do: {
    title: { en: 'Nothing to do', ja: '対象がありません' },
    detail: { en: 'nothing to do', ja: '実行する内容がありません' },
  },
  duplicate: {
    title: { en: 'Duplicate', ja: '重複しています' },
    detail: { en: 'submitted before', ja: 'すでに提出済みです' },
  },
  notice_draft_not_approved: {
    title: { en: 'Notice not approved by counsel', ja: '通知文が弁護士に承認されていません' },
    detail: {
      en: 'approve-notice needs a version of the notice in that language approved by counsel',
      ja: '通知の承認には、その言語の通知文の版が弁護士に承認されている必要があります',
    },
  },
  stale_version: {
    title: { en: 'Not the current version', ja: '最新の版ではありません' },
    detail: { en: 'the filing changed since this version; read it again', ja: 'この版の後に提出書類が変更されています。読み直してください' },
  },
  precondition_required: {
    title: { en: 'If-Match required', ja: 'If-Matchが必要です' },
    detail: { en: 'send If-Match with the ETag of the version you edit', ja: '編集する版のETagをIf-Matchに付けて送ってください' },
  },
  apology_code_invalid: {
    title: { en: 'Apology code not issued for this case', ja: 'この事案で発行されたお詫びコードではありません' },
    detail: { en: 'this code was not issued for this case', ja: 'このコードはこの事案で発行されたものではありません' },
  },
  not_reopenable: {
    title: { en: 'Case cannot be reopened', ja: '事案を再開できません' },
    detail: { en: 'this case can no longer be reopened', ja: 'この事案はもう再開できません' },
  },
  already_redeemed: {
    title: { en: 'Apology code already redeemed', ja: 'お詫びコードは使用済みです' },
    detail: { en: 'this code was already redeemed', ja: 'このコードはすでに使用されています' },
  },
  enrolment_code_invalid: {
    title: { en: 'Enrolment code not issued for this case', ja: 'この事案で発行されたお申込コードではありません' },
    detail: { en: 'this code was not issued for this case', ja: 'このコードはこの事案で発行されたものではありません' },
  },
  already_enrolled: {
    title: { en: 'Enrolment code already used', ja: 'お申込コードは使用済みです' },
    detail: { en: 'this code was already used to enrol', ja: 'このコードはすでにお申し込みに使われています' },
  },
  credit_monitoring_not_offered: {
    title: { en: 'No credit monitoring on this case', ja: 'この事案ではクレジットモニタリングを提供していません' },
    detail: { en: 'this case offers no credit monitoring', ja: 'この事案ではクレジットモニタリングを提供していません' },
  },
  persons_rejected: {
    title: { en: 'No affected person could be accepted', ja: '対象者リストを受け付けられませんでした' },
    detail: { en: 'the list was refused; nothing was stored', ja: 'リストを受け付けられませんでした。何も保存されていません' },
  },
  signature_invalid: {
    title: { en: 'Webhook signature invalid', ja: 'Webhookの署名が正しくありません' },
    detail: { en: 'the BC-Signature header does not verify', ja: 'BC-Signatureヘッダーの署名を検証できません' },
  },
  rate_limited: {
    title: { en: 'Too many requests', ja: 'リクエストが多すぎます' },
    detail: { en: 'too many requests a minute', ja: '1分あたりのリクエスト数の上限を超えました' },
  },
  unavailable: {
    title: { en: 'Backend unavailable', ja: 'バックエンドに接続できません' },
    detail: { en: 'Temporal is not reachable; retry shortly', ja: 'Temporalに接続できません。しばらくしてから再試行してください' },
  },
  command_pending: {
    title: { en: 'Command recorded, not yet answered', ja: '操作は記録済みで、まだ応答がありません' },
    detail: {
      en: 'the command is recorded and the case will apply it, but it has not answered yet; repeat the request with the same Idempotency-Key to read its outcome',
      ja: '操作は記録され、事案に適用されますが、まだ応答がありません。同じIdempotency-Keyで再送すると結果を確認できます',
    },
  },
  case_starting: {
    title: { en: 'Case filed, not yet opened by a worker', ja: '事案は受付済みで、まだ開始されていません' },
    detail: { en: 'the case is filed and waits for a worker to open it', ja: '事案は受付済みで、ワーカーによる開始を待っています' },
  },
  sso_failed: {
    title: { en: 'Single sign-on refused', ja: 'シングルサインオンを完了できませんでした' },
    detail: { en: 'the sign-in could not be completed; start it again', ja: 'サインインを完了できませんでした。最初からやり直してください' },
  },
  limit_reached: {
    title: { en: 'Limit reached', ja: '上限に達しています' },
    detail: { en: 'no more can be kept', ja: 'これ以上は保存できません' },
  },
  internal: {
    title: { en: 'Internal server error', ja: 'サーバー内部のエラーです' },
    detail: {
      en: 'an unexpected error; quote the request id when reporting it',
      ja: '予期しないエラーです。お問い合わせの際はリクエストID（requestId）をお知らせください',
    },
  },
} as const satisfies Record<string, { title: Words; detail: Words }>;

export type ProblemCode = keyof typeof PROBLEM_TEXT;
export const PROBLEM_CODES = Object.keys(PROBLEM_TEXT) as ProblemCode[];

/** English titles by code (the docs page lists them so every `type` URI resolves). */
export const PROBLEM_TITLES: Record<string, string> = Object.fromEntries(PROBLEM_CODES.map((c) => [c, PROBLEM_TEXT[c].title.en]));

/** Persons-upload refusals (storage's `PersonsImportError.textKey`), by the key storage gives. */
const PERSONS_TEXT: Record<PersonsImportTextKey, Words> = {
  too_many_rows: { en: 'upload has more than {limit} rows', ja: 'リストが上限の{limit}行を超えています' },
  missing_columns: {
    en: 'header needs name and at least one of email, postal_address',
    ja: '見出し行には name と、email または postal_address の少なくとも一方が必要です',
  },
  line_too_long: {
    en: '{place} is far longer than {limit} bytes (a missing line break?)',
    ja: '{place}が{limit}バイトを大きく超えています（改行が抜けていませんか）',
  },
  invalid_quote: {
    en: '{place}: a double quote inside a cell that does not start with one (quote the whole cell and double the quote: "a ""b"" c")',
    ja: '{place}：ダブルクォートで始まらないセルの中にダブルクォートがあります（セル全体を囲み、中の引用符は2つ重ねてください: "a ""b"" c"）',
  },
  text_after_quote: { en: '{place}: text follows the closing double quote of a cell', ja: '{place}：セルを閉じるダブルクォートの後に文字があります' },
  unclosed_quote: { en: '{place}: a cell opens a double quote that is never closed', ja: '{place}：ダブルクォートで始まるセルが閉じられていません' },
  inconsistent_columns: { en: '{place} has another number of columns than the header', ja: '{place}の列数が見出し行と違います' },
  duplicate_column: { en: 'the header names a column twice', ja: '見出し行に同じ列が2回あります' },
  empty: { en: 'the upload has no header row', ja: 'リストに見出し行がありません' },
  malformed: { en: '{place} is not valid CSV', ja: '{place}はCSVとして読み取れません' },
  'encoding.foreign_bom': {
    en: 'the upload is {encoding} text; save the list as "CSV UTF-8"',
    ja: 'リストは{encoding}で保存されています。「CSV UTF-8」で保存し直してください',
  },
  'encoding.no_bom_utf16': {
    en: '{place} holds a NUL character (UTF-16 without a byte order mark, or binary?); save the list as "CSV UTF-8"',
    ja: '{place}にNUL文字があります（BOMのないUTF-16、またはバイナリファイルではありませんか）。「CSV UTF-8」で保存し直してください',
  },
  'encoding.neither': {
    en: '{place} is not {expected} text; save the list as "CSV UTF-8"',
    ja: '{place}は{expected}の文字として読めません。「CSV UTF-8」で保存し直してください',
  },
  'encoding.mixed': {
    en: '{place} is {found} text but {earlier} is {settled}: the file mixes two encodings; save the list as "CSV UTF-8"',
    ja: '{place}は{found}ですが、{earlier}は{settled}です。1つのファイルに2つの文字コードが混在しています。「CSV UTF-8」で保存し直してください',
  },
  'encoding.invalid_utf16': {
    en: '{place} is not valid {encoding} text (a broken character); save the list as "CSV UTF-8"',
    ja: '{place}に{encoding}として正しくない文字があります。「CSV UTF-8」で保存し直してください',
  },
};

/**
 * Details by situation. The key names the code it belongs to (`<code>` or `<code>.<situation>`); parameters come from
 * the problem's fields and from the thrower (`params`). A parameter missing from `params` is left as `{name}`, which
 * the completeness test would catch in its samples.
 */
export const DETAIL_TEXT = {
  'validation.fields': { en: '{summary}', ja: '入力内容に誤りがあります（{paths}）' },
  'validation.unreadable': { en: 'the request could not be read', ja: 'リクエストを読み取れませんでした' },
  'validation.http': { en: 'the request could not be parsed as HTTP', ja: 'HTTPリクエストとして解釈できませんでした' },
  'validation.backend': {
    en: 'the backend refused the request as invalid (a stale page token?)',
    ja: 'バックエンドがリクエストを不正として拒否しました（古いページトークンではありませんか）',
  },
  'validation.filter_quotes': {
    en: 'filter values may not contain quotes or backslashes',
    ja: '絞り込みの値に引用符やバックスラッシュは使えません',
  },
  'validation.page_token': {
    en: 'pageToken is not one this list handed out (or belongs to other filters)',
    ja: 'pageTokenがこの一覧で発行されたものではありません（または別の絞り込み条件のものです）',
  },
  'validation.search_page_token': {
    en: 'a search (q) answers one page: send it without pageToken',
    ja: '検索（q）の結果は1ページのみです。pageTokenを付けずに送ってください',
  },
  'validation.idempotency_key': {
    en: 'Idempotency-Key must be 1-200 visible ASCII characters',
    ja: 'Idempotency-Keyは1〜200文字の表示可能なASCII文字にしてください',
  },
  'malformed_json.body': { en: 'the body is not valid JSON', ja: '本文が正しいJSONではありません' },
  'unsupported_media_type.utf8_json': { en: 'send UTF-8 JSON', ja: 'UTF-8のJSONで送ってください' },
  'unsupported_media_type.json': { en: 'send Content-Type: application/json', ja: 'Content-Type: application/json で送ってください' },
  'unsupported_media_type.type': { en: 'send Content-Type: {contentType}', ja: 'Content-Type: {contentType} で送ってください' },
  'payload_too_large.body': { en: 'the body is larger than allowed', ja: '本文が上限を超えています' },
  'payload_too_large.list': { en: 'the list may be at most {limit} bytes', ja: 'リストは{limit}バイトまでです' },
  'unauthenticated.bearer': { en: 'send Authorization: Bearer <key>', ja: 'Authorization: Bearer <APIキー> を付けて送ってください' },
  'unauthenticated.scheme': { en: 'the Authorization header must be "Bearer <key>"', ja: 'Authorizationヘッダーは「Bearer <APIキー>」の形にしてください' },
  'unauthenticated.credentials': { en: 'unknown, expired or revoked credentials', ja: '認証情報が不明、期限切れ、または失効しています' },
  'forbidden.role': { en: 'role {role} may not {what}', ja: 'ロール {role} にはこの操作（{what}）は許可されていません' },
  'forbidden.origin': { en: 'origin not allowed', ja: 'このオリジンからの呼び出しは許可されていません' },
  'not_found.any': { en: 'not found', ja: '見つかりません' },
  'not_found.sso': { en: 'single sign-on is not configured', ja: 'シングルサインオンは設定されていません' },
  'unavailable.sso': { en: 'the identity provider cannot be reached; retry shortly', ja: 'IDプロバイダに接続できません。しばらくしてから再試行してください' },
  'sso_failed.transaction': {
    en: 'no sign-in was started in this browser, or it expired or was already used; start it again',
    ja: 'このブラウザで開始されたサインインがないか、期限切れまたは使用済みです。最初からやり直してください',
  },
  'sso_failed.state': {
    en: 'the answer does not belong to the sign-in this browser started (state mismatch); start it again',
    ja: '応答がこのブラウザで開始したサインインのものではありません（stateの不一致）。最初からやり直してください',
  },
  'sso_failed.provider': { en: 'the identity provider refused the sign-in', ja: 'IDプロバイダがサインインを拒否しました' },
  'sso_failed.exchange': {
    en: 'the identity provider’s answer could not be verified; start the sign-in again',
    ja: 'IDプロバイダの応答を検証できませんでした。サインインを最初からやり直してください',
  },
  'sso_failed.no_role': {
    en: 'the identity provider names no role of this service for you (or an insured without its insured id)',
    ja: 'IDプロバイダの情報に、このサービスのロール（被保険者の場合は被保険者ID）がありません',
  },
  'sso_failed.handoff': {
    en: 'no finished sign-in in this browser, or its session was already taken',
    ja: 'このブラウザで完了したサインインがないか、セッションはすでに受け取られています',
  },
  'internal.unexpected': {
    en: 'an unexpected error; quote the request id when reporting it',
    ja: '予期しないエラーです。お問い合わせの際はリクエストID（requestId）をお知らせください',
  },
  'already_redeemed.once': { en: 'this code was already redeemed', ja: 'このコードはすでに使用されています' },
  'unknown_assignee.role': { en: 'the assignee is not a handler or supervisor', ja: '指定された担当者は損害調査担当者でも承認者でもありません' },
  'command_pending.recorded': {
    en: 'the command is recorded and the case will apply it, but it has not answered yet; repeat the request with the same Idempotency-Key to read its outcome',
    ja: '操作は記録され、事案に適用されますが、まだ応答がありません。同じIdempotency-Keyで再送すると結果を確認できます',
  },
  'invalid.refused': { en: 'refused by the case', ja: '事案のルールにより受け付けられませんでした' },
  'idempotency_conflict.key_other_body': {
    en: 'this Idempotency-Key was already used with a different body',
    ja: 'このIdempotency-Keyは別の内容の送信で使用済みです',
  },
  'idempotency_conflict.key': {
    en: 'this Idempotency-Key was already used with a different body',
    ja: 'このIdempotency-Keyは別の内容の報告で使用済みです',
  },
  'idempotency_conflict.note': {
    en: 'this Idempotency-Key was already used for another note',
    ja: 'このIdempotency-Keyは別のメモの追加で使用済みです',
  },
  'signature_invalid.header': { en: 'the BC-Signature header does not verify', ja: 'BC-Signatureヘッダーの署名を検証できません' },
  'not_found.route': { en: 'no route for {method} {path}', ja: '{method} {path} に該当するAPIはありません' },
  'not_found.case': { en: 'case {caseId} not found', ja: '事案 {caseId} は見つかりません' },
  'not_found.consultation': { en: 'consultation {consultationId} not found', ja: '相談 {consultationId} は見つかりません' },
  'consultation_mismatch.policy': {
    en: 'the consultation is for policy {policyNumber}: convert it with that policy',
    ja: 'この相談の保険契約は {policyNumber} です。その保険契約で事案に移行してください',
  },
  'not_found.document': { en: 'document {documentId} not found on this case', ja: 'この事案に書類 {documentId} はありません' },
  'not_found.filing': { en: 'filing {filingId} not found on this case', ja: 'この事案に提出書類 {filingId} はありません' },
  'stale_version.filing': {
    en: 'filing {filingId} is at version {version}; read it again and edit that version',
    ja: '提出書類 {filingId} は第{version}版です。読み直してその版を編集してください',
  },
  'not_found.notice_draft': { en: 'no notice draft in {language} on this case yet', ja: 'この事案には{language}の通知文の下書きがまだありません' },
  'stale_version.notice_draft': {
    en: 'the notice draft ({language}) is at version {version}; read it again and use that version',
    ja: '通知文の下書き（{language}）は第{version}版です。読み直してその版を指定してください',
  },
  'precondition_required.notice_draft': {
    en: 'send If-Match with the ETag of the notice draft version you edit ("v{version}" now)',
    ja: '編集する通知文の下書きの版のETagをIf-Matchに付けて送ってください（現在は "v{version}"）',
  },
  'wrong_state.notice_sent': { en: 'the notice is approved and its campaign started: the draft no longer changes', ja: '通知は承認され送付が始まっているため、下書きは変更できません' },
  'precondition_required.filing': {
    en: 'send If-Match with the ETag of the filing version you edit ("v{version}" now)',
    ja: '編集する提出書類の版のETagをIf-Matchに付けて送ってください（現在は "v{version}"）',
  },
  'wrong_state.filing_filed': { en: 'filing {filingId} is filed and no longer changes', ja: '提出書類 {filingId} は提出済みのため変更できません' },

  'payload_too_large.document': { en: 'a document may be at most {limit} bytes; nothing was stored', ja: '書類は{limit}バイトまでです。何も保存されていません' },
  'unsupported_media_type.document': {
    en: 'the content is not a document of an accepted type ({types}); nothing was stored',
    ja: '内容が受け付け可能な形式（{types}）の書類ではありません。何も保存されていません',
  },
  'validation.upload_incomplete': { en: 'the upload ended before the whole document arrived; nothing was stored', ja: '書類の受信が途中で終わりました。何も保存されていません' },
  'not_reopenable.case': {
    en: 'case {caseId} ended before closed cases were kept open for reopening, or its retention period is over; file a new case',
    ja: '事案 {caseId} は再開できる仕組みの導入前に終了したか、保存期間が過ぎています。新しい事案として報告してください',
  },
  'not_found.insured': { en: 'insured {insuredId} not found', ja: '契約者 {insuredId} は見つかりません' },
  'not_found.quote': { en: 'quote {quoteId} not found', ja: '見積り {quoteId} は見つかりません' },
  'limit_reached.training': {
    en: 'an insured keeps at most {limit} training records',
    ja: '研修記録は1契約者あたり{limit}件までです',
  },
  'not_found.policy': { en: 'policy {policyNumber} not found', ja: '保険契約 {policyNumber} は見つかりません' },
  'method_not_allowed.use': { en: '{method} is not allowed here; use {allowed}', ja: 'ここでは {method} は使えません。{allowed} を使ってください' },
  'unknown_policy.number': { en: 'policy {policyNumber} is not registered', ja: '保険契約 {policyNumber} は登録されていません' },
  'conflict.exists': { en: 'already exists', ja: 'すでに存在します' },
  'wrong_state.case': { en: 'case {caseId} is {status}', ja: '事案 {caseId} は「{status}」の状態です' },
  'apology_code_invalid.case': { en: 'this code was not issued for case {caseId}', ja: 'このコードは事案 {caseId} で発行されたものではありません' },
  'already_redeemed.at': { en: 'this code was redeemed at {redeemedAt}', ja: 'このコードは {redeemedAt} に使用済みです' },
  'enrolment_code_invalid.case': { en: 'this code was not issued for case {caseId}', ja: 'このコードは事案 {caseId} で発行されたものではありません' },
  'enrolment_code_invalid.campaign': {
    en: 'notice campaign {campaignNo} of case {caseId} offered no credit monitoring',
    ja: '事案 {caseId} の通知（第{campaignNo}回）ではクレジットモニタリングを案内していません',
  },
  'already_enrolled.at': { en: 'this code was used to enrol at {enrolledAt}', ja: 'このコードは {enrolledAt} にお申し込みに使用済みです' },
  'credit_monitoring_not_offered.case': {
    en: 'case {caseId} offers no credit monitoring: no leaked item carries the financial-risk flag',
    ja: '事案 {caseId} ではクレジットモニタリングを提供していません（財産的被害のおそれがある項目は漏えいしていません）',
  },
  'persons_rejected.no_row': { en: 'no row of the list could be accepted', ja: 'リストのどの行も受け付けられませんでした' },
  'persons_rejected.all_in_earlier_waves': {
    en: 'every person of the list is already in an earlier wave of this case: nobody new to notify',
    ja: 'リストの全員がこの事案の以前の通知対象（前回までのウェーブ）に含まれています。新たに通知する人はいません',
  },
  'rate_limited.limit': { en: 'at most {limit} requests a minute per principal', ja: '1利用者あたり1分に{limit}件までです' },
  'unavailable.temporal': { en: 'Temporal is not reachable; retry shortly', ja: 'Temporalに接続できません。しばらくしてから再試行してください' },
  'unavailable.apology_secret': {
    en: 'apology codes cannot be checked: no apology secret configured',
    ja: 'お詫びコードを確認できません（お詫びコードの秘密鍵が設定されていません）',
  },
  'case_starting.case': {
    en: 'case {caseId} is filed and waits for a worker to open it',
    ja: '事案 {caseId} は受付済みで、ワーカーによる開始を待っています',
  },
} as const satisfies Record<string, Words>;

export type DetailKey = keyof typeof DETAIL_TEXT;
export type ProblemParams = Record<string, string | number | undefined>;

/** What a thrower says instead of a finished sentence: a template key and its parameters. */
export interface ProblemText {
  key: DetailKey | `persons.${PersonsImportTextKey}` | `refusal.${RefusalTextId}`;
  params?: ProblemParams;
}

/**
 * Refusals the case workflow records, as templates of their English text (`refuse(code, text)` in
 * `workflows/case/*.ts` and the domain rules they quote). `{name}` matches any text; `{reason}` parameters are read
 * again through this table (nested reasons, e.g. an authority decision inside an over-authority refusal).
 */
const REFUSAL_TEXT = {
  case_not_found: { code: 'not_found', en: 'case {caseId} not found', ja: '事案 {caseId} は見つかりません' },
  role_may_not: { code: 'forbidden', en: 'role {role} may not {action}', ja: 'ロール {role} には {action} は許可されていません' },
  unsigned: {
    code: 'forbidden',
    en: 'the case takes commands only as signals signed by the API',
    ja: '事案はAPIが署名したシグナルによる操作のみ受け付けます',
  },
  case_is: { code: 'wrong_state', en: 'case is {status}', ja: '事案は「{status}」の状態です' },
  not_on_panel: { code: 'invalid', en: 'vendorId is not a vendor of the panel', ja: 'vendorId はパネルのベンダーではありません' },
  coverage_denied: { code: 'wrong_state', en: 'coverage is denied', ja: '補償は否認されています' },
  engage_predates: {
    code: 'wrong_state',
    en: 'this case predates engage-vendor: its vendors are engaged at triage only',
    ja: 'この事案は engage-vendor の導入前に始まったため、委託先は初期評価時のみ依頼されます',
  },
  engage_not_on_panel: { code: 'invalid', en: 'vendor {vendorId} is not on the panel', ja: '委託先 {vendorId} はパネルにありません' },
  engage_other_role: { code: 'invalid', en: 'vendor {vendorId} is a {role} vendor, not {wanted}', ja: '委託先 {vendorId} は {role} の委託先で、{wanted} ではありません' },
  engage_vendor_engaged: { code: 'duplicate', en: 'vendor {vendorId} is already engaged on this case', ja: '委託先 {vendorId} はこの事案ですでに依頼済みです' },
  engage_role_engaged: {
    code: 'duplicate',
    en: 'a {role} vendor is already engaged on this case (name a vendorId to engage another)',
    ja: 'この事案では {role} の委託先をすでに依頼済みです（別の委託先に依頼するには vendorId を指定してください）',
  },
  engage_none_left: { code: 'wrong_state', en: 'no {role} vendor left on the panel', ja: 'パネルに {role} の委託先が残っていません' },
  coverage_is: { code: 'wrong_state', en: 'coverage is {decision}', ja: '補償判断は「{decision}」です' },
  items_duplicate: {
    code: 'duplicate',
    en: 'every item was submitted before (same evidence, category and amount)',
    ja: 'すべての費用項目が提出済みです（同じ証憑・区分・金額）',
  },
  payout_awaits: { code: 'over_authority', en: 'payout {payoutId} awaits a supervisor: {reason}', ja: '支払 {payoutId} は承認者の承認待ちです：{reason}' },
  line_ids: { code: 'invalid', en: 'some lineIds are not payable', ja: '指定された lineIds の一部は支払可能ではありません' },
  line_held: { code: 'consent_missing', en: 'nothing payable; line {lineId} is held: {reasons}', ja: '支払可能な項目がありません。項目 {lineId} は保留中です：{reasons}' },
  no_payable: { code: 'nothing_to_do', en: 'no payable lines', ja: '支払可能な項目がありません' },
  not_approver: { code: 'over_authority', en: 'A {role} may not approve payouts.', ja: 'ロール {role} は支払を承認できません。' },
  within_handler: {
    code: 'over_authority',
    en: "{total} is within the handler's authority of {limit}.",
    ja: '{total}は担当者の権限額{limit}の範囲内です。',
  },
  over_handler: {
    code: 'over_authority',
    en: "{total} exceeds the handler's authority of {limit}: pending a supervisor's approval.",
    ja: '{total}は担当者の権限額{limit}を超えています。承認者の承認待ちです。',
  },
  within_supervisor: {
    code: 'over_authority',
    en: "{total} is within the supervisor's authority of {limit}.",
    ja: '{total}は承認者の権限額{limit}の範囲内です。',
  },
  over_supervisor: {
    code: 'over_authority',
    en: "{total} exceeds this supervisor's authority of {limit}: a supervisor with a higher limit must approve.",
    ja: '{total}はこの承認者の権限額{limit}を超えています。より高い権限の承認者の承認が必要です。',
  },
  notice_approved: { code: 'nothing_to_do', en: 'the notice is already approved', ja: '通知文はすでに承認されています' },
  may_not_upload: { code: 'forbidden', en: 'role {role} may not upload', ja: 'ロール {role} はリストをアップロードできません' },
  notices_sent: {
    code: 'wrong_state',
    en: 'notices were already sent from an earlier list',
    ja: '以前のリストから通知がすでに送られています',
  },
  waves_changed: {
    code: 'wrong_state',
    en: 'the case has other waves than the list was checked against: upload it again',
    ja: 'リストの照合後にこの事案の通知対象（ウェーブ）が変わりました。もう一度アップロードしてください',
  },
  replaces_first: {
    code: 'wrong_state',
    en: 'no campaign has started: the list replaces the first one',
    ja: '通知はまだ始まっていません。このリストは最初のリストを置き換えるものです',
  },
  announced_future: { code: 'invalid', en: 'publishedAt is in the future', ja: 'publishedAt が未来の日時です' },
  no_obligation: { code: 'not_found', en: 'no {what} obligation on this case', ja: 'この事案に {what} の義務はありません' },
  which_audience: {
    code: 'invalid',
    en: '{regime} has {count} {kind} obligations ({audiences}): say which audience',
    ja: '{regime} には {kind} の義務が{count}件あります（{audiences}）。audience を指定してください',
  },
  already_status_how: { code: 'nothing_to_do', en: '{id} is already {status} ({how})', ja: '{id} はすでに「{status}」です（{how}）' },
  already_status: { code: 'nothing_to_do', en: '{id} is already {status}', ja: '{id} はすでに「{status}」です' },
  filed_future: { code: 'invalid', en: 'filedAt is in the future', ja: 'filedAt が未来の日時です' },
  payout_made: {
    code: 'wrong_state',
    en: 'a payout was made; close the case instead',
    ja: '支払が行われています。取り下げではなく終了してください',
  },
  open_obligations: { code: 'wrong_state', en: 'obligations still open: {ids}', ja: '未了の義務があります：{ids}' },
  campaign_running: {
    code: 'wrong_state',
    en: 'the notification campaign is still running',
    ja: '通知キャンペーンがまだ実行中です',
  },
  payout_in_progress: { code: 'wrong_state', en: 'a payout is still in progress', ja: '支払処理がまだ進行中です' },
  unpaid_lines: { code: 'wrong_state', en: 'payable lines not yet paid: {ids}', ja: '未払いの支払可能項目があります：{ids}' },
  unknown_command: { code: 'invalid', en: 'unknown command {action}', ja: '不明な操作 {action} です' },
  not_applied: { code: 'invalid', en: 'the command could not be applied', ja: '操作を適用できませんでした' },
  coverage_covered: { code: 'nothing_to_do', en: 'coverage is already covered', ja: '補償はすでに「covered」です' },
  no_held_findings: { code: 'nothing_to_do', en: 'no findings {findingsId} are held on this case', ja: 'この事案に保留中の調査結果 {findingsId} はありません' },
  findings_refused: { code: 'invalid', en: '{findings}', ja: '調査結果を受け付けられません：{findings}' },
  note_role: { code: 'forbidden', en: 'role {role} may not add {visibility} notes', ja: 'ロール {role} は {visibility} のメモを追加できません' },
  too_many_notes: { code: 'invalid', en: 'a case keeps at most {n} notes', ja: '1つの事案のメモは{n}件までです' },
  document_attached: { code: 'duplicate', en: 'document {documentId} is attached already', ja: '書類 {documentId} はすでに添付されています' },
  too_many_documents: { code: 'invalid', en: 'a case keeps at most {n} documents', ja: '1つの事案の書類は{n}件までです' },
  evidence_no_document: {
    code: 'invalid',
    en: 'evidenceRef {ref} names no document of this case',
    ja: 'evidenceRef {ref} はこの事案の書類ではありません',
  },
  ended_before_reopen: {
    code: 'wrong_state',
    en: 'this case ended before cases could be reopened',
    ja: 'この事案は再開できる仕組みの導入前に終了しています',
  },
  // Before `consultation_is`, whose `{status}` would match this one's text too.
  consultation_open: {
    code: 'wrong_state',
    en: 'consultation is open: acknowledge it first',
    ja: '相談はまだ受付確認されていません。先に受付確認してください',
  },
  consultation_is: { code: 'wrong_state', en: 'consultation is {status}', ja: '相談は「{status}」の状態です' },
  consultation_acknowledged: { code: 'nothing_to_do', en: 'consultation is already acknowledged', ja: '相談はすでに受付確認されています' },
  advice_text: { code: 'invalid', en: 'advice must be plain text of 1-{n} characters', ja: '助言は1〜{n}文字のテキストにしてください' },
  close_reason: { code: 'invalid', en: 'a reason must be plain text of 1-{n} characters', ja: '理由は1〜{n}文字のテキストにしてください' },
  not_a_case_id: { code: 'invalid', en: 'caseId is not a case id', ja: 'caseId が事案番号の形式ではありません' },
  too_much_advice: { code: 'invalid', en: 'a consultation keeps at most {n} pieces of advice', ja: '1つの相談の助言は{n}件までです' },
  filing_stale: {
    code: 'stale_version',
    en: 'filing {filingId} is at version {version}, not {asked}',
    ja: '提出書類 {filingId} は第{version}版です（第{asked}版ではありません）',
  },
  no_filing: { code: 'not_found', en: 'no filing {filingId} on this case', ja: 'この事案に提出書類 {filingId} はありません' },
  no_filing_for: { code: 'not_found', en: 'no filing for {id} on this case', ja: 'この事案に {id} の提出書類はありません' },
  filing_filed: {
    code: 'wrong_state',
    en: 'filing {filingId} is filed (version {version}) and no longer changes',
    ja: '提出書類 {filingId} は提出済み（第{version}版）のため変更できません',
  },
  filing_filed_already: { code: 'nothing_to_do', en: 'filing {filingId} is filed already', ja: '提出書類 {filingId} はすでに提出済みです' },
  filing_item_unknown: { code: 'invalid', en: '{code} is not an item of filing {filingId}', ja: '{code} は提出書類 {filingId} の項目ではありません' },
  no_drafts: { code: 'wrong_state', en: 'this case keeps no filing drafts', ja: 'この事案は提出書類の下書きを持ちません' },
  no_notice_drafts: { code: 'wrong_state', en: 'this case keeps no notice drafts', ja: 'この事案は通知文の下書きを持ちません' },
  notice_not_approved: {
    code: 'notice_draft_not_approved',
    en: 'no version of the notice in {language} is approved by counsel (draft at version {version})',
    ja: '{language}の通知文はどの版も弁護士に承認されていません（下書きは第{version}版）',
  },
  notice_stale: {
    code: 'stale_version',
    en: 'notice draft ({language}) is at version {version}, not {asked}',
    ja: '通知文の下書き（{language}）は第{version}版です（第{asked}版ではありません）',
  },
  notice_approved_already: {
    code: 'nothing_to_do',
    en: 'version {version} of the notice ({language}) is approved already',
    ja: '通知文（{language}）の第{version}版はすでに承認されています',
  },
  notice_frozen: {
    code: 'wrong_state',
    en: 'the notice is approved and its campaign started: the draft no longer changes',
    ja: '通知は承認され送付が始まっているため、下書きは変更できません',
  },
  notice_needs_document: {
    code: 'invalid',
    en: 'an approval needs the approved version’s document (documentKey, documentSha256)',
    ja: '承認には承認する版の文書（documentKey、documentSha256）が必要です',
  },
  no_drafts_version: {
    code: 'invalid',
    en: 'this case keeps no filing drafts: record the filing without filingVersion',
    ja: 'この事案は提出書類の下書きを持ちません。filingVersion を付けずに記録してください',
  },
  filing_edit_ref: { code: 'invalid', en: 'item {code}: not an edit reference', ja: '項目 {code} の編集内容の参照が正しくありません' },
  filing_edit_blob: { code: 'invalid', en: 'edited texts need their blob', ja: '編集した文面の保存先がありません' },
  filing_needs_document: {
    code: 'invalid',
    en: 'filingVersion needs the filed document (documentSha256)',
    ja: 'filingVersion には提出した文書（documentSha256）が必要です',
  },
  filing_edit_role: { code: 'forbidden', en: 'role {role} may not edit filings', ja: 'ロール {role} は提出書類を編集できません' },
  notice_edit_role: { code: 'forbidden', en: 'role {role} may not edit the notice', ja: 'ロール {role} は通知文を編集できません' },
  no_notice_draft: { code: 'not_found', en: 'no notice draft in {language} on this case', ja: 'この事案に{language}の通知文の下書きはありません' },
  notice_part_unknown: { code: 'invalid', en: '{code} is not a part of the notice', ja: '{code} は通知文の項目ではありません' },
  notice_part_ref: { code: 'invalid', en: 'part {code}: not an edit reference', ja: '項目 {code} は編集の参照ではありません' },
  no_credit_monitoring: { code: 'wrong_state', en: 'this case offers no credit monitoring', ja: 'この事案ではクレジットモニタリングを提供していません' },
  enrolment_ref: { code: 'invalid', en: 'enrolment: not an enrolment reference', ja: 'お申し込みの参照が正しくありません' },
  enrolment_role: { code: 'forbidden', en: 'role {role} may not record enrolments', ja: 'ロール {role} はお申し込みを記録できません' },
  enrolment_campaign: {
    code: 'invalid',
    en: 'campaign {campaignNo} of this case offered no credit monitoring',
    ja: 'この事案の通知（第{campaignNo}回）ではクレジットモニタリングを案内していません',
  },
  no_prevention_plan: { code: 'wrong_state', en: 'this case keeps no prevention plan', ja: 'この事案は再発防止計画を持ちません' },
  measure_due_past: { code: 'invalid', en: 'dueAt is in the past', ja: '期限（dueAt）が過去の日時です' },
  measure_unchanged: {
    code: 'nothing_to_do',
    en: '{measure} is {status} already, with that owner and due date',
    ja: '措置 {measure} はすでに「{status}」で、担当と期限も同じです',
  },
  body_invalid: { code: 'invalid', en: '{issues}', ja: '操作の内容に誤りがあります' },
} as const satisfies Record<string, { code: RefusalCode; en: string; ja: string }>;

export type RefusalTextId = keyof typeof REFUSAL_TEXT;
export const REFUSAL_TEXT_IDS = Object.keys(REFUSAL_TEXT) as RefusalTextId[];

/** Japanese for each findings problem (`FINDINGS_PROBLEM_TEXT` in `domain/findings.ts` is the English). */
export const FINDINGS_JA_TEXT: Record<FindingsProblem, string> = {
  occurred_after_discovery: '漏えいの開始が発見より後になっています',
  occurred_in_future: '発生日が未来の日付です',
  persons_out_of_bounds: `対象者数は0から${INPUT_LIMITS.maxAffectedPersons}の範囲で指定してください`,
};

const compile = (id: RefusalTextId, en: string): CompiledTemplate<RefusalTextId> => compileTemplate(id, en);

// Templates made only of one parameter (the findings list, zod issues) go last: they match anything. The general
// "role {role} may not {action}" goes after the specific role refusals it would otherwise swallow (filings, notice).
const COMPILED = [
  ...REFUSAL_TEXT_IDS.filter((id) => id !== 'findings_refused' && id !== 'body_invalid' && id !== 'role_may_not'),
  'role_may_not' as const,
].map((id) => compile(id, REFUSAL_TEXT[id].en));

function findingsText(text: string): ProblemParams | undefined {
  const problems = Object.entries(FINDINGS_PROBLEM_TEXT) as [FindingsProblem, string][];
  const found: FindingsProblem[] = [];
  for (const piece of text.split('; ')) {
    const hit = problems.find(([, en]) => en === piece);
    if (!hit) return undefined;
    found.push(hit[0]);
  }
  return { findings: text, findingsKeys: found.join(',') };
}

/** Reads a refusal's English text back into its template and parameters; undefined when no template fits. */
export function refusalText(code: string, text: string): ProblemText | undefined {
  for (const t of COMPILED) {
    if (REFUSAL_TEXT[t.id].code !== code && !(t.id.startsWith('within_') || t.id.startsWith('over_') || t.id === 'not_approver')) continue;
    const params = matchTemplate(t, text);
    if (!params) continue;
    return { key: `refusal.${t.id}`, params };
  }
  if (code === 'invalid') {
    const findings = findingsText(text);
    if (findings) return { key: 'refusal.findings_refused', params: findings };
    return { key: 'refusal.body_invalid', params: { issues: text } };
  }
  return undefined;
}

const fill = fillTemplate;

function wordsOf(key: ProblemText['key']): Words | undefined {
  if (key.startsWith('persons.')) return PERSONS_TEXT[key.slice('persons.'.length) as PersonsImportTextKey];
  if (key.startsWith('refusal.')) return REFUSAL_TEXT[key.slice('refusal.'.length) as RefusalTextId];
  return (DETAIL_TEXT as Record<string, Words>)[key];
}

/** A detail in the given language; nested refusal reasons (`{reason}`) and findings lists are worded too. */
export function renderDetail(text: ProblemText, lang: ProblemLanguage): string {
  const words = wordsOf(text.key);
  const params: ProblemParams = { ...(text.params ?? {}) };
  if (!words) return text.key;
  if (lang === 'ja') {
    if (typeof params['reason'] === 'string') {
      const inner = refusalText('over_authority', params['reason']);
      params['reason'] = inner ? renderDetail(inner, 'ja') : PROBLEM_TEXT.over_authority.detail.ja;
    }
    if (typeof params['findingsKeys'] === 'string') {
      params['findings'] = params['findingsKeys']
        .split(',')
        .map((k) => FINDINGS_JA_TEXT[k as FindingsProblem] ?? k)
        .join('；');
    }
    if (typeof params['place'] === 'string' || typeof params['earlier'] === 'string') {
      for (const p of ['place', 'earlier'] as const) if (typeof params[p] === 'string') params[p] = placeJa(params[p]);
    }
  }
  return fill(words[lang], params);
}

const PLACES_JA: Record<string, string> = { 'a row': 'ある行', 'the byte order mark': 'ファイル先頭のBOM' };

/** `row 3, column email` as `3行目の email 列`; other text as it is. */
function placeJa(place: string): string {
  const m = /^row (\d+)(?:, column (.+))?$/.exec(place);
  if (!m) return PLACES_JA[place] ?? place;
  return m[2] === undefined ? `${m[1]}行目` : `${m[1]}行目の ${m[2]} 列`;
}

/** The title of a code in a language (the code itself for a code outside the table). */
export function problemTitle(code: string, lang: ProblemLanguage): string {
  return (PROBLEM_TEXT as Record<string, { title: Words }>)[code]?.title[lang] ?? code;
}

/** For the codec endpoint (lib/codec-server.ts): a code's title and its own detail in the request's language. */
export function codecProblemWords(req: Request, code: string): { title: string; detail?: string; language: ProblemLanguage } {
  const language = problemLanguage(req);
  const detail = code === 'forbidden' ? DETAIL_TEXT['forbidden.origin'][language] : defaultDetail(code, language);
  return { title: problemTitle(code, language), ...(detail ? { detail } : {}), language };
}

/** The detail a code falls back to when the problem carries no template. */
export function defaultDetail(code: string, lang: ProblemLanguage): string | undefined {
  return (PROBLEM_TEXT as Record<string, { detail: Words }>)[code]?.detail[lang];
}

/** Every refusal code the case can record has a problem code with words. */
export const REFUSAL_CODES = Object.keys(REFUSALS) as RefusalCode[];

/** For the completeness test: every template with both languages, by key. */
export function allTemplates(): Record<string, Words> {
  const out: Record<string, Words> = {};
  for (const c of PROBLEM_CODES) {
    out[`${c}:title`] = PROBLEM_TEXT[c].title;
    out[`${c}:detail`] = PROBLEM_TEXT[c].detail;
  }
  for (const [k, v] of Object.entries(DETAIL_TEXT)) out[k] = v;
  for (const k of PERSONS_IMPORT_TEXT_KEYS) out[`persons.${k}`] = PERSONS_TEXT[k];
  for (const k of REFUSAL_TEXT_IDS) out[`refusal.${k}`] = REFUSAL_TEXT[k];
  for (const k of Object.keys(FINDINGS_PROBLEM_TEXT) as FindingsProblem[]) {
    out[`findings.${k}`] = { en: FINDINGS_PROBLEM_TEXT[k], ja: FINDINGS_JA_TEXT[k] };
  }
  return out;
}

