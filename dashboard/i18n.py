"""All app text in Chinese and English. Codes stay neutral; only labels are translated."""

from __future__ import annotations

from dashboard.review_i18n import REVIEW_TEXT
from etl.outcomes import outcome_groups
from etl.templates import TEMPLATE_SPECS

LANGS = ("zh", "en")

TEXT: dict[str, tuple[str, str]] = {
    "app.title": ("政府信息公开年报", "Disclosure annual reports"),
    "app.language": ("语言", "Language"),
    "app.no_warehouse": (
        "还没有数据：在“导入”页上传报告，或运行 `xxgk ingest 报告目录 --warehouse {dir}`，"
        "或运行 `xxgk demo`。",
        "No data yet: upload reports on the Import page, or run `xxgk ingest REPORTS --warehouse {dir}`, or "
        "`xxgk demo`.",
    ),
    "app.version": ("数据版本", "Data version"),
    "page.overview": ("总览", "Overview"),
    "page.proactive": ("主动公开", "Proactive disclosure"),
    "page.requests": ("依申请公开", "Requests"),
    "page.appeals": ("复议诉讼", "Reconsideration & litigation"),
    "page.staffing": ("机构人员", "Staffing & funding"),
    "page.agencies": ("机关", "Agencies"),
    "page.quality": ("数据质量", "Data quality"),
    "page.report": ("报告", "Report"),
    "filter.header": ("筛选", "Filters"),
    "filter.province": ("省", "Province"),
    "filter.city": ("市", "City"),
    "filter.county": ("县（区、市）", "County / district"),
    "filter.all": ("全部", "All"),
    "filter.years": ("年度", "Years"),
    "filter.templates": ("统计表模板", "Table template"),
    "filter.levels": ("机关层级", "Agency level"),
    "filter.kinds": ("机关类型", "Agency kind"),
    "filter.agency_text": ("机关名称包含", "Agency name contains"),
    "filter.scope": ("口径", "Scope"),
    "filter.none": ("无", "none"),
    "filter.vertical": (
        "含垂直管理单位（税务、调查队等）",
        "Include vertically managed units (tax, survey teams)",
    ),
    "filter.ocr_confirmed": ("只用经勾稽关系核实的识别数值", "Only OCR values an identity confirms"),
    "filter.ocr_help": (
        "扫描件和图片版报告的数值由文字识别（OCR）读出；勾选后，表格勾稽关系未能核实的识别数值不计入图表。",
        "Values of scanned and image-only reports are read by OCR; when ticked, those that no identity "
        "of their table confirms are left out of the charts.",
    ),
    "filter.yes": ("是", "yes"),
    "filter.no": ("否", "no"),
    "scope.own": ("本级报告", "Own reports"),
    "scope.aggregate": ("汇总报告", "Aggregate reports"),
    "scope.note.own": (
        "合计只含本级报告；汇总报告（综合下属单位编制）另行统计，避免重复计算。",
        "Totals sum own reports only; aggregate reports (compiled from subordinate units) are kept apart "
        "so nothing is counted twice.",
    ),
    "scope.note.aggregate": (
        "合计只含汇总报告，不与本级报告相加。",
        "Totals sum aggregate reports only, never together with own reports.",
    ),
    "level.province": ("省级", "Province"),
    "level.city": ("市级", "City"),
    "level.county": ("县级", "County"),
    "level.township": ("乡镇（街道）", "Township"),
    "kind.government": ("人民政府", "Government"),
    "kind.government_office": ("政府办公室", "Government office"),
    "kind.department": ("部门", "Department"),
    "kind.township": ("乡镇街道", "Township / street"),
    "kind.zone": ("开发区、园区", "Zone"),
    "kind.vertical": ("垂直管理单位", "Vertically managed"),
    "group.old": ("旧版统计表", "old table"),
    "group.new": ("新版统计表（2019起）", "new tables (2019+)"),
    "group.narrative": ("正文所述", "narrative text"),
    "group.fujian": ("福建旧版统计表", "Fujian old table"),
    "group.v2019_table2": ("2019版表二", "2019 table 二"),
    "group.v2021_table2": ("2021版表二", "2021 table 二"),
    "chart.break": ("统计表改版", "table changed"),
    "chart.reports": ("报告数", "Reports"),
    "chart.items": ("条", "items"),
    "chart.requests": ("件", "requests"),
    "chart.cases": ("件", "cases"),
    "chart.people": ("人", "people"),
    "chart.yuan": ("元", "yuan"),
    "chart.share": ("占比（%）", "Share (%)"),
    "chart.median": ("中位数", "median"),
    "chart.click_opens": ("点击条形打开该报告", "Click a bar to open its report"),
    "chart.no_data": ("所选范围内没有数据", "No data in the selected range"),
    "download.csv": ("CSV", "CSV"),
    "download.xlsx": ("Excel", "Excel"),
    "download.parquet": ("Parquet", "Parquet"),
    "download.help": (
        "下载此图表或表格背后的数据（含筛选条件和数据版本）",
        "Download the data behind this chart or table (with the filters and data version)",
    ),
    "table.open": ("打开", "open"),
    "table.report": ("报告", "Report"),
    "col.year": ("年度", "Year"),
    "col.agency": ("机关", "Agency"),
    "col.value": ("数值", "Value"),
    "col.metric": ("指标", "Metric"),
    "col.template": ("模板", "Template"),
    "col.format": ("格式", "Format"),
    "col.series": ("序列", "Series"),
    "col.group": ("可比组", "Comparable group"),
    "col.reports": ("报告数", "Reports"),
    "col.reports_with_value": ("填报数", "Reports with a value"),
    "col.reports_blank": ("空白数", "Blank"),
    "col.breakdown": ("申请人类型", "Applicant"),
    "col.rate": ("比率", "Rate"),
    "col.numerator": ("分子", "Numerator"),
    "col.denominator": ("分母", "Denominator"),
    "overview.title": ("总览", "Overview"),
    "overview.reports": ("报告", "Reports"),
    "overview.agencies": ("机关", "Agencies"),
    "overview.places": ("地区", "Places"),
    "overview.years": ("年度", "Years"),
    "overview.failed": ("未通过校验的报告", "Reports failing checks"),
    "overview.unplaced": ("未定位地区的报告", "Reports without a place"),
    "overview.trends": ("主要指标趋势", "Headline trends"),
    "overview.quality": ("数据质量摘要", "Data quality summary"),
    "overview.trends_note": (
        "跨越2019年改版的序列不严格可比：旧版“收到申请数”与新版“本年新收”口径不同。",
        "Series crossing the 2019 change are not strictly comparable: the old 收到申请数 and the new "
        "本年新收 are defined differently.",
    ),
    "series.proactive.items": ("主动公开信息数", "Items proactively disclosed"),
    "series.proactive.items_stated": (
        "主动公开信息数（正文所述）",
        "Items disclosed (as stated in the text)",
    ),
    "series.requests.received": ("收到申请数", "Requests received"),
    "series.requests.handled": ("办理（答复）申请数", "Requests handled"),
    "series.requests.granted": ("予以公开", "Granted"),
    "series.requests.partial": ("部分公开", "Partly granted"),
    "series.requests.carried_out": ("结转下年", "Carried over"),
    "series.reconsideration": ("行政复议", "Reconsiderations"),
    "series.litigation": ("行政诉讼", "Lawsuits"),
    "proactive.title": ("主动公开", "Proactive disclosure"),
    "proactive.old": ("旧版统计表：主动公开信息数及渠道", "Old table: items disclosed and channels"),
    "proactive.v2019": ("2019版表二：主动公开政府信息情况", "2019 table 二: proactive disclosure"),
    "proactive.v2021": ("2021版表二：主动公开政府信息情况", "2021 table 二: proactive disclosure"),
    "proactive.narrative": ("正文所述主动公开信息数", "Items disclosed, as stated in the text"),
    "proactive.never_merged": (
        "2019版与2021版表二的栏目定义不同，分开列示，从不合并。",
        "The 2019 and 2021 versions of table 二 define their columns differently; they are shown apart "
        "and never merged.",
    ),
    "requests.title": ("依申请公开", "Requests for information"),
    "requests.applicants": ("本年新收申请：按申请人类型", "New requests by applicant type"),
    "requests.channels": ("旧版：收到申请的方式", "Old table: how requests arrived"),
    "requests.flow": ("办理流向（新收＋上年结转 → 办理结果）", "Flow (new + carried in → outcomes)"),
    "requests.shares": ("办理结果占比", "Outcome shares"),
    "requests.grant_rate": (
        "公开率（予以公开＋部分公开）÷ 办理总计",
        "Grant rate (granted + partial) ÷ handled",
    ),
    "requests.carried": ("结转下年度继续办理", "Carried over to next year"),
    "requests.old_answers": ("旧版：申请答复情况", "Old table: answers"),
    "outcome.received": ("本年新收", "New this year"),
    "outcome.carried_in": ("上年结转", "Carried in"),
    "outcome.handled": ("办理", "Handled"),
    "outcome.carried_out": ("结转下年度", "Carried over"),
    "appeals.title": ("行政复议和行政诉讼", "Reconsideration and litigation"),
    "appeals.review": ("行政复议结果", "Reconsideration outcomes"),
    "appeals.suits": ("行政诉讼结果", "Lawsuit outcomes"),
    "appeals.correction": ("纠错率（纠正 ÷ 已审结）", "Correction rate (corrected ÷ concluded)"),
    "appeals.review_series": ("行政复议", "Reconsideration"),
    "appeals.suit_series": ("行政诉讼", "Litigation"),
    "appeals.pending_note": (
        "旧版统计表没有“尚未审结”；新版的纠错率只以已审结案件为分母。",
        "The old table has no 'pending'; the new tables' correction rate uses concluded cases only.",
    ),
    "appeals.upheld": ("维持", "Upheld"),
    "appeals.corrected": ("纠正", "Corrected"),
    "appeals.other": ("其他结果", "Other"),
    "appeals.pending": ("尚未审结", "Pending"),
    "appeals.kind.review": ("行政复议", "Reconsideration"),
    "appeals.kind.suit_direct": ("未经复议直接起诉", "Lawsuits filed directly"),
    "appeals.kind.suit_after_review": ("复议后起诉", "Lawsuits after reconsideration"),
    "staffing.title": ("机构人员和经费", "Staffing and funding"),
    "staffing.old_only": (
        "机构、人员、经费、会议和培训只在旧版统计表（2019年以前的报告）中填报；新版统计表没有这些栏目。",
        "Bodies, staff, budget, meetings and training appear only in the old table (reports before 2019); "
        "the new tables have no such rows.",
    ),
    "staffing.staff": ("从事政府信息公开工作人员", "Disclosure staff"),
    "staffing.org": ("工作机构和查阅点", "Bodies and reading points"),
    "staffing.budget": ("专项经费和收费（元）", "Budget and fees (yuan)"),
    "staffing.training": ("会议和培训", "Meetings and training"),
    "agencies.title": ("机关", "Agencies"),
    "agencies.pick": ("机关", "Agency"),
    "agencies.profile": ("历年概况", "Profile across years"),
    "agencies.reports": ("历年报告", "Reports by year"),
    "agencies.compare": ("多个机关对比", "Compare agencies"),
    "agencies.compare_pick": ("对比的机关", "Agencies to compare"),
    "agencies.series_pick": ("指标", "Measure"),
    "agencies.ranking": ("地区内排名", "Ranking within the place"),
    "agencies.ranking_year": ("排名年度", "Ranking year"),
    "agencies.none": ("所选范围内没有机关", "No agency in the selected range"),
    "documents.summary": ("汇总表（官方格式）", "Summary in the official layout"),
    "documents.pick_place": (
        "在左侧选择省、市或县后，可下载该地区某一年度的汇总表。",
        "Choose a province, city or county in the sidebar to download its summary for a year.",
    ),
    "documents.year": ("汇总年度", "Year"),
    "documents.mixed": (
        "该年度的报告使用了不同的统计表模板，不同模板从不合并汇总：请选择一个模板。",
        "The year's reports use several templates, which are never summed together: choose one.",
    ),
    "documents.units": ("单位数", "Units"),
    "documents.template": ("汇总的模板", "Template to sum"),
    "documents.summary_note": (
        "按当前筛选的地区、口径、机关类型和垂直管理单位设置，汇总{units}个单位的当前版本报告"
        "（{excluded}份报告因筛选未计入）；机关层级和名称筛选不适用。文件附有单位名单、未发布报告的单位、"
        "勾稽关系复核、数据版本和筛选条件。",
        "Sums the current reports of {units} units under the filtered place, scope, agency kinds and the "
        "vertical-units setting ({excluded} reports left out by them); the level and name filters do not "
        "apply. The file lists the units, the units without a report, the identities on the sums, the data "
        "version and the filters.",
    ),
    "documents.summary_docx": ("汇总表 Word", "Summary (Word)"),
    "documents.summary_xlsx": ("汇总表 Excel", "Summary (Excel)"),
    "documents.compare": ("年度对比", "Year-over-year comparison"),
    "documents.one_year": (
        "该机关只有一个年度的报告，无法对比。",
        "This agency has a report for one year only.",
    ),
    "documents.earlier": ("前一年", "Earlier year"),
    "documents.later": ("后一年", "Later year"),
    "documents.changed": ("变化的单元格", "Cells changed"),
    "documents.not_comparable": ("不可比的单元格", "Cells not comparable"),
    "documents.copied": ("正文沿用比例", "Text copied"),
    "documents.failed": ("未通过检查（前/后）", "Failed checks (earlier / later)"),
    "documents.compare_docx": ("对比 Word", "Comparison (Word)"),
    "documents.compare_xlsx": ("对比 Excel", "Comparison (Excel)"),
    "documents.compare_html": ("对比 HTML", "Comparison (HTML)"),
    "quality.title": ("数据质量", "Data quality"),
    "quality.summary": ("校验结果汇总", "Checks summary"),
    "quality.failed": ("未通过的校验", "Failed checks"),
    "quality.coverage": ("发布情况（机关 × 年度）", "Coverage (agency × year)"),
    "quality.coverage_limited": (
        "共{total}个机关，图中显示有缺失或多个版本的机关优先的{shown}个；下载数据含全部机关，或按地区筛选。",
        "{total} agencies: the grid shows {shown}, those with gaps or several versions first; "
        "the download holds them all, or filter by place.",
    ),
    "quality.unplaced": ("未能定位地区的机关", "Agencies without a place"),
    "quality.errors": ("未能导入的文件", "Files that did not load"),
    "quality.none_failed": ("所选范围内的校验全部通过。", "Every check passed in the selected range."),
    "status.published": ("已发布", "published"),
    "status.missing": ("缺失", "missing"),
    "status.outside": ("首末年外", "outside first–last year"),
    "status.several_versions": ("多个版本", "several versions"),
    "col.check_id": ("校验", "Check"),
    "col.severity": ("级别", "Severity"),
    "col.status": ("结果", "Status"),
    "col.expected": ("应为", "Expected"),
    "col.actual": ("实际", "Actual"),
    "col.message": ("说明", "Message"),
    "col.failed": ("未通过", "Failed"),
    "col.passed": ("通过", "Passed"),
    "col.not_assessable": ("无法判断", "Not assessable"),
    "col.reports_failing": ("涉及报告", "Reports failing"),
    "col.source_file": ("文件", "File"),
    "col.kind": ("类型", "Kind"),
    "col.reason": ("原因", "Reason"),
    "col.first_year": ("首年", "First year"),
    "col.last_year": ("末年", "Last year"),
    "col.place": ("地区", "Place"),
    "report.title": ("报告", "Report"),
    "report.pick": ("选择报告", "Choose a report"),
    "report.none": ("所选范围内没有报告", "No report in the selected range"),
    "report.not_found": ("没有找到这份报告：{id}", "No such report: {id}"),
    "report.values": ("提取的数值", "Values read"),
    "report.checks": ("校验", "Checks"),
    "report.source": ("原文", "Source text"),
    "report.versions": ("同一机关同一年度的版本", "Versions for the same agency and year"),
    "report.meta": ("报告信息", "About this report"),
    "report.current": ("当前版本", "current"),
    "report.ocr": ("扫描件原图（文字识别的数值）", "Page images of the values read by OCR"),
    "report.ocr_note": (
        "本报告为扫描件或图片，数值由文字识别读出。{doubtful} 个数值存疑，{unconfirmed} 个未经勾稽关系核实。",
        "This report is a scan or an image; its values were read by OCR. {doubtful} are in doubt, "
        "{unconfirmed} are not confirmed by any identity.",
    ),
    "report.ocr_pick": ("查看数值", "Value"),
    "report.ocr_caption": (
        "识别为 {raw}（置信度 {score}）· 第 {page} 页 · {status}",
        "read as {raw} (score {score}) · page {page} · {status}",
    ),
    "report.ocr_confirmed": ("勾稽关系已核实", "confirmed by an identity"),
    "report.ocr_unconfirmed": ("未经核实", "not confirmed"),
    "report.superseded": ("已被替换", "superseded"),
    "report.original": ("原文链接", "Original on the web"),
    "report.published": ("发布日期", "published"),
    "col.raw": ("原文", "As printed"),
    "col.semantic": ("含义", "Meaning"),
    "col.confidence": ("可信度", "Confidence"),
    "col.where": ("位置", "Where"),
    "col.unit": ("单位", "Unit"),
    "col.table_no": ("表", "Table"),
    "col.row_label": ("行", "Row"),
    "col.column_label": ("列", "Column"),
    "col.page": ("页", "Page"),
    "col.metric_code": ("指标代码", "Metric code"),
    "col.published": ("发布日期", "Published"),
    "col.is_current": ("当前版本", "Current"),
    "col.ingested_at": ("导入时间", "Ingested at"),
    "col.recorded_at": ("记录时间", "Recorded at"),
}

# The workbench's text (import, review, corrections) lives beside it.
TEXT.update(REVIEW_TEXT)

# Template and request-outcome names come from their single definitions (etl/templates.py,
# etl/outcome_groups.csv).
TEXT.update({f"template.{name}": (spec.label_zh, spec.label_en) for name, spec in TEMPLATE_SPECS.items()})
TEXT.update({f"outcome.{group.name}": (group.label_zh, group.label_en) for group in outcome_groups()})

# Result columns whose header key is not simply "col.<column>".
COLUMN_KEYS = {
    "value_raw": "col.raw",
    "locator": "col.where",
    "checks_failed": "col.failed",
    "label_zh": "col.metric",
    "label_en": "col.metric",
}


def column_key(column: str) -> str | None:
    """The text key of a result column's header, when there is one."""
    key = COLUMN_KEYS.get(column, f"col.{column}")
    return key if key in TEXT else None


def translate(key: str, lang: str) -> str:
    pair = TEXT.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]
