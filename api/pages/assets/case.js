// Case desk: one case, everything the handler needs to decide, in Japanese or English, and the case actions as forms:
// those the API says this role may take in this state (GET /v1/cases/{id}/actions, built from domain/case-actions.ts)
// are open, the others greyed with the reason. A refusal (problem+json) is shown beside the form that caused it; a
// success re-renders the case from the view the API answered. The page polls the case every second (ETag, so an
// unchanged case costs a 304) and so shows a change by a vendor, a timer or another user within a second of the API.
import {
  $,
  $$,
  Unreachable,
  api,
  badge,
  bytes,
  count,
  countdown,
  el,
  etagCache,
  frame,
  fromJstLocal,
  jst,
  jstTime,
  lang,
  num,
  onLang,
  problemText,
  refuseRole,
  replace,
  requireLogin,
  session,
  startCountdowns,
  table,
  toJstLocal,
  translateStatic,
  translator,
  vocabLabel,
  vocabulary,
  word,
  yen,
} from './common.js';

const T = {
  ja: {
    pageTitle: '事故対応',
    actorSystem: 'システム',
    actorCampaign: '通知処理',
    actorVendor: '委託先',
    caseTitle: (id) => `事故 ${id}`,
    notFound: '事故が見つかりません',
    loading: '読み込み中…',
    hCoverage: '補償の判断',
    hExposure: '損害額の見込みと支払備金',
    hObligations: '報告・通知の義務と期限',
    hNotifications: '本人への通知',
    hServices: 'サービス（クレジットモニタリング・再発防止）',
    cmOffered: (cm) => `クレジットモニタリングを案内しています（対象項目: ${cm.items.map((i) => vocabLabel(vocab?.dataItems, i)).join('、')}）。申込み ${num(cm.enrolled)}件`,
    cmNotOffered: '財産的被害のおそれがある項目は漏えいしていないため、クレジットモニタリングは案内していません。',
    hPlan: '再発防止計画',
    planCols: ['措置', '担当', '期限', '状況'],
    planProgress: (done, total) => `${num(total)}件中${num(done)}件実施済み`,
    noPlan: '調査結果または弁護士の助言が届くと、再発防止計画が作成されます。',
    hVendors: '委託先と対応期限',
    hSettlement: '精算',
    hPayouts: '支払',
    hActions: '操作',
    hTimeline: '経過',
    hIncident: '事故の内容',
    status: '状況',
    assignedTo: '担当者',
    nobody: '未割当',
    insured: '被保険者',
    policy: '保険証券番号',
    reported: '報告日時',
    discovered: '事故を知った日時',
    occurred: '発生日時',
    unknown: '不明',
    cause: '原因',
    affected: '影響を受けた人数',
    dataItems: '漏えいした項目',
    severityBecause: '重大度の理由（原文）',
    nextDeadline: '次の期限',
    closed: '終了',
    overdue: '期限超過',
    description: '事故の内容',
    contact: 'ご担当者',
    contactName: '氏名',
    contactEmail: 'メール',
    contactPhone: '電話',
    override: (o) => `（${o.by} による判断の変更: ${o.reason}）`,
    reasons: '理由',
    noExclusion: '免責事由に該当しません。',
    explanation: '説明',
    facts: '判断の前提',
    computed: (c) => `計算上の判断: ${word('decision', c.decision)}（${c.reasons.map((r) => word('reason', r)).join('、') || '理由なし'}）`,
    perPerson: (e) => `1人あたり ${yen(e.perPersonJpy)} × ${count(e.persons, 'person')} = `,
    factors: (f) => `JNSA の係数: EP図 x=${f.x}、y=${f.y}、本人特定の容易度 ${f.identifiability}、社会的責任度 ${f.socialResponsibility}、事後対応評価 ${f.responseQuality}`,
    reserve: (v) => `支払備金 ${v}`,
    category: '費用項目',
    amount: '金額',
    noReserve: '支払備金は設定されていません。',
    obCols: ['法令', '相手', '種類', '期限', '残り', '状況', '該当理由', '報告日時・不要の理由'],
    why: '理由',
    noObligation: '報告・通知の義務はありません。',
    hNotice: '本人への通知文（弁護士の承認）',
    noticeLang: '通知文の言語',
    noticeLangs: { ja: '日本語', en: '英語' },
    noticeVersion: (v) => `第${v}版`,
    draftIsApproved: (a) => `承認済み（第${a.version}版、${a.by}${a.onBehalfOf ? `、${a.onBehalfOf}の代理` : ''}）`,
    draftNotApproved: '弁護士の承認待ち（この版は未承認です）',
    noticeNone: '通知文の下書きはまだありません。',
    noticeSubject: '件名',
    noticeAsSent: '本人に届く文面（見本）',
    noticeParts: { subject: '件名', opening: 'お詫び', whatHappened: '事案の概要', dataItems: '漏洩した個人情報の項目', whatWeAreDoing: '当社の対応', whatYouCanDo: 'お客様にお願いしたいこと', enquiryDesk: 'お問い合わせ窓口' },
    noticeEdited: '編集済み',
    partPick: '項目',
    partText: '文面（空欄で事案の内容に戻す）',
    saveNotice: '通知文を保存',
    noticeSaved: (v) => `第${v}版として保存しました。新しい版には改めて弁護士の承認が必要です。`,
    noticeStale: '他の人が先に更新しました。読み直した内容を確認して、もう一度保存してください。',
    onBehalfOf: '弁護士の氏名（代理で承認）',
    approveDraft: 'この版を弁護士に代わって承認',
    draftApproved: (v) => `第${v}版を承認しました。`,
    hFilings: '提出書類',
    filingCols: ['法令', '相手', '種類', '状況', '版', '未記入の項目', '書類'],
    noFiling: '提出書類はまだありません。',
    printable: '印刷用',
    filingPick: '提出書類',
    itemPick: '項目',
    itemText: '記載内容（空欄で事案の内容に戻す）',
    saveFiling: '項目を保存',
    filingSaved: (v) => `第${v}版として保存しました。`,
    filingStale: '他の人が先に更新しました。読み直した内容を確認して、もう一度保存してください。',
    filingItems: { overview: '概要', dataItems: '漏えい等が発生し、又は発生したおそれがある個人データの項目', personsCount: '本人の数', cause: '原因', secondaryDamage: '二次被害又はそのおそれの有無及びその内容', responseToPersons: '本人への対応の実施状況', publicAnnouncement: '公表の実施状況', preventionMeasures: '再発防止のための措置', otherMatters: 'その他参考となる事項', enquiryDesk: 'お問い合わせ窓口', nature: '侵害の性質', categoriesOfData: '個人データの種類', approxSubjects: 'データ主体のおおよその数', approxRecords: '個人データ記録のおおよその数', contactPoint: '連絡窓口', likelyConsequences: '想定される結果', measures: '講じた又は講じる予定の措置', whatHappened: '発生した事象', whatInformation: '対象となった情報', whatWeAreDoing: '当社の対応', whatYouCanDo: 'お客様にできること', forMoreInformation: 'お問い合わせ' },
    vendorCols: ['委託先', '役割', '依頼日時', '受諾期限', '状況', '対応期限', '請求額'],
    breached: '超過',
    met: '遵守',
    noVendor: 'まだ委託先に依頼していません。',
    hCallCenter: 'コールセンター',
    callCenterCols: ['委託先', '電話番号', '問い合わせ件数（累計）', '最終報告'],
    noPhone: '（番号未定）',
    vendorRequests: '同意待ちの依頼',
    requestLine: (role, vendor, by, reason) => `${role}（${vendor}）：${by} からの依頼「${reason}」`,
    counselAdvice: '弁護士の助言',
    consents: '同意',
    upTo: (v) => `（上限 ${v}）`,
    noticeApproved: (n) => `本人通知: ${word('noticeLanguage', n.language)}の文面を ${n.approvedBy} が承認（${jst(n.approvedAt)}）`,
    noticeNotApproved: '本人通知: 未承認',
    progress: (done, n) =>
      `${num(n.total)}人中 ${num(done)}人に対応済み — メール ${count(n.sent, 'email')}、郵送 ${count(n.letters ?? 0, 'letter')}、失敗 ${num(n.failed)}件（${word('campaign', n.status)}）`,
    list: (l) =>
      `対象者一覧: 登録 ${count(l.accepted, 'person')}（メールあり ${num(l.withEmail)}、郵送 ${num(l.withoutEmail)}）、重複 ${count(l.duplicates, 'duplicate')}、不備 ${count(l.rejected, 'row')}`,
    noList: '対象者一覧はまだアップロードされていません。',
    hWaves: '通知の次数（ウェーブ）',
    waveCols: ['次数', '対象', 'メール', '郵送', '失敗', '返送', '前回までと重複', '状況'],
    waveNo: (n) => `第${n}次`,
    unreachable: (n) => `連絡の届かない本人: ${count(n, 'person')}`,
    hAnnouncements: '公表と代替措置',
    announcementCols: ['公表日時', '方法', '掲載先', '記録者'],
    noAnnouncement: 'まだ公表は記録されていません。',
    desk: (d) => `問い合わせ窓口: ${d.phone}（${d.hours}）`,
    substitutePending: (s) => `代替措置が必要です（連絡の届かない本人 ${num(s.unreachable)}人）。未記録: ${s.missing.map((m) => word('substitutePart', m)).join('、')}`,
    substituteDone: '代替措置: 公表と問い合わせ窓口を記録済み',
    settlementSum: (s) => `支払可能 ${yen(s.payableJpy)} · 支払済み ${yen(s.paidJpy)} · 保留 ${yen(s.heldJpy ?? 0)}`,
    noCost: 'まだ費用は提出されていません。',
    lineSummary: (l) => `${vocabLabel(vocab?.costCategories, l.category)} · 請求 ${yen(l.claimedJpy)} → 支払可能 ${yen(l.payableJpy)} `,
    stepCols: ['段階', '前', '後', '説明（原文）'],
    noSteps: '計算の記録はありません。',
    evidence: '証憑',
    payoutCols: ['支払', '明細', '請求額', '承認額', '状況', '承認者', '支払日時'],
    noPayout: 'まだ支払はありません。',
    readOnly: (role) => `閲覧のみ: ${word('role', role)}の役割では事故を操作できません。`,
    notForRole: '次の操作はこの役割では行えません: ',
    notNow: (reason) => `現在は実行できません: ${reason}`,
    done: (time) => `${time} に完了しました。`,
    refused: (text) => `受け付けられませんでした: ${text}`,
    noAnswer: (m) => `まだ応答がありません（${m}）。操作はすでに記録されている可能性があります。もう一度送信しても二重に実行されることはありません。`,
    live: (time) => `最新 · ${time} に更新`,
    reconnecting: (time) => `再接続中… ${time} 時点の表示です。最新でない可能性があります。`,
    notRefreshed: (m) => `更新できません: ${m}`,
    nothingToFile: '未了の報告はありません',
    noPayable: '支払可能な項目はありません。',
    due: (d) => `期限 ${d}`,
    unchanged: '変更しない',
    yes: 'はい',
    no: 'いいえ',
    reason: '理由',
    f: {
      assignee: '担当者（プリンシパル名）',
      decision: '判断',
      category: '費用項目',
      limitJpy: '上限額（円・任意）',
      vendorId: '委託先ID（任意）',
      role: '役割',
      note: 'メモ（任意）',
      affectedPersons: '影響を受けた人数',
      cause: '原因',
      occurredAt: '発生日時（日本時間）',
      dataItems: '漏えいした項目（コードをカンマ区切り）',
      encrypted: 'すべて高度な暗号化済み',
      wrongfulPurpose: '不正の目的',
      findingsNote: 'メモ',
      language: '言語',
      templateVersion: 'テンプレートの版（任意）',
      version: '通知文の版',
      onBehalfOf: '弁護士の氏名（任意）',
      obligation: '義務',
      filedAt: '報告日時（日本時間）',
      reference: '受付番号など（任意）',
      notRequired: '報告不要の理由（任意）',
      amountJpy: '金額（円）',
      evidenceRef: '証憑の参照',
      persons: '見舞金の対象人数',
      description: '説明（任意）',
      lineIds: '明細',
      findingsId: '調査結果ID',
      publishedAt: '公表日時（日本時間）',
      channel: '公表の方法',
      url: '掲載先のウェブページのアドレス（任意）',
      deskPhone: '問い合わせ窓口の電話番号（任意）',
      deskHours: '問い合わせ窓口の受付時間（任意）',
      measure: '措置',
      status: '状況',
      owner: '担当部署（任意）',
      dueAt: '期限（日本時間・任意）',
    },
    help: {
      assign: '損害担当者または上長に割り当てます。',
      'decide-coverage': '計算上の補償判断を変更します。',
      consent: '費用項目に同意します。',
      'record-findings': '調査で分かったことを記録します。変わらない項目は空欄のままにします。',
      'approve-notice': '本人への通知を承認します。その言語の通知文が弁護士に承認されている必要があります。承認すると承認済みの文面で送付が始まります。',
      'approve-notice-draft': '弁護士に代わって、通知文の版を承認します（版は通知文の欄に表示されます）。',
      'record-filing': '報告を記録します。報告が不要な場合は、日時の代わりに理由を入力します。',
      'submit-costs': '費用を1件、証憑とともに提出します。',
      'approve-payout': '支払可能な明細を承認します（選ばない場合はすべて）。',
      deny: '支払対象外とします。',
      withdraw: '事故の報告を取り下げます。',
      close: '事故対応を終了します。',
      'confirm-findings': '確認待ちの委託先の調査結果を反映するか破棄します。',
      reopen: '終了または不支払の案件を再開します（査定責任者のみ）。期限と精算が再開します。',
      'record-announcement':
        '公表（ウェブサイト・報道発表など）を記録します。連絡の届かない本人がいるときは、問い合わせ窓口（電話番号と受付時間）もあわせて記録してください。',
      'engage-vendor':
        'パネルの委託先に依頼します（委託先IDを空欄にすると、まだ依頼していない次の委託先）。契約が事前の同意を求める費用項目では、被保険者からの依頼は損害担当者の同意を待ちます。',
      'update-prevention-measure': '再発防止策の状況、担当部署、期限を更新します。期限の1週間前にリマインダーが届きます。',
    },
    covered: '補償対象',
    denied: '補償対象外',
    apply: '反映する',
    discard: '破棄する',
    hNotes: 'メモ',
    noNotes: 'メモはまだありません。',
    noteText: 'メモ',
    noteVisibility: '公開範囲',
    visInternal: '社内のみ（被保険者には表示されません）',
    visShared: '被保険者と共有',
    insuredNoteHint: 'ここに書いたメモは保険会社の担当者と共有されます。',
    addNote: 'メモを追加',
    noteAdded: (time) => `${time} にメモを追加しました。`,
    noteEmpty: 'メモを入力してください。',
    hDocuments: '書類',
    noDocuments: '書類はまだありません。',
    docCols: ['書類', '種類', 'サイズ', '登録者', '登録日時'],
    docFile: 'ファイル（PDF、画像、ワード・エクセル・パワーポイント、メール。20MBまで）',
    upload: 'アップロード',
    uploading: (name) => `${name} をアップロード中…`,
    uploaded: (name, time) => `${name} を ${time} に登録しました。`,
    chooseFile: 'ファイルを選んでください。',
    tooLarge: 'ファイルが大きすぎます（20MBまで）。',
    refusedType: 'この種類のファイルは登録できません。内容から判別できる形式（PDF、PNG、JPEG、TIFF、WebP、ワード、エクセル、パワーポイント、メール）のみ登録できます。',
    downloadFailed: (m) => `ダウンロードできませんでした: ${m}`,
    hReserveHistory: '支払備金の推移',
    historyCols: ['日時', '支払備金', '増減', '理由', '実行者'],
    noHistory: '支払備金の変更の記録はありません。',
    hUsage: '保険期間の支払実績と残額',
    usagePeriod: (p) => `保険期間 ${jst(p.periodStart)} 〜 ${jst(p.periodEnd)}`,
    usageCols: ['限度額', '限度額の金額', '支払済み', '残額', '使用率'],
    liabilityLimit: '賠償責任（期間の限度額）',
    responseLimit: '事故対応費用（期間の限度額）',
    usedShare: (pct) => `${pct}%使用`,
    noUsage: '支払実績はまだ読み込めません。',
    usageFailed: (m) => `保険契約を読み込めません: ${m}`,
  },
  en: {
    pageTitle: 'Case desk',
    actorSystem: 'system',
    actorCampaign: 'campaign',
    actorVendor: 'vendor',
    caseTitle: (id) => `Case ${id}`,
    notFound: 'Case not found',
    loading: 'Loading…',
    hCoverage: 'Coverage decision',
    hExposure: 'Exposure and reserve',
    hObligations: 'Obligations and their clocks',
    hNotifications: 'Notification to affected persons',
    hServices: 'Services (credit monitoring, recurrence prevention)',
    cmOffered: (cm) => `Credit monitoring offered (for ${cm.items.map((i) => vocabLabel(vocab?.dataItems, i)).join(', ')}): ${count(cm.enrolled, 'enrolment')}`,
    cmNotOffered: 'No item usable for money leaked: credit monitoring is not offered.',
    hPlan: 'Recurrence-prevention plan',
    planCols: ['Measure', 'Owner', 'Due', 'Status'],
    planProgress: (done, total) => `${num(done)} of ${num(total)} done`,
    noPlan: 'The plan is drawn up when findings or counsel’s advice arrive.',
    hVendors: 'Panel vendors and SLAs',
    hSettlement: 'Settlement',
    hPayouts: 'Payouts',
    hActions: 'Actions',
    hTimeline: 'Timeline',
    hIncident: 'The incident',
    status: 'Status',
    assignedTo: 'Assigned to',
    nobody: 'nobody',
    insured: 'Insured',
    policy: 'Policy',
    reported: 'Reported',
    discovered: 'Discovered',
    occurred: 'Occurred',
    unknown: 'unknown',
    cause: 'Cause',
    affected: 'Affected persons',
    dataItems: 'Data items',
    severityBecause: 'Severity because',
    nextDeadline: 'Next deadline',
    closed: 'Closed',
    overdue: 'overdue',
    description: 'What happened',
    contact: 'Contact person',
    contactName: 'Name',
    contactEmail: 'E-mail',
    contactPhone: 'Phone',
    override: (o) => ` (override by ${o.by}: ${o.reason})`,
    reasons: 'Reasons',
    noExclusion: 'No exclusion applies.',
    explanation: 'Explanation',
    facts: 'Facts',
    computed: (c) => `Computed decision: ${word('decision', c.decision)} (${c.reasons.map((r) => word('reason', r)).join(', ') || 'no reasons'})`,
    perPerson: (e) => `${yen(e.perPersonJpy)} per person × ${count(e.persons, 'person')} = `,
    factors: (f) => `JNSA factors: EP cell x=${f.x}, y=${f.y}; identifiability ${f.identifiability}; social responsibility ${f.socialResponsibility}; response quality ${f.responseQuality}.`,
    reserve: (v) => `Reserve ${v}`,
    category: 'Category',
    amount: 'Reserve',
    noReserve: 'No reserve set.',
    obCols: ['Regime', 'Audience', 'Kind', 'Due', 'Clock', 'Status', 'Triggers', 'Filed / reason'],
    why: 'Why',
    noObligation: 'No notification obligation.',
    hNotice: 'Notice to persons (approved by counsel)',
    noticeLang: 'Notice language',
    noticeLangs: { ja: 'Japanese', en: 'English' },
    noticeVersion: (v) => `Version ${v}`,
    draftIsApproved: (a) => `Approved (version ${a.version}, ${a.by}${a.onBehalfOf ? ` on behalf of ${a.onBehalfOf}` : ''})`,
    draftNotApproved: 'Awaiting counsel’s approval (this version is not approved)',
    noticeNone: 'No notice draft yet.',
    noticeSubject: 'Subject',
    noticeAsSent: 'What a person receives (sample)',
    noticeParts: { subject: 'Subject', opening: 'Apology', whatHappened: 'What happened', dataItems: 'What information was involved', whatWeAreDoing: 'What we are doing', whatYouCanDo: 'What you can do', enquiryDesk: 'For more information' },
    noticeEdited: 'edited',
    partPick: 'Part',
    partText: 'Text (empty: follow the case again)',
    saveNotice: 'Save the notice',
    noticeSaved: (v) => `Saved as version ${v}. A new version needs counsel’s approval again.`,
    noticeStale: 'Someone else changed it first. Check the text read again, then save once more.',
    onBehalfOf: 'Counsel’s name (approving on counsel’s behalf)',
    approveDraft: 'Approve this version on counsel’s behalf',
    draftApproved: (v) => `Version ${v} approved.`,
    hFilings: 'Filings',
    filingCols: ['Regime', 'Audience', 'Kind', 'Status', 'Version', 'Items missing', 'Document'],
    noFiling: 'No filing yet.',
    printable: 'Printable',
    filingPick: 'Filing',
    itemPick: 'Item',
    itemText: 'Text (empty: follow the case again)',
    saveFiling: 'Save item',
    filingSaved: (v) => `Saved as version ${v}.`,
    filingStale: 'Someone else changed it first. Check the text read again, then save once more.',
    filingItems: { overview: 'Overview', dataItems: 'Personal data items concerned', personsCount: 'Number of persons', cause: 'Cause', secondaryDamage: 'Secondary damage or its risk', responseToPersons: 'Response to the persons', publicAnnouncement: 'Public announcement', preventionMeasures: 'Measures to prevent recurrence', otherMatters: 'Other matters for reference', enquiryDesk: 'Enquiry desk', nature: 'Nature of the breach', categoriesOfData: 'Categories of personal data', approxSubjects: 'Approximate number of data subjects', approxRecords: 'Approximate number of personal data records', contactPoint: 'Contact point', likelyConsequences: 'Likely consequences', measures: 'Measures taken or proposed', whatHappened: 'What Happened', whatInformation: 'What Information Was Involved', whatWeAreDoing: 'What We Are Doing', whatYouCanDo: 'What You Can Do', forMoreInformation: 'For More Information' },
    vendorCols: ['Vendor', 'Role', 'Dispatched', 'Acknowledge by', 'Status', 'SLA', 'Invoiced'],
    breached: 'breached',
    met: 'met',
    noVendor: 'No vendor engaged yet.',
    hCallCenter: 'Call centre',
    callCenterCols: ['Vendor', 'Phone', 'Enquiries so far', 'Last report'],
    noPhone: '(no number yet)',
    vendorRequests: 'Requests awaiting consent',
    requestLine: (role, vendor, by, reason) => `${role} (${vendor}): asked by ${by}, “${reason}”`,
    counselAdvice: 'Counsel advice',
    consents: 'Consents',
    upTo: (v) => ` up to ${v}`,
    noticeApproved: (n) => `Notice: approved in ${word('noticeLanguage', n.language)} by ${n.approvedBy}, ${jst(n.approvedAt)}`,
    noticeNotApproved: 'Notice: not approved yet',
    progress: (done, n) =>
      `${num(done)} of ${count(n.total, 'person')} handled — ${count(n.sent, 'email')} sent, ${count(n.letters ?? 0, 'letter')}, ${num(n.failed)} failed (${word('campaign', n.status)})`,
    list: (l) =>
      `Affected-person list: ${count(l.accepted, 'person')} accepted (${num(l.withEmail)} with e-mail, ${num(l.withoutEmail)} by post), ${count(l.duplicates, 'duplicate')}, ${count(l.rejected, 'row')} rejected.`,
    noList: 'No affected-person list uploaded yet.',
    hWaves: 'Notification waves',
    waveCols: ['Wave', 'Persons', 'E-mails', 'Letters', 'Failed', 'Returned', 'In earlier waves', 'Status'],
    waveNo: (n) => `Wave ${n}`,
    unreachable: (n) => `Persons not reached: ${count(n, 'person')}`,
    hAnnouncements: 'Announcements and substitute measures',
    announcementCols: ['Published', 'Channel', 'Where', 'Recorded by'],
    noAnnouncement: 'No announcement recorded yet.',
    desk: (d) => `Enquiry desk: ${d.phone} (${d.hours})`,
    substitutePending: (s) =>
      `Substitute measures needed (${count(s.unreachable, 'person')} not reached). Still to record: ${s.missing.map((m) => word('substitutePart', m)).join(', ')}`,
    substituteDone: 'Substitute measures: announcement and enquiry desk recorded',
    settlementSum: (s) => `Payable ${yen(s.payableJpy)} · paid ${yen(s.paidJpy)} · held ${yen(s.heldJpy ?? 0)}`,
    noCost: 'No cost submitted yet.',
    lineSummary: (l) => `${vocabLabel(vocab?.costCategories, l.category)} · claimed ${yen(l.claimedJpy)} → payable ${yen(l.payableJpy)} `,
    stepCols: ['Step', 'Before', 'After', 'Why'],
    noSteps: 'No arithmetic recorded.',
    evidence: 'Evidence',
    payoutCols: ['Payout', 'Lines', 'Requested', 'Granted', 'Status', 'Approved by', 'Paid'],
    noPayout: 'No payout yet.',
    readOnly: (role) => `Read-only: the role ${word('role', role)} may not act on cases.`,
    notForRole: 'Not for your role: ',
    notNow: (reason) => `Not possible now: ${reason}`,
    done: (time) => `Done at ${time}.`,
    refused: (text) => `Refused: ${text}`,
    noAnswer: (m) => `No answer yet (${m}): the command may already be recorded. Submitting again is safe; it will not be applied twice.`,
    live: (time) => `Live · last refreshed ${time}`,
    reconnecting: (time) => `Reconnecting… shown as of ${time}; may be out of date.`,
    notRefreshed: (m) => `Not refreshed: ${m}`,
    nothingToFile: 'nothing left to file',
    noPayable: 'No payable line.',
    due: (d) => `due ${d}`,
    unchanged: 'unchanged',
    yes: 'yes',
    no: 'no',
    reason: 'Reason',
    f: {
      assignee: 'Assignee (principal name)',
      decision: 'Decision',
      category: 'Category',
      limitJpy: 'Limit (¥, optional)',
      vendorId: 'Vendor id (optional)',
      role: 'Role',
      note: 'Note (optional)',
      affectedPersons: 'Affected persons',
      cause: 'Cause',
      occurredAt: 'Occurred at (JST)',
      dataItems: 'Data items (codes, comma-separated)',
      encrypted: 'All data strongly encrypted',
      wrongfulPurpose: 'Wrongful purpose',
      findingsNote: 'Note',
      language: 'Language',
      templateVersion: 'Template version (optional)',
      version: 'Notice version',
      onBehalfOf: 'Counsel’s name (optional)',
      obligation: 'Obligation',
      filedAt: 'Filed at (JST)',
      reference: 'Reference (optional)',
      notRequired: 'Not required because (optional)',
      amountJpy: 'Amount (¥)',
      evidenceRef: 'Evidence reference',
      persons: 'Persons paid (apology payments)',
      description: 'Description (optional)',
      lineIds: 'Lines',
      findingsId: 'Findings id',
      publishedAt: 'Published at (JST)',
      channel: 'Channel',
      url: 'URL of the announcement (optional)',
      deskPhone: 'Enquiry desk phone (optional)',
      deskHours: 'Enquiry desk hours (optional)',
      measure: 'Measure',
      status: 'Status',
      owner: 'Owner (department, optional)',
      dueAt: 'Due (JST, optional)',
    },
    help: {
      assign: 'Assign to a handler or supervisor.',
      'decide-coverage': 'Override the computed coverage decision.',
      consent: 'Consent to a cost category.',
      'record-findings': 'Record what the investigation found; leave blank what is unchanged.',
      'approve-notice': 'Approve the notice; counsel must have approved the notice text in that language. This starts the campaign with the approved text.',
      'approve-notice-draft': 'Approve a version of the notice text on counsel’s behalf (the version is shown in the notice panel).',
      'record-filing': 'Record a filing, or that it is not required (fill the reason instead of the date).',
      'submit-costs': 'Submit one cost item with its evidence.',
      'approve-payout': 'Approve payable lines (all payable lines when none is ticked).',
      deny: 'Deny the claim.',
      withdraw: 'Withdraw the case.',
      close: 'Close the case.',
      'confirm-findings': 'Apply or discard a vendor’s findings held for confirmation.',
      reopen: 'Reopen a closed or denied case (supervisors): its clocks and settlement resume.',
      'record-announcement':
        'Record a public announcement (website, press release...). When some persons cannot be reached, record the enquiry desk (phone and hours) with it.',
      'engage-vendor':
        'Engage a vendor of the panel (leave the vendor id empty for the next one not yet engaged). Where the policy asks for prior consent to its costs, an insured’s request waits for a handler’s consent.',
      'update-prevention-measure': 'Update a prevention measure’s status, owner and due date. A reminder comes a week before it is due.',
    },
    covered: 'covered',
    denied: 'denied',
    apply: 'apply',
    discard: 'discard',
    hNotes: 'Notes',
    noNotes: 'No notes yet.',
    noteText: 'Note',
    noteVisibility: 'Visible to',
    visInternal: 'Internal (never shown to the insured)',
    visShared: 'Shared with the insured',
    insuredNoteHint: 'A note written here is shared with the insurer’s handlers.',
    addNote: 'Add note',
    noteAdded: (time) => `Note added at ${time}.`,
    noteEmpty: 'Write the note first.',
    hDocuments: 'Documents',
    noDocuments: 'No documents yet.',
    docCols: ['Document', 'Type', 'Size', 'Uploaded by', 'Uploaded'],
    docFile: 'File (PDF, image, Word, Excel, PowerPoint or e-mail; up to 20 MB)',
    upload: 'Upload',
    uploading: (name) => `Uploading ${name}…`,
    uploaded: (name, time) => `${name} stored at ${time}.`,
    chooseFile: 'Choose a file first.',
    tooLarge: 'The file is too large (20 MB at most).',
    refusedType: 'This kind of file is not accepted: only PDF, PNG, JPEG, TIFF, WebP, Word, Excel, PowerPoint and e-mail, as read from the content.',
    downloadFailed: (m) => `Could not download: ${m}`,
    hReserveHistory: 'Reserve history',
    historyCols: ['When', 'Reserve', 'Change', 'Why', 'By'],
    noHistory: 'No change of the reserve recorded.',
    hUsage: 'Policy period: paid and remaining',
    usagePeriod: (p) => `Policy period ${jst(p.periodStart)} – ${jst(p.periodEnd)}`,
    usageCols: ['Limit', 'Limit amount', 'Paid', 'Remaining', 'Used'],
    liabilityLimit: 'Liability (period limit)',
    responseLimit: 'Response costs (period limit)',
    usedShare: (pct) => `${pct}% used`,
    noUsage: 'The period’s usage is not available yet.',
    usageFailed: (m) => `The policy could not be read: ${m}`,
  },
};
const t = translator(T);

