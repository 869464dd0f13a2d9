"""The workbench's text (import, review, corrections, editors) in Chinese and English; merged into
dashboard.i18n.TEXT."""

from __future__ import annotations

REVIEW_TEXT: dict[str, tuple[str, str]] = {
    "page.import": ("导入", "Import"),
    # who may edit
    "edit.header": ("审核人", "Reviewer"),
    "edit.reviewer": ("审核人姓名（记录在每项修改中）", "Your name (recorded with every change)"),
    "edit.name": ("编辑账号", "Editor"),
    "edit.password": ("密码", "Password"),
    "edit.login": ("登录", "Log in"),
    "edit.logout": ("退出登录", "Log out"),
    "edit.logged_in": ("已登录：{user}", "Logged in as {user}"),
    "edit.login_failed": ("账号或密码不对。", "Wrong editor name or password."),
    "edit.read_only_no_editors": (
        "只读：本服务不在本机地址上运行，且未设置编辑账号（在服务器上运行 xxgk users add 姓名）。",
        "Read-only: this server listens beyond this machine and has no editors "
        "(run xxgk users add NAME on the server).",
    ),
    "edit.read_only_login": (
        "只读：在左侧栏“审核人”处登录后才能修改。",
        "Read-only: log in under “Reviewer” in the sidebar to change things.",
    ),
    # import
    "import.title": ("导入年报", "Import reports"),
    "import.intro": (
        "上传各单位的年报文件或 ZIP 压缩包，或粘贴年报栏目网址。与命令行 xxgk ingest 相同的读取和发布："
        "同样的文件再导入不会改变任何数据；同一单位同一年度的新文件成为当前版本，旧版本保留。",
        "Upload the units' report files or ZIP archives, or paste the URLs of 年报 columns. They are read "
        "and published exactly as `xxgk ingest` does: the same file imported again changes nothing; a new "
        "file for the same unit and year becomes the current version and the old one is kept.",
    ),
    "import.limits": (
        "格式：{formats}，以及 ZIP。每个文件最大 {file_mb}，每个压缩包最大 {upload_mb}，"
        "一次最多 {files} 个文件、共 {total_mb}。压缩包中的子压缩包、链接和越出目录的路径不会解压。",
        "Formats: {formats}, and ZIP. At most {file_mb} a file, {upload_mb} an archive, {files} files and "
        "{total_mb} in one import. Archives inside archives, links and paths leaving the folder are not "
        "unpacked.",
    ),
    "import.files": ("年报文件或 ZIP 压缩包", "Report files or ZIP archives"),
    "import.choose": ("选择文件", "Choose files"),
    "import.drop": (
        "或把文件拖到这里（格式和大小限制见上）",
        "or drop files here (formats and limits above)",
    ),
    "import.urls": ("年报栏目网址（每行一个，可选）", "年报 column URLs (one per line, optional)"),
    "import.urls_help": (
        "按 robots.txt 礼貌抓取，每个网站一次只发一个请求，可能需要几分钟。",
        "Collected politely (robots.txt, one request at a time per site); this may take minutes.",
    ),
    "import.start": ("开始导入", "Start the import"),
    "import.nothing": ("请先选择文件或填写网址。", "Choose files or give URLs first."),
    "import.bad_url": ("网址有误：{problem}", "Bad URL: {problem}"),
    "import.running": ("正在导入（{user}，{started}）", "Importing ({user}, {started})"),
    "import.others": (
        "另有 {n} 个导入正在进行；发布时依次进行，不会互相覆盖。",
        "{n} other import(s) running; they publish one after another and never overwrite each other.",
    ),
    "import.phase.staging": ("保存和解压上传的文件…", "Saving and unpacking the uploads…"),
    "import.phase.collecting": ("从网站采集…", "Collecting from the websites…"),
    "import.phase.parsing": ("读取报告…", "Reading the reports…"),
    "import.phase.publishing": ("发布新数据版本…", "Publishing the new data version…"),
    "import.phase.done": ("导入完成", "Import finished"),
    "import.phase.failed": ("导入失败：{message}", "The import failed: {message}"),
    "import.stop": ("停止采集", "Stop collecting"),
    "import.progress": ("{done} / {total} · {current}", "{done} / {total} · {current}"),
    "import.results": ("每个文件的结果", "What became of each file"),
    "import.version": ("新数据版本：{version}", "New data version: {version}"),
    "import.ignored": ("未导入的其他文件：{list}", "Other files not imported: {list}"),
    "import.clear": ("清除结果", "Clear the results"),
    "import.status.loaded": ("已导入", "loaded"),
    "import.status.replaced": ("已替换", "replaced"),
    "import.status.unchanged": ("未变化", "unchanged"),
    "import.status.rejected": ("不是年报", "not a report"),
    "import.status.error": ("出错", "error"),
    "import.status.refused": ("拒收", "refused"),
    "import.note.superseded": ("另有当前版本", "another version is current"),
    "import.note.replaces": ("替换了 {n} 个旧版本", "replaces {n} earlier version(s)"),
    "col.file": ("文件", "File"),
    "col.import_status": ("结果", "Result"),
    "col.note": ("说明", "Note"),
    # review status
    "review.header": ("审核", "Review"),
    "review.status.pending": ("待审核", "To review"),
    "review.status.approved": ("已审核", "Approved"),
    "review.status.returned": ("退回修改", "Returned for changes"),
    "review.current": ("审核状态：{status}", "Review status: {status}"),
    "review.by": ("{user} · {at}", "{user} · {at}"),
    "review.earlier": ("旧版本的审核：{status} · {user} · {at}", "Earlier version: {status} · {user} · {at}"),
    "review.set": ("更改审核状态", "Change the review status"),
    "review.comment": ("审核意见（退回修改时必填）", "Comment (required when returning for changes)"),
    "review.save": ("保存审核状态", "Save the review status"),
    "review.saved": ("已保存审核状态。", "Review status saved."),
    "review.history": ("审核记录", "Review history"),
    "review.page": ("页码", "Page"),
    "review.list_open": ("列出这些报告及其审核状态", "List these reports with their review status"),
    "review.all_rows": ("共{total}份报告。", "{total} reports."),
    "review.page_rows": (
        "第{first}–{last}份，共{total}份（每页{size}份）。",
        "Reports {first}–{last} of {total} ({size} a page).",
    ),
    "review.filter": ("审核状态", "Review status"),
    "findings.reviewed": (
        "审核状态：已审核{approved}个，退回修改{returned}个，待审核{pending}个；审核中更正的数值{corrections}个"
        "（随审核意见一并列出）。",
        "Review status: {approved} approved, {returned} returned for changes, {pending} to review; "
        "{corrections} values corrected in review (listed in the findings).",
    ),
    "col.review_status": ("审核状态", "Review"),
    "col.review_comment": ("审核意见", "Review comment"),
    "col.reviewed_by": ("审核人", "Reviewed by"),
    "col.reviewed_at": ("审核时间", "Reviewed at"),
    "col.comment": ("意见", "Comment"),
    "col.user": ("操作人", "By"),
    "col.at": ("时间", "When"),
    # corrections
    "corr.header": ("更正数值", "Correct a value"),
    "corr.intro": (
        "更正不会改写读取到的数值：原值保留，更正值在所有页面、图表和导出中使用，可随时撤回。",
        "A correction never overwrites the value as read: the original stays, the corrected value is used "
        "in every page, chart and export, and it can be withdrawn at any time.",
    ),
    "corr.pick": (
        "要更正的数值（也可在上表中点选一行）",
        "Value to correct (or click a row in the table above)",
    ),
    "corr.kind": ("更正类型", "Kind of correction"),
    "corr.kind.extraction": (
        "读取有误：原文印的是另一个数",
        "Read wrongly: the document prints another number",
    ),
    "corr.kind.agency_error": (
        "原文有误：记录单位确认的数值",
        "The document is wrong: record the value the unit confirmed",
    ),
    "corr.value": ("正确数值（按指标单位，金额为元）", "Correct value (in the metric's unit; money in yuan)"),
    "corr.reason": (
        "理由（必填，例如：单位来函确认）",
        "Reason (required, e.g. confirmed by the unit's letter)",
    ),
    "corr.save": ("保存更正", "Save the correction"),
    "corr.saved": ("已保存更正 #{id}。", "Correction #{id} saved."),
    "corr.unchanged": (
        "这一数值已按此更正，无变化。",
        "This value already has this correction; nothing changed.",
    ),
    "corr.list": ("本报告的更正记录", "Corrections of this report"),
    "corr.none": ("本报告没有更正。", "This report has no corrections."),
    "corr.withdraw_pick": ("撤回哪一项更正", "Correction to withdraw"),
    "corr.withdraw_reason": ("撤回理由", "Why it is withdrawn"),
    "corr.withdraw": ("撤回更正（恢复原值）", "Withdraw (restore the value as read)"),
    "corr.withdrawn": ("已撤回更正 #{id}。", "Correction #{id} withdrawn."),
    "corr.marked": (
        "已更正的行（✓，标黄）排在最前：“数值”为更正后的值，“原值”为读取到的值。",
        "Corrected rows (✓, highlighted) come first: “value” is the corrected value, “original value” the "
        "value as read.",
    ),
    "corr.needs_review": (
        "同一单位同一年度的旧版本有 {n} 项更正，本版本尚未复核：",
        "{n} correction(s) of an earlier version of this unit and year are not yet reviewed for this "
        "version:",
    ),
    "corr.carry": ("沿用到本版本", "Apply to this version"),
    "corr.dismiss": ("本版本不需要", "Not needed for this version"),
    "corr.carry_pick": ("复核哪一项", "Correction to review"),
    "corr.carried": ("已沿用更正 #{id}。", "Correction #{id} applied to this version."),
    "corr.dismissed": ("已记录：本版本不需要更正 #{id}。", "Recorded: correction #{id} is not needed here."),
    "corr.state.applied": ("生效", "applied"),
    "corr.state.needs_review": ("需复核", "needs review"),
    "corr.state.carried": ("已沿用", "carried over"),
    "corr.state.dismissed": ("不再需要", "not needed"),
    "corr.state.withdrawn": ("已撤回", "withdrawn"),
    "corr.why.replaced": ("报告已被新版本替换", "the report was replaced by a new version"),
    "corr.why.report_gone": ("报告已不在数据中", "the report is no longer in the warehouse"),
    "corr.why.value_changed": ("文件现在读出的数值不同", "the file now reads differently"),
    "corr.queue": ("需要复核的更正", "Corrections that need review"),
    "col.corrected": ("已更正", "Corrected"),
    "col.original_value": ("原值", "Original value"),
    "col.corrected_values": ("更正数", "Corrections"),
    "col.correction_id": ("更正编号", "Correction"),
    "col.id": ("编号", "No."),
    "col.state": ("状态", "State"),
    "col.why": ("需复核的原因", "Why it needs review"),
    "col.correction_reason": ("更正理由", "Reason"),
    "col.created_by": ("更正人", "By"),
    "col.created_at": ("更正时间", "When"),
    "col.withdrawn_by": ("撤回人", "Withdrawn by"),
    "col.withdrawn_at": ("撤回时间", "Withdrawn at"),
    "col.withdraw_reason": ("撤回理由", "Why withdrawn"),
    "col.current_value": ("新版本的值", "Value in the new version"),
}

# Table 三's applicant columns, as the correction picker names them.
REVIEW_TEXT.update(
    {
        f"corr.breakdown.{code}": names
        for code, names in {
            "natural_person": ("自然人", "natural persons"),
            "commercial": ("商业企业", "businesses"),
            "research": ("科研机构", "research institutions"),
            "social_org": ("社会公益组织", "public-interest organisations"),
            "legal_service": ("法律服务机构", "legal service providers"),
            "other_org": ("其他", "other organisations"),
            "legal_subtotal": ("法人或其他组织小计", "legal persons, subtotal"),
            "total": ("总计", "total"),
        }.items()
    }
)