/** Every second while the page is in view; a tab in the background asks every 10 s. `?poll=` overrides. */
const POLL_MS = Number(new URLSearchParams(location.search).get('poll')) || 1000;
const HIDDEN_POLL_MS = 10_000;
const caseId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop());
const casePath = `/v1/cases/${encodeURIComponent(caseId)}`;
const me = requireLogin();
frame(me, location.pathname);
const get = etagCache();
let vocab;
let current;
let actionsOf;
let lastGood;
let lastConn;
let timer;
const results = new Map();
/** The insurer's money (reserve history, the policy's usage) is for the desk's handlers and supervisors. */
const seesMoney = ['handler', 'supervisor'].includes(me.role);
const writesDesk = ['insured', 'handler', 'supervisor'].includes(me.role);
let notes = [];
let filings = [];
/** The filing open in the edit form: its JSON (items) and ETag, for If-Match. */
let openFiling;
let documents = [];
let policyRead;
let polls = 0;

const raw = (v) => el('span', { translate: 'no' }, v);
/**
 * Free text as a vendor sent it (counsel's advice): never translated, marked as vendor text, and as English when it
 * has no Japanese in it.
 */
const vendorText = (v) => el('span', { translate: 'no', dataset: { free: 'vendor' }, ...(/[\u3040-\u30ff\u3400-\u9fff]/.test(v) ? {} : { lang: 'en' }) }, v);
const dl = (pairs) => el('dl', { class: 'facts' }, pairs.map(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '—')]));
const joinNodes = (nodes, sep) => nodes.flatMap((x, i) => (i ? [sep, x] : [x]));
const sep = () => (lang() === 'ja' ? '、' : ', ');

// ---- rendering ---------------------------------------------------------------------------------------------------

function renderSummary(c) {
  $('#case-title').textContent = t('caseTitle')(c.caseId);
  document.title = `${t('caseTitle')(c.caseId)} · breach-claims`;
  replace(
    $('#summary'),
    el(
      'div',
      { class: 'badges' },
      badge('status', c.status),
      badge('severity', c.severity),
      c.overdue ? el('span', { class: 'badge late' }, t('overdue')) : null,
    ),
    dl([
      [t('status'), el('span', { dataset: { testid: 'case-status', code: c.status } }, word('status', c.status))],
      [t('assignedTo'), el('span', { dataset: { testid: 'assigned-to' } }, c.assignedTo ? raw(c.assignedTo) : t('nobody'))],
      [t('insured'), c.insuredName ? [raw(c.insuredName), ' ', el('span', { class: 'muted' }, raw(c.insuredId))] : raw(c.insuredId)],
      [t('policy'), raw(c.policyNumber)],
      [t('reported'), el('span', { dataset: { testid: 'reported-at' } }, jst(c.reportedAt))],
      [t('discovered'), jst(c.discoveredAt)],
      [t('occurred'), c.occurredAt ? jst(c.occurredAt) : t('unknown')],
      [t('cause'), word('cause', c.cause)],
      [t('affected'), count(c.affectedPersons, 'person')],
      [t('dataItems'), (c.dataItems ?? []).map((d) => vocabLabel(vocab?.dataItems, d)).join(sep())],
      // The rules word their reasons in English when they grade the case; the API answers them in the page's language.
      [t('severityBecause'), c.severityReasons?.length ? el('span', {}, c.severityReasons.join(lang() === 'ja' ? '' : ' ')) : '—'],
      [t('nextDeadline'), c.nextDeadline ? [jst(c.nextDeadline), ' ', countdown(c.nextDeadline)] : '—'],
      ...(c.closeReason ? [[t('closed'), [jst(c.closedAt), ': ', raw(c.closeReason)]]] : []),
    ]),
  );
  const contact = c.contact;
  replace(
    $('#incident'),
    el('h2', { id: 'h-incident' }, t('hIncident')),
    el('p', { class: 'description', dataset: { testid: 'description' } }, c.description ? raw(c.description) : '—'),
    contact
      ? dl([
          [t('contact'), el('span', { dataset: { testid: 'contact-name' } }, raw(contact.name))],
          [t('contactEmail'), el('a', { href: `mailto:${contact.email}`, dataset: { testid: 'contact-email' } }, contact.email)],
          ...(contact.phone ? [[t('contactPhone'), el('a', { href: `tel:${contact.phone.replace(/[^+\d]/g, '')}` }, contact.phone)]] : []),
        ])
      : null,
  );
}

function renderCoverage(c) {
  const cov = c.coverage;
  replace(
    $('#coverage'),
    el('p', {}, badge('decision', cov.decision), cov.override ? raw(t('override')(cov.override)) : ''),
    cov.reasons.length ? el('h3', {}, t('reasons')) : null,
    cov.reasons.length ? el('ul', {}, cov.reasons.map((r) => el('li', { dataset: { code: r } }, word('reason', r)))) : el('p', { class: 'muted' }, t('noExclusion')),
    // The API words the rules' explanations and facts in the page's language (Accept-Language).
    cov.explanations?.length ? [el('h3', {}, t('explanation')), el('ul', {}, cov.explanations.map((e) => el('li', {}, e)))] : null,
    cov.facts?.length ? [el('h3', {}, t('facts')), el('ul', { class: 'small' }, cov.facts.map((e) => el('li', {}, e)))] : null,
    cov.computed && cov.override ? el('p', { class: 'muted small' }, t('computed')(cov.computed)) : null,
  );
}

// The insurer's internal figures: an insured's view of its case has neither (the API's role matrix), so the card is
// left out rather than shown empty.
function renderExposure(c) {
  const e = c.exposure;
  const r = c.reserve;
  const card = $('#exposure').closest('section');
  if (card) card.hidden = !e && !r;
  const f = e?.factors;
  replace(
    $('#exposure'),
    e ? el('p', { class: 'sum' }, t('perPerson')(e), el('strong', { dataset: { testid: 'exposure-total' } }, yen(e.totalJpy))) : null,
    f ? el('p', { class: 'small muted' }, t('factors')(f)) : null,
    r ? el('h3', {}, t('reserve')(yen(r.totalJpy))) : null,
    r
      ? table(
          [t('category'), t('amount')],
          Object.entries(r.byCategory ?? {}).map(([k, v]) => [vocabLabel(vocab?.costCategories, k), el('span', { class: 'num' }, yen(v))]),
          { empty: t('noReserve') },
        )
      : null,
    r && seesMoney && r.history ? reserveHistory(r.history) : null,
  );
}

/** Every change of the reserve, newest first, with what it changed by, why and who. */
function reserveHistory(history) {
  const rows = history.map((h, i) => {
    const delta = i === 0 ? null : h.totalJpy - history[i - 1].totalJpy;
    return [
      el('time', { datetime: h.at }, jst(h.at)),
      el('span', { class: 'num' }, yen(h.totalJpy)),
      el('span', { class: 'num' }, delta === null ? '—' : `${delta >= 0 ? '+' : '−'}${yen(Math.abs(delta))}`),
      word('reserveWhy', h.why),
      actorName(h.actor),
    ];
  });
  return el(
    'div',
    { dataset: { testid: 'reserve-history' } },
    el('h3', {}, t('hReserveHistory')),
    table(t('historyCols'), rows.reverse(), { empty: t('noHistory'), stack: true }),
  );
}

function renderObligations(c) {
  replace(
    $('#obligations'),
    table(
      t('obCols'),
      c.obligations.map((o) => [
        raw(o.regime),
        word('audience', o.audience),
        word('kind', o.kind),
        jst(o.dueAt),
        o.status === 'pending' || o.status === 'overdue' ? countdown(o.dueAt) : '—',
        badge('obligation', o.status),
        o.triggers.map((x) => word('trigger', x)).join(sep()) || '—',
        [
          o.filedAt ? [jst(o.filedAt), o.reference ? [' · ', raw(o.reference)] : null] : o.notRequiredReason ? raw(o.notRequiredReason) : '—',
          o.explanation ? el('details', { class: 'small' }, el('summary', {}, t('why')), el('span', {}, o.explanation)) : null,
        ],
      ]),
      { empty: t('noObligation') },
    ),
  );
}

function renderVendors(c) {
  replace(
    $('#vendors'),
    table(
      t('vendorCols'),
      c.vendors.map((v) => [
        raw(v.vendorId),
        word('vendorRole', v.role),
        jst(v.dispatchedAt),
        v.status === 'dispatched' ? [jst(v.ackDueAt), ' ', countdown(v.ackDueAt)] : jst(v.ackDueAt),
        badge('vendor', v.status),
        v.slaBreached ? el('strong', { class: 'late' }, t('breached')) : t('met'),
        el('span', { class: 'num' }, yen(v.invoicedJpy)),
      ]),
      { empty: t('noVendor') },
    ),
    c.services?.callCenter
      ? [
          el('h3', {}, t('hCallCenter')),
          el(
            'div',
            { dataset: { testid: 'call-center' } },
            table(t('callCenterCols'), [
              [
                raw(c.services.callCenter.vendorId),
                c.services.callCenter.phone ? raw(c.services.callCenter.phone) : t('noPhone'),
                el('span', { class: 'num' }, String(c.services.callCenter.enquiries)),
                c.services.callCenter.reportedAt ? jst(c.services.callCenter.reportedAt) : '—',
              ],
            ]),
          ),
        ]
      : null,
    c.vendorRequests?.length
      ? [
          el('h3', {}, t('vendorRequests')),
          el(
            'ul',
            { dataset: { testid: 'vendor-requests' } },
            c.vendorRequests.map((r) => el('li', {}, t('requestLine')(word('vendorRole', r.role), r.vendorId, r.requestedBy, r.reason))),
          ),
        ]
      : null,
    c.counselAdvice?.length
      ? [el('h3', {}, t('counselAdvice')), el('ul', {}, c.counselAdvice.map((a) => el('li', {}, `${jst(a.at)} `, raw(a.vendorId), ': ', vendorText(a.advice))))]
      : null,
    c.consents?.length
      ? [
          el('h3', {}, t('consents')),
          el(
            'ul',
            { dataset: { testid: 'consents' } },
            c.consents.map((k) => el('li', {}, vocabLabel(vocab?.costCategories, k.category), k.limitJpy !== undefined ? t('upTo')(yen(k.limitJpy)) : '', ' — ', raw(k.by), `, ${jst(k.at)}`)),
          ),
        ]
      : null,
  );
}

function renderNotifications(c) {
  const n = c.notifications;
  const done = n.sent + n.failed + (n.letters ?? 0);
  const list = c.affectedPersonsList;
  replace(
    $('#notifications'),
    el('p', { dataset: { testid: 'notice' } }, c.notice?.approved ? t('noticeApproved')(c.notice) : t('noticeNotApproved')),
    el('label', { for: 'notify-progress', dataset: { testid: 'notify-label' } }, t('progress')(done, n)),
    el('progress', { id: 'notify-progress', max: Math.max(1, n.total), value: done }),
    el('p', { class: 'small muted' }, list ? t('list')(list) : t('noList')),
    n.waves?.length
      ? [
          el('h3', {}, t('hWaves')),
          table(
            t('waveCols'),
            n.waves.map((w) => [
              t('waveNo')(w.wave),
              el('span', { class: 'num' }, num(w.total)),
              el('span', { class: 'num' }, num(w.sent)),
              el('span', { class: 'num' }, num(w.letters)),
              el('span', { class: 'num' }, num(w.failed + w.bounced)),
              el('span', { class: 'num' }, num(w.lettersReturned)),
              el('span', { class: 'num' }, num(w.duplicatesRemoved)),
              word('campaign', w.status),
            ]),
            { stack: true },
          ),
          el('p', { dataset: { testid: 'unreachable' } }, t('unreachable')(n.unreachable ?? 0)),
        ]
      : null,
    c.substituteMeasures || c.announcements?.length
      ? [
          el('h3', {}, t('hAnnouncements')),
          c.substituteMeasures
            ? el(
                'p',
                { dataset: { testid: 'substitute' } },
                c.substituteMeasures.status === 'done' ? t('substituteDone') : t('substitutePending')(c.substituteMeasures),
              )
            : null,
          table(
            t('announcementCols'),
            (c.announcements ?? []).map((a) => [jst(a.publishedAt), word('channel', a.channel), a.url ? raw(a.url) : '—', raw(a.by)]),
            { empty: t('noAnnouncement') },
          ),
          c.enquiryDesk ? el('p', {}, t('desk')({ phone: c.enquiryDesk.phone, hours: c.enquiryDesk.hours })) : null,
        ]
      : null,
  );
}

function renderServices(c) {
  const card = $('#services-card');
  if (!c.services) {
    card.hidden = true;
    return;
  }
  card.hidden = false;
  const cm = c.services.creditMonitoring;
  const plan = c.services.preventionPlan;
  replace(
    $('#services'),
    cm ? el('p', { dataset: { testid: 'credit-monitoring', offered: String(cm.offered) } }, cm.offered ? t('cmOffered')({ ...cm, items: cm.items ?? [] }) : t('cmNotOffered')) : null,
    plan
      ? [
          el('h3', {}, t('hPlan')),
          plan.length ? el('p', { class: 'small', dataset: { testid: 'plan-progress' } }, t('planProgress')(plan.filter((m) => m.status === 'done').length, plan.length)) : null,
          table(
            t('planCols'),
            plan.map((m) => [el('span', { dataset: { measure: m.measure } }, word('measure', m.measure)), raw(m.owner), jst(m.dueAt), word('measureStatus', m.status)]),
            { empty: t('noPlan'), stack: true },
          ),
        ]
      : null,
  );
}

function renderSettlement(c) {
  const s = c.settlement;
  replace(
    $('#settlement'),
    el('p', { dataset: { testid: 'settlement-sum' } }, t('settlementSum')(s)),
    s.lines.length === 0
      ? el('p', { class: 'empty' }, t('noCost'))
      : s.lines.map((l) =>
          el(
            'details',
            { class: 'line', open: l.status !== 'paid', dataset: { line: l.lineId } },
            el('summary', {}, raw(l.lineId), ' · ', t('lineSummary')(l), badge('line', l.status)),
            l.reasons.length ? el('p', { class: 'small' }, `${t('reasons')}: `, joinNodes(l.reasons.map((r) => el('span', { dataset: { code: r } }, word('reason', r))), sep())) : null,
            table(
              t('stepCols'),
              l.steps.map((st) => [word('step', st.step), el('span', { class: 'num' }, yen(st.beforeJpy)), el('span', { class: 'num' }, yen(st.afterJpy)), el('span', {}, st.explanation)]),
              { empty: t('noSteps') },
            ),
            el('p', { class: 'small muted', dataset: { testid: 'evidence' } }, `${t('evidence')}: `, evidenceOf(l.evidenceRef)),
          ),
        ),
  );
}

function renderPayouts(c) {
  replace(
    $('#payouts'),
    table(
      t('payoutCols'),
      (c.payouts ?? []).map((p) => [
        raw(p.payoutId),
        raw(p.lineIds.join(', ')),
        el('span', { class: 'num' }, yen(p.requestedJpy)),
        el('span', { class: 'num' }, yen(p.grantedJpy)),
        badge('payout', p.status),
        p.approvedBy.length ? raw(p.approvedBy.join(', ')) : '—',
        p.paidAt ? jst(p.paidAt) : p.reason ? el('span', {}, p.reason) : '—',
      ]),
      { empty: t('noPayout') },
    ),
  );
}

/** Who did it: a principal's name as it is; the case itself, its campaign and vendors in words. */
function actorName(actor) {
  if (actor === 'system') return t('actorSystem');
  if (actor === 'campaign') return t('actorCampaign');
  if (typeof actor === 'string' && actor.startsWith('vendor:')) return [t('actorVendor'), ' ', raw(actor.slice('vendor:'.length))];
  return raw(actor);
}

let timelineData = [];
function paintTimeline() {
  replace(
    $('#timeline'),
    el(
      'ol',
      { class: 'timeline', reversed: true },
      [...timelineData].reverse().map((e) =>
        el(
          'li',
          {},
          el('time', { datetime: e.at }, jst(e.at)),
          ' ',
          el('strong', { dataset: { code: e.type } }, word('timeline', e.type)),
          // Recorded in English as it happens; the API answers it in the page's language (Accept-Language).
          ' — ',
          el('span', {}, e.summary),
          ' ',
          el('span', { class: 'muted' }, '(', actorName(e.actor), ')'),
        ),
      ),
    ),
  );
}

async function renderTimeline() {
  const r = await get(`${casePath}/timeline`);
  if (!r.ok) return;
  timelineData = r.data;
  paintTimeline();
}

function render(c) {
  current = c;
  renderSummary(c);
  renderCoverage(c);
  renderExposure(c);
  renderObligations(c);
  renderVendors(c);
  renderNotifications(c);
  renderServices(c);
  renderSettlement(c);
  renderPayouts(c);
  refreshDynamicFields(c);
}

/** After a new view: its timeline and what may be done on it now. */
async function followView() {
  await Promise.all([renderTimeline(), refreshActions(), refreshDesk(), refreshUsage(), refreshFilings(), refreshNotice()]);
}

// ---- filings: the drafts for the regulators and the persons notices ---------------------------------------------

const filingPath = (filingId) => `${casePath}/filings/${encodeURIComponent(filingId)}`;
const itemLabel = (code) => t('filingItems')[code] ?? code;

/** A filing as a document: fetched with the key, then opened (printable HTML) or saved (PDF). */
function filingDocLink(f, kind) {
  const a = el('a', { href: filingPath(f.filingId), class: 'doc-link', dataset: { filing: f.filingId, doc: kind } }, kind === 'pdf' ? 'PDF' : t('printable'));
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    void openFilingDoc(f, kind);
  });
  return a;
}

async function openFilingDoc(f, kind) {
  const status = $('#filing-result');
  try {
    const res = await fetch(filingPath(f.filingId), {
      headers: { Authorization: `Bearer ${session.key()}`, Accept: kind === 'pdf' ? 'application/pdf' : 'text/html' },
      cache: 'no-store',
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, hidden: true, ...(kind === 'pdf' ? { download: `${f.filingId}-v${f.version}.pdf` } : { target: '_blank', rel: 'noopener' }) });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    if (status) setResult(status, false, t('downloadFailed')(err.message));
  }
}

function paintFilings() {
  const card = $('#filings');
  if (!card) return;
  replace(
    card,
    table(
      t('filingCols'),
      filings.map((f) => [
        raw(f.regime),
        word('audience', f.audience),
        word('kind', f.kind),
        badge('filing', f.status, 'filingStatus'),
        el('span', { dataset: { filingVersion: f.filingId } }, String(f.version)),
        f.missing.length ? f.missing.map(itemLabel).join(sep()) : '—',
        [filingDocLink(f, 'pdf'), ' · ', filingDocLink(f, 'html')],
      ]),
      { empty: t('noFiling') },
    ),
  );
  const pick = $('#filing-pick');
  if (!pick) return;
  const chosen = pick.value;
  const editable = filings.filter((f) => f.status !== 'filed');
  replace(pick, ...editable.map((f) => el('option', { value: f.filingId }, `${f.regime} · ${word('audience', f.audience)} · ${word('kind', f.kind)}`)));
  if (editable.some((f) => f.filingId === chosen)) pick.value = chosen;
  $('#filing-form').hidden = editable.length === 0;
  if (editable.length && (!openFiling || openFiling.data.filingId !== pick.value)) void loadFiling(pick.value);
}

async function refreshFilings() {
  const r = await get(`${casePath}/filings`);
  if (!r.ok) return;
  const changed = JSON.stringify(filings) !== JSON.stringify(r.data.filings);
  filings = r.data.filings;
  if (changed || !$('#filings').childElementCount) paintFilings();
}

/** Reads a filing for the edit form: its items (the labels as the filing words them) and the ETag an edit names. */
async function loadFiling(filingId) {
  const r = await api(filingPath(filingId));
  if (!r.ok) return;
  openFiling = { data: r.data, etag: r.etag };
  const items = $('#filing-item');
  const chosen = items.value;
  replace(items, ...Object.keys(r.data.items).map((code) => el('option', { value: code }, itemLabel(code))));
  if (chosen && r.data.items[chosen]) items.value = chosen;
  fillItemText();
}

function fillItemText() {
  const code = $('#filing-item').value;
  const item = openFiling?.data.items[code];
  $('#filing-text').value = item?.source === 'edited' || (item && !openFiling.data.missing.includes(code)) ? item.value : '';
}

function buildFilingForm() {
  const form = $('#filing-form');
  if (!form) return;
  if (!writesDesk) {
    form.hidden = true;
    return;
  }
  replace(
    form,
    el('div', { class: 'field' }, el('label', { for: 'filing-pick', 'data-i18n': 'filingPick' }, t('filingPick')), el('select', { id: 'filing-pick', name: 'filing' })),
    el('div', { class: 'field' }, el('label', { for: 'filing-item', 'data-i18n': 'itemPick' }, t('itemPick')), el('select', { id: 'filing-item', name: 'item' })),
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'filing-text', 'data-i18n': 'itemText' }, t('itemText')),
      el('textarea', { id: 'filing-text', name: 'text', rows: 4, maxlength: 4000, 'aria-describedby': 'filing-text-error' }),
      el('span', { class: 'field-error', id: 'filing-text-error' }),
    ),
    el('button', { type: 'submit', 'data-i18n': 'saveFiling' }, t('saveFiling')),
    el('p', { class: 'result', id: 'filing-result', role: 'status', 'aria-live': 'polite' }),
  );
  $('#filing-pick').addEventListener('change', (ev) => void loadFiling(ev.target.value));
  $('#filing-item').addEventListener('change', fillItemText);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    void saveFilingItem();
  });
}

async function saveFilingItem() {
  const result = $('#filing-result');
  if (!openFiling) return;
  const code = $('#filing-item').value;
  const text = $('#filing-text').value.trim();
  const r = await api(filingPath(openFiling.data.filingId), {
    method: 'PATCH',
    body: { items: { [code]: text === '' ? null : text } },
    headers: { 'If-Match': openFiling.etag ?? '' },
  });
  $('#filing-text-error').textContent = '';
  if (r.ok) {
    openFiling = { data: r.data, etag: r.etag };
    setResult(result, true, t('filingSaved')(r.data.version));
    await refreshFilings();
    return;
  }
  if (r.status === 412) {
    setResult(result, false, t('filingStale'));
    await loadFiling(openFiling.data.filingId);
    return;
  }
  const field = r.problem?.errors?.find((e) => e.path?.startsWith('/items'));
  if (field) $('#filing-text-error').textContent = field.message;
  setResult(result, false, problemText(r.problem) || `HTTP ${r.status}`);
}

// ---- the notice to persons: previewed per language, edited with If-Match, approved on counsel's behalf ----------

const NOTICE_PARTS = ['subject', 'opening', 'whatHappened', 'dataItems', 'whatWeAreDoing', 'whatYouCanDo', 'enquiryDesk'];
const approvesNotice = ['handler', 'supervisor'].includes(me.role);
/** The language shown, and its preview as last read (JSON and ETag, for If-Match). */
let noticeLang = 'ja';
let openNotice;
const noticePreviewPath = (l) => `${casePath}/notice-preview?lang=${l}`;
const partLabel = (code) => t('noticeParts')[code] ?? code;

function paintNoticeTabs() {
  const tabs = $('#notice-lang');
  if (!tabs) return;
  tabs.setAttribute('aria-label', t('noticeLang'));
  replace(
    tabs,
    ...['ja', 'en'].map((l) => {
      const b = el('button', { type: 'button', class: 'secondary', dataset: { noticeLang: l }, 'aria-pressed': String(l === noticeLang) }, t('noticeLangs')[l]);
      b.addEventListener('click', () => {
        noticeLang = l;
        openNotice = undefined;
        paintNoticeTabs();
        void refreshNotice();
      });
      return b;
    }),
  );
}

function paintNotice() {
  const card = $('#notice-preview');
  if (!card) return;
  const n = openNotice?.data;
  const editable = Boolean(n) && !current?.notice?.approved;
  $('#notice-form').hidden = !writesDesk || !editable;
  $('#notice-approve-form').hidden = !approvesNotice || !editable || Boolean(n?.approved);
  if (!n) {
    replace(card, el('p', { class: 'empty' }, t('noticeNone')));
    return;
  }
  replace(
    card,
    el(
      'p',
      { class: 'notice-status', dataset: { noticeVersion: String(n.version), noticeApproved: n.approved ? String(n.approved.version) : '' } },
      el('strong', {}, t('noticeVersion')(n.version)),
      ' · ',
      n.approved ? el('span', { class: 'badge ok' }, t('draftIsApproved')(n.approved)) : el('span', { class: 'badge warn' }, t('draftNotApproved')),
    ),
    el(
      'dl',
      { class: 'notice-parts', lang: n.language },
      ...NOTICE_PARTS.flatMap((code) => [
        el('dt', {}, n.parts[code].label, n.parts[code].source === 'edited' ? el('span', { class: 'edited' }, ` (${t('noticeEdited')})`) : ''),
        el('dd', { dataset: { part: code } }, n.parts[code].value),
      ]),
    ),
    el('details', {}, el('summary', {}, t('noticeAsSent')), el('pre', { class: 'notice-text', lang: n.language }, n.text)),
  );
  fillPartText();
}

async function refreshNotice() {
  const r = await api(noticePreviewPath(noticeLang));
  if (!r.ok) {
    if (openNotice !== undefined || !$('#notice-preview').childElementCount) {
      openNotice = undefined;
      paintNotice();
    }
    return;
  }
  const sent = Boolean(current?.notice?.approved);
  const changed = openNotice?.etag !== r.etag || JSON.stringify(openNotice?.data.approved) !== JSON.stringify(r.data.approved) || openNotice?.sent !== sent;
  openNotice = { data: r.data, etag: r.etag, sent };
  if (changed) paintNotice();
}

function fillPartText() {
  const pick = $('#notice-part');
  const n = openNotice?.data;
  if (!pick || !n) return;
  const part = n.parts[pick.value];
  $('#notice-text').value = part?.value ?? '';
}

function buildNoticeForms() {
  paintNoticeTabs();
  const form = $('#notice-form');
  if (form && writesDesk) {
    replace(
      form,
      el('div', { class: 'field' }, el('label', { for: 'notice-part' }, t('partPick')), el('select', { id: 'notice-part', name: 'part' }, NOTICE_PARTS.map((c) => el('option', { value: c }, partLabel(c))))),
      el(
        'div',
        { class: 'field' },
        el('label', { for: 'notice-text' }, t('partText')),
        el('textarea', { id: 'notice-text', name: 'text', rows: 4, maxlength: 4000, 'aria-describedby': 'notice-text-error' }),
        el('span', { class: 'field-error', id: 'notice-text-error' }),
      ),
      el('button', { type: 'submit' }, t('saveNotice')),
      el('p', { class: 'result', id: 'notice-result', role: 'status', 'aria-live': 'polite' }),
    );
    $('#notice-part').addEventListener('change', fillPartText);
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void saveNoticePart();
    });
  } else if (form) form.hidden = true;
  const approve = $('#notice-approve-form');
  if (approve && approvesNotice) {
    replace(
      approve,
      el('div', { class: 'field' }, el('label', { for: 'notice-behalf' }, t('onBehalfOf')), el('input', { id: 'notice-behalf', name: 'onBehalfOf', type: 'text', autocomplete: 'off', maxlength: 200 })),
      el('button', { type: 'submit', id: 'notice-approve' }, t('approveDraft')),
      el('p', { class: 'result', id: 'notice-approve-result', role: 'status', 'aria-live': 'polite' }),
    );
    approve.addEventListener('submit', (ev) => {
      ev.preventDefault();
      void approveNoticeVersion();
    });
  } else if (approve) approve.hidden = true;
  paintNotice();
}

async function saveNoticePart() {
  const result = $('#notice-result');
  if (!openNotice) return;
  const code = $('#notice-part').value;
  const text = $('#notice-text').value.trim();
  const part = openNotice.data.parts[code];
  // An unchanged text of the case stays the case's: only what the editor changed is sent.
  const value = text === '' ? null : part?.source === 'case' && part.value === text ? undefined : text;
  if (value === undefined) return;
  const r = await api(`${casePath}/notice-draft?lang=${noticeLang}`, { method: 'PATCH', body: { parts: { [code]: value } }, headers: { 'If-Match': openNotice.etag ?? '' } });
  $('#notice-text-error').textContent = '';
  if (r.ok) {
    openNotice = { data: r.data, etag: r.etag };
    paintNotice();
    setResult(result, true, t('noticeSaved')(r.data.version));
    return;
  }
  if (r.status === 412) {
    setResult(result, false, t('noticeStale'));
    openNotice = undefined;
    await refreshNotice();
    return;
  }
  const field = r.problem?.errors?.find((e) => e.path?.startsWith('/parts'));
  if (field) $('#notice-text-error').textContent = field.message;
  setResult(result, false, problemText(r.problem) || `HTTP ${r.status}`);
}

async function approveNoticeVersion() {
  const result = $('#notice-approve-result');
  if (!openNotice) return;
  const onBehalfOf = $('#notice-behalf').value.trim();
  const version = openNotice.data.version;
  const r = await api(`${casePath}/actions/approve-notice-draft`, { method: 'POST', body: { language: noticeLang, version, ...(onBehalfOf ? { onBehalfOf } : {}) } });
  if (r.ok) {
    setResult(result, true, t('draftApproved')(version));
    openNotice = undefined;
    await refreshNotice();
    return;
  }
  setResult(result, false, problemText(r.problem) || `HTTP ${r.status}`);
  openNotice = undefined;
  await refreshNotice();
}

// ---- notes, documents, the policy's usage ------------------------------------------------------------------------

const DOCUMENT_ID = /^D[0-9a-f]{24}$/;
const docPath = (documentId) => `/v1/cases/${encodeURIComponent(caseId)}/documents/${encodeURIComponent(documentId)}`;

/** A link to a document: the API needs the key, so a click fetches it with the key and hands the bytes over. */
function docLink(d) {
  const a = el('a', { href: docPath(d.documentId), download: d.name, class: 'doc-link', translate: 'no', dataset: { document: d.documentId } }, d.name);
  a.addEventListener('click', (ev) => {
    ev.preventDefault();
    void download(d);
  });
  return a;
}

async function download(d) {
  const status = $('#doc-result');
  try {
    const res = await fetch(docPath(d.documentId), { headers: { Authorization: `Bearer ${session.key()}`, 'Accept-Language': lang() }, cache: 'no-store' });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const url = URL.createObjectURL(await res.blob());
    const a = el('a', { href: url, download: d.name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch (err) {
    if (status) {
      status.className = 'result problem';
      status.textContent = t('downloadFailed')(err.message);
    }
  }
}

/** A cost item's evidence: a link when it names a document of the case, else the text as given. */
function evidenceOf(ref) {
  if (!ref) return '—';
  if (!DOCUMENT_ID.test(ref)) return raw(ref);
  return docLink(documents.find((d) => d.documentId === ref) ?? { documentId: ref, name: ref });
}

function paintNotes() {
  // The API gives an insured the shared notes only; the page keeps to that too.
  const visible = me.role === 'insured' ? notes.filter((n) => n.visibility === 'shared') : notes;
  replace(
    $('#notes'),
    visible.length === 0
      ? el('p', { class: 'empty' }, t('noNotes'))
      : el(
          'ol',
          { class: 'notes', reversed: true, dataset: { testid: 'notes' } },
          [...visible].reverse().map((n) =>
            el(
              'li',
              { class: `note note-${n.visibility}`, dataset: { note: n.noteId, visibility: n.visibility } },
              el(
                'p',
                { class: 'note-meta small muted' },
                el('time', { datetime: n.at }, jst(n.at)),
                ' · ',
                raw(n.by),
                ` (${word('role', n.role)}) `,
                el('span', { class: `badge visibility-${n.visibility}` }, word('visibility', n.visibility)),
              ),
              el('p', { class: 'note-text', translate: 'no' }, n.text),
            ),
          ),
        ),
  );
}

function paintDocuments() {
  replace(
    $('#documents'),
    table(
      t('docCols'),
      documents.map((d) => [docLink(d), word('docType', d.contentType), el('span', { class: 'num' }, bytes(d.size)), raw(d.by), jst(d.at)]),
      { empty: t('noDocuments'), stack: true },
    ),
  );
  // The submit-costs form offers the documents as evidence.
  const list = $('#doc-ids');
  if (list) replace(list, documents.map((d) => el('option', { value: d.documentId }, d.name)));
}

function paintUsage() {
  const card = $('#usage-card');
  if (!card) return;
  card.hidden = !seesMoney;
  if (!seesMoney) return;
  if (!policyRead) return replace($('#usage'), el('p', { class: 'muted' }, t('loading')));
  if (!policyRead.ok) return replace($('#usage'), el('p', { class: 'problem' }, t('usageFailed')(policyRead.message)));
  const { policy, usage } = policyRead.data;
  if (!usage) return replace($('#usage'), el('p', { class: 'muted' }, t('noUsage')));
  const row = (label, limit, u, key) => {
    const used = limit > 0 ? Math.min(100, Math.round((u.paidJpy / limit) * 100)) : 0;
    return [
      el('span', { dataset: { usage: key } }, label),
      el('span', { class: 'num' }, yen(limit)),
      el('span', { class: 'num', dataset: { testid: `paid-${key}` } }, yen(u.paidJpy)),
      el('span', { class: 'num', dataset: { testid: `remaining-${key}` } }, yen(u.remainingJpy)),
      el('span', { class: 'used' }, el('meter', { min: 0, max: 100, value: used, 'aria-label': t('usedShare')(used) }), ' ', t('usedShare')(used)),
    ];
  };
  const cats = Object.entries(usage.categories ?? {});
  replace(
    $('#usage'),
    el('p', { class: 'small muted' }, raw(policy.policyNumber ?? current?.policyNumber ?? ''), ' · ', t('usagePeriod')(policy)),
    table(
      t('usageCols'),
      [
        row(t('liabilityLimit'), policy.liability.periodLimitJpy, usage.liability, 'liability'),
        row(t('responseLimit'), policy.responseCosts.periodLimitJpy, usage.responseCosts, 'responseCosts'),
        ...cats.map(([cat, u]) => row(vocabLabel(vocab?.costCategories, cat), policy.categories[cat]?.limitJpy ?? 0, u, cat)),
      ],
      { stack: true },
    ),
  );
}

async function refreshNotes() {
  const r = await get(`/v1/cases/${encodeURIComponent(caseId)}/notes`);
  if (!r.ok) return;
  notes = r.data.notes;
  paintNotes();
}

async function refreshDocuments() {
  const r = await get(`/v1/cases/${encodeURIComponent(caseId)}/documents`);
  if (!r.ok) return;
  const changed = JSON.stringify(documents) !== JSON.stringify(r.data.documents);
  documents = r.data.documents;
  paintDocuments();
  // Evidence links name the documents now known.
  if (changed && current) renderSettlement(current);
}

async function refreshUsage() {
  if (!seesMoney || !current?.policyNumber) return;
  const r = await get(`/v1/policies/${encodeURIComponent(current.policyNumber)}`);
  policyRead = r.ok ? { ok: true, data: r.data } : { ok: false, message: problemText(r.problem) || `HTTP ${r.status}` };
  paintUsage();
}

/** Notes and documents change without the view's version (an internal note does not bump it): read them apart. */
async function refreshDesk() {
  await Promise.all([refreshNotes(), refreshDocuments()]);
}

function setResult(node, ok, message) {
  node.className = `result ${ok ? 'ok' : 'problem'}`;
  if (ok) node.removeAttribute('role');
  else node.setAttribute('role', 'alert');
  node.textContent = message;
}

/** The note and upload forms; their words come from `data-i18n`, so a language switch rewords them in place. */
function buildDeskForms() {
  if (!writesDesk) {
    $('#note-form').hidden = true;
    $('#doc-form').hidden = true;
    return;
  }
  const noteForm = $('#note-form');
  const visibility = me.role === 'insured'
    ? el('p', { class: 'small muted', 'data-i18n': 'insuredNoteHint' }, t('insuredNoteHint'))
    : el(
        'div',
        { class: 'field' },
        el('label', { for: 'note-visibility', 'data-i18n': 'noteVisibility' }, t('noteVisibility')),
        el(
          'select',
          { id: 'note-visibility', name: 'visibility' },
          el('option', { value: 'internal', 'data-i18n': 'visInternal' }, t('visInternal')),
          el('option', { value: 'shared', 'data-i18n': 'visShared' }, t('visShared')),
        ),
      );
  replace(
    noteForm,
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'note-text', 'data-i18n': 'noteText' }, t('noteText')),
      el('textarea', { id: 'note-text', name: 'text', rows: 3, maxlength: 2000, required: true, 'aria-describedby': 'note-text-error' }),
      el('span', { class: 'field-error', id: 'note-text-error', dataset: { path: '/text' } }),
    ),
    visibility,
    el('button', { type: 'submit', 'data-i18n': 'addNote' }, t('addNote')),
    el('p', { class: 'result', id: 'note-result', role: 'status', 'aria-live': 'polite' }),
  );
  let noteKey = crypto.randomUUID();
  noteForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const area = $('#note-text');
    const result = $('#note-result');
    const text = area.value.trim();
    $('#note-text-error').textContent = '';
    area.removeAttribute('aria-invalid');
    if (!text) {
      $('#note-text-error').textContent = t('noteEmpty');
      area.setAttribute('aria-invalid', 'true');
      area.focus();
      return;
    }
    const button = noteForm.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const body = { text, visibility: me.role === 'insured' ? 'shared' : $('#note-visibility').value };
      const r = await api(`/v1/cases/${encodeURIComponent(caseId)}/notes`, { method: 'POST', body, headers: { 'Idempotency-Key': noteKey } });
      noteKey = crypto.randomUUID();
      if (r.ok) {
        area.value = '';
        setResult(result, true, t('noteAdded')(jstTime(new Date())));
        await refreshNotes();
      } else {
        const fieldErr = (r.problem?.errors ?? []).find((e) => e.path === '/text');
        if (fieldErr) {
          $('#note-text-error').textContent = fieldErr.message;
          area.setAttribute('aria-invalid', 'true');
        }
        setResult(result, false, t('refused')(problemText(r.problem) || `HTTP ${r.status}`));
      }
    } catch (err) {
      setResult(result, false, t('noAnswer')(err.message));
    } finally {
      button.disabled = false;
    }
  });

  const docForm = $('#doc-form');
  replace(
    docForm,
    el(
      'div',
      { class: 'field' },
      el('label', { for: 'doc-file', 'data-i18n': 'docFile' }, t('docFile')),
      el('input', { id: 'doc-file', name: 'file', type: 'file', 'aria-describedby': 'doc-result' }),
    ),
    el('button', { type: 'submit', 'data-i18n': 'upload' }, t('upload')),
    el('p', { class: 'result', id: 'doc-result', role: 'status', 'aria-live': 'polite' }),
  );
  docForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const input = $('#doc-file');
    const result = $('#doc-result');
    const file = input.files?.[0];
    if (!file) {
      setResult(result, false, t('chooseFile'));
      input.setAttribute('aria-invalid', 'true');
      return;
    }
    input.removeAttribute('aria-invalid');
    const button = docForm.querySelector('button[type=submit]');
    button.disabled = true;
    docForm.setAttribute('aria-busy', 'true');
    result.className = 'result';
    result.textContent = t('uploading')(file.name);
    try {
      const r = await api(`/v1/cases/${encodeURIComponent(caseId)}/documents`, {
        method: 'POST',
        body: file,
        headers: { 'Content-Type': file.type || 'application/octet-stream', 'X-File-Name': encodeURIComponent(file.name) },
      });
      if (r.ok) {
        input.value = '';
        setResult(result, true, t('uploaded')(r.data.name, jstTime(new Date())));
        await refreshDocuments();
      } else {
        input.setAttribute('aria-invalid', 'true');
        const msg = r.status === 413 ? t('tooLarge') : r.status === 415 ? t('refusedType') : t('refused')(problemText(r.problem) || `HTTP ${r.status}`);
        setResult(result, false, msg);
        result.dataset.status = String(r.status);
      }
    } catch (err) {
      setResult(result, false, t('noAnswer')(err.message));
    } finally {
      button.disabled = false;
      docForm.removeAttribute('aria-busy');
    }
  });
}

// ---- actions -----------------------------------------------------------------------------------------------------

const text = (name, opts = {}) => ({ name, kind: 'text', ...opts });
const int = (name, opts = {}) => ({ name, kind: 'int', ...opts });
const select = (name, options, opts = {}) => ({ name, kind: 'select', options, ...opts });
const reasonField = () => ({ name: 'reason', labelKey: 'reason', kind: 'textarea', required: true });

function actionForms() {
  const cats = () => vocab.costCategories.map((c) => [c.code, vocabLabel(vocab.costCategories, c.code)]);
  const tri = () => [['', t('unchanged')], ['true', t('yes')], ['false', t('no')]];
  return {
    assign: { fields: [text('assignee', { required: true, value: me.role === 'insured' ? '' : me.name })] },
    'decide-coverage': { fields: [select('decision', () => [['covered', t('covered')], ['denied', t('denied')]]), reasonField()] },
    consent: { fields: [select('category', cats), int('limitJpy'), text('vendorId'), text('note')] },
    'record-findings': {
      fields: [
        int('affectedPersons'),
        select('cause', () => [['', t('unchanged')], ...vocab.causes.map((c) => [c.code, word('cause', c.code)])]),
        { name: 'occurredAt', kind: 'datetime' },
        { name: 'dataItems', kind: 'list' },
        select('encrypted', tri, { kind: 'bool' }),
        select('wrongfulPurpose', tri, { kind: 'bool' }),
        { name: 'note', labelKey: 'findingsNote', kind: 'textarea' },
      ],
    },
    'approve-notice': { fields: [select('language', () => vocab.noticeLanguages.map((l) => [l, word('noticeLanguage', l)])), text('templateVersion')] },
    'approve-notice-draft': {
      fields: [select('language', () => vocab.noticeLanguages.map((l) => [l, word('noticeLanguage', l)])), int('version', { required: true }), text('onBehalfOf')],
    },
    'record-filing': {
      fields: [{ name: 'obligation', kind: 'obligation' }, { name: 'filedAt', kind: 'datetime', value: toJstLocal(Date.now()) }, text('reference'), text('notRequired')],
    },
    'submit-costs': { fields: [select('category', cats), int('amountJpy', { required: true }), text('evidenceRef', { required: true, list: 'doc-ids' }), int('persons'), text('description')] },
    'approve-payout': { fields: [{ name: 'lineIds', kind: 'lines' }] },
    deny: { fields: [reasonField()] },
    withdraw: { fields: [reasonField()] },
    close: { fields: [reasonField()] },
    'confirm-findings': { fields: [text('findingsId', { required: true }), select('decision', () => [['apply', t('apply')], ['discard', t('discard')]]), reasonField()] },
    reopen: { fields: [reasonField()] },
    'engage-vendor': {
      fields: [
        select('role', () =>
          ['call_center', 'public_relations', 'credit_monitoring', 'recurrence_prevention', 'forensics', 'counsel', 'print_mail'].map((r) => [r, word('vendorRole', r)]),
        ),
        text('vendorId'),
        reasonField(),
      ],
    },
    'update-prevention-measure': {
      fields: [
        select('measure', () => ['access_control', 'encryption', 'staff_training', 'monitoring', 'vendor_management'].map((m) => [m, word('measure', m)])),
        select('status', () => ['planned', 'in_progress', 'done'].map((x) => [x, word('measureStatus', x)])),
        text('owner'),
        { name: 'dueAt', kind: 'datetime' },
      ],
    },
    'record-announcement': {
      fields: [
        { name: 'publishedAt', kind: 'datetime', value: toJstLocal(Date.now()), required: true },
        select('channel', () => [['website', word('channel', 'website')], ['press', word('channel', 'press')], ['other', word('channel', 'other')]]),
        text('url'),
        text('deskPhone'),
        text('deskHours'),
      ],
    },
  };
}

function fieldNode(action, f) {
  const id = `${action}-${f.name}`;
  const label = t('f')[f.labelKey ?? f.name] ?? t(f.labelKey ?? f.name);
  const err = el('span', { class: 'field-error', id: `${id}-error`, dataset: { path: `/${f.name}` } });
  let input;
  if (f.kind === 'select' || f.kind === 'bool') {
    input = el('select', { id, name: f.name }, f.options().map(([v, label]) => el('option', { value: v }, label)));
  } else if (f.kind === 'textarea') {
    input = el('textarea', { id, name: f.name, rows: 2, required: f.required });
  } else if (f.kind === 'obligation') {
    input = el('select', { id, name: f.name, class: 'dyn-obligations' });
  } else if (f.kind === 'lines') {
    return el('fieldset', { class: 'field dyn-lines' }, el('legend', {}, label), el('div', { class: 'line-boxes' }), err);
  } else {
    input = el('input', {
      id,
      name: f.name,
      type: f.kind === 'int' ? 'number' : f.kind === 'datetime' ? 'datetime-local' : 'text',
      ...(f.kind === 'int' ? { min: 0, step: 1, inputmode: 'numeric' } : {}),
      required: f.required,
      autocomplete: 'off',
      value: f.value,
      list: f.list,
    });
  }
  input.setAttribute('aria-describedby', `${id}-error`);
  return el('div', { class: 'field' }, el('label', { for: id }, label), input, err);
}

function bodyOf(action, form, spec) {
  const fd = new FormData(form);
  const body = {};
  for (const f of spec.fields) {
    const value = f.kind === 'lines' ? fd.getAll('lineIds') : String(fd.get(f.name) ?? '').trim();
    if (f.kind === 'lines') {
      if (value.length) body.lineIds = value.map(String);
      continue;
    }
    if (value === '') continue;
    if (f.kind === 'int') body[f.name] = Number(value);
    else if (f.kind === 'bool') body[f.name] = value === 'true';
    else if (f.kind === 'datetime') body[f.name] = fromJstLocal(value);
    else if (f.kind === 'list') body[f.name] = value.split(/[\s,、]+/).filter(Boolean);
    else if (f.kind === 'obligation') Object.assign(body, JSON.parse(value));
    else body[f.name] = value;
  }
  if (action === 'record-filing' && body.notRequired) delete body.filedAt;
  if (action === 'record-filing' && !body.notRequired) delete body.notRequired;
  if (action === 'submit-costs') return { items: [body] };
  if (action === 'record-announcement' && (body.deskPhone || body.deskHours)) {
    // Both or neither: the case refuses half a desk, with the field named.
    body.enquiryDesk = { phone: body.deskPhone ?? '', hours: body.deskHours ?? '' };
  }
  if (action === 'record-announcement') {
    delete body.deskPhone;
    delete body.deskHours;
  }
  return body;
}

function showFieldErrors(form, errors) {
  const unplaced = [];
  for (const e of errors) {
    // "/items/0/amountJpy" → "/amountJpy": a submit-costs form holds one item.
    let path = e.path.replace(/^\/items\/\d+/, '');
    let slot;
    while (path && !(slot = form.querySelector(`.field-error[data-path="${CSS.escape(path)}"]`))) path = path.replace(/\/[^/]*$/, '');
    if (slot) slot.textContent = e.message;
    else unplaced.push(e);
  }
  return unplaced;
}

function paintResult(action) {
  const node = $(`#result-${CSS.escape(action)}`);
  const r = results.get(action);
  if (!node) return;
  if (!r) {
    node.textContent = '';
    node.className = 'result';
    return;
  }
  node.className = `result ${r.ok ? 'ok' : 'problem'}`;
  if (!r.ok) node.setAttribute('role', 'alert');
  node.textContent = r.ok ? t('done')(jstTime(r.at)) : r.noAnswer ? t('noAnswer')(r.message) : t('refused')(r.message);
}

/** The forms of the actions the role may take (open or greyed by the case's state), and one line for the rest. */
function buildActions() {
  const forms = actionForms();
  const known = actionsOf ?? vocab.actions.map((a) => ({ action: a.action, allowed: a.roles.includes(me.role), reason: a.roles.includes(me.role) ? undefined : 'role' }));
  const list = known.filter((a) => forms[a.action]);
  const forRole = list.filter((a) => a.reason !== 'role');
  const notForRole = list.filter((a) => a.reason === 'role');
  if (forRole.length === 0) {
    replace($('#actions-note'), el('p', { class: 'muted' }, t('readOnly')(me.role)));
    replace($('#actions'));
    return;
  }
  replace($('#actions-note'), notForRole.length ? el('p', { class: 'small muted', dataset: { testid: 'not-for-role' } }, t('notForRole'), notForRole.map((a) => word('action', a.action)).join(sep())) : null);
  replace(
    $('#actions'),
    forRole.map(({ action, allowed, reason }) => {
      const spec = forms[action];
      const result = el('p', { class: 'result', role: 'status', 'aria-live': 'polite', id: `result-${action}` });
      const blocked = allowed ? null : el('p', { class: 'blocked-reason', id: `blocked-${action}`, dataset: { reason } }, t('notNow')(word('block', reason)));
      const form = el(
        'form',
        {
          class: `action${allowed ? '' : ' blocked'}`,
          dataset: { action, allowed: String(allowed) },
          novalidate: true,
          'aria-labelledby': `h-${action}`,
          ...(allowed ? {} : { 'aria-describedby': `blocked-${action}` }),
        },
        el('h3', { id: `h-${action}` }, word('action', action)),
        el('p', { class: 'small muted' }, t('help')[action]),
        blocked,
        el('fieldset', { class: 'action-fields', disabled: !allowed }, spec.fields.map((f) => fieldNode(action, f)), el('button', { type: 'submit' }, word('action', action))),
        result,
      );
      // One Idempotency-Key per command, kept until the API gives a definite answer: a submission that got no answer
      // (network, or a 503 while the case is busy) may already be recorded, and sending it again must not repeat it.
      let commandKey = crypto.randomUUID();
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        if (form.dataset.allowed !== 'true') return;
        for (const s of $$('.field-error', form)) s.textContent = '';
        results.delete(action);
        paintResult(action);
        const button = form.querySelector('button[type=submit]');
        button.disabled = true;
        form.setAttribute('aria-busy', 'true');
        try {
          const r = await api(`${casePath}/actions/${action}`, { method: 'POST', body: bodyOf(action, form, spec), headers: { 'Idempotency-Key': commandKey } });
          commandKey = crypto.randomUUID();
          if (r.ok) {
            results.set(action, { ok: true, at: new Date() });
            render(r.data);
            void followView();
          } else {
            const rest = showFieldErrors(form, r.problem?.errors ?? []);
            results.set(action, { ok: false, message: [problemText(r.problem) || `HTTP ${r.status}`, ...rest.map((e) => `${e.path}: ${e.message}`)].join(' · ') });
          }
        } catch (err) {
          results.set(action, { ok: false, noAnswer: true, message: err.message });
        } finally {
          button.disabled = false;
          form.removeAttribute('aria-busy');
          paintResult(action);
        }
      });
      return form;
    }),
  );
  for (const a of forRole) paintResult(a.action);
  if (current) refreshDynamicFields(current);
}

/** What this role may do on the case now, from the API; the forms are rebuilt only when that changes. */
async function refreshActions() {
  const r = await get(`${casePath}/actions`);
  if (!r.ok) return;
  const next = r.data.actions;
  const same = actionsOf && JSON.stringify(actionsOf) === JSON.stringify(next);
  actionsOf = next;
  if (same) return;
  // Keep what was typed in forms that stay open.
  const typed = new Map($$('#actions form').map((f) => [f.dataset.action, [...new FormData(f).entries()]]));
  buildActions();
  for (const f of $$('#actions form')) {
    for (const [name, value] of typed.get(f.dataset.action) ?? []) {
      const input = f.elements.namedItem(name);
      if (input && 'value' in input && input.type !== 'checkbox' && typeof value === 'string') input.value = value;
    }
  }
}

/** Options that depend on the case (obligations to file, lines to approve), keeping what the user had chosen. */
function refreshDynamicFields(c) {
  for (const sel of $$('.dyn-obligations')) {
    const chosen = sel.value;
    replace(
      sel,
      c.obligations
        .filter((o) => o.status === 'pending' || o.status === 'overdue')
        .map((o) =>
          el('option', { value: JSON.stringify({ regime: o.regime, kind: o.kind, audience: o.audience }) }, `${o.regime} ${word('kind', o.kind)}（${word('audience', o.audience)}）${t('due')(jst(o.dueAt))}`),
        ),
    );
    if (sel.options.length === 0) sel.append(el('option', { value: '' }, t('nothingToFile')));
    if ([...sel.options].some((o) => o.value === chosen)) sel.value = chosen;
  }
  for (const box of $$('.dyn-lines .line-boxes')) {
    const ticked = new Set($$('input:checked', box).map((i) => i.value));
    const payable = c.settlement.lines.filter((l) => l.status === 'payable');
    replace(
      box,
      payable.length === 0
        ? el('p', { class: 'small muted' }, t('noPayable'))
        : payable.map((l) =>
            el(
              'label',
              { class: 'check' },
              el('input', { type: 'checkbox', name: 'lineIds', value: l.lineId, checked: ticked.has(l.lineId) }),
              ' ',
              raw(l.lineId),
              ` ${vocabLabel(vocab?.costCategories, l.category)} ${yen(l.payableJpy)}`,
            ),
          ),
    );
  }
}

// ---- polling -----------------------------------------------------------------------------------------------------

function paintConn() {
  const conn = $('#conn');
  if (!lastConn) {
    conn.textContent = t('loading');
    return;
  }
  conn.dataset.state = lastConn.state;
  conn.textContent =
    lastConn.state === 'fresh' ? t('live')(jstTime(lastGood)) : lastConn.unreachable ? t('reconnecting')(lastGood ? jstTime(lastGood) : '—') : t('notRefreshed')(lastConn.message);
}

async function poll() {
  clearTimeout(timer);
  try {
    const r = await get(casePath);
    if (r.status === 404) {
      replace($('#main'), el('h1', {}, t('notFound')), el('p', { class: 'problem', role: 'alert' }, problemText(r.problem)));
      return;
    }
    if (!r.ok) throw new Error(problemText(r.problem) || `HTTP ${r.status}`);
    if (!r.notModified || !current) {
      render(r.data);
      await followView();
    } else if (++polls % 5 === 0) {
      // Another user's internal note leaves the view as it was: the notes and documents are read every 5 polls.
      await refreshDesk();
    }
    lastGood = new Date();
    lastConn = { state: 'fresh' };
    document.body.classList.remove('stale');
  } catch (err) {
    document.body.classList.add('stale');
    lastConn = { state: 'stale', unreachable: err instanceof Unreachable, message: err.message };
  }
  paintConn();
  timer = setTimeout(poll, document.hidden ? Math.max(POLL_MS, HIDDEN_POLL_MS) : POLL_MS);
}

function redraw() {
  translateStatic(t);
  document.title = current ? `${t('caseTitle')(current.caseId)} · breach-claims` : `${t('pageTitle')} · breach-claims`;
  buildActions();
  if (current) render(current);
  paintTimeline();
  paintNotes();
  paintDocuments();
  paintUsage();
  buildFilingForm();
  openFiling = undefined;
  paintFilings();
  buildNoticeForms();
  paintConn();
}

async function init() {
  translateStatic(t);
  if (refuseRole(me, ['handler', 'supervisor', 'ops', 'admin', 'insured'], () => t('pageTitle'))) return;
  vocab = await vocabulary();
  buildDeskForms();
  buildFilingForm();
  buildNoticeForms();
  buildActions();
  paintUsage();
  startCountdowns();
  // Another language: the words at once, then the case's recorded texts in it (its ETag differs per language).
  onLang(() => {
    redraw();
    void poll();
  });
  // Back in view: ask at once rather than after the background interval.
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) void poll();
  });
  await poll();
}

void init();
