"""Interface strings, Chinese first with English beside them."""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    "home": ("首页", "Home"),
    "datasets": ("数据目录", "Datasets"),
    "publishers": ("提供部门", "Publishers"),
    "themes": ("领域", "Themes"),
    "stats": ("统计", "Statistics"),
    "search": ("搜索", "Search"),
    "search_placeholder": ("搜索数据集，例如：公交 线路", "Search datasets, e.g. bus lines"),
    "skip": ("跳到正文", "Skip to content"),
    "main_nav": ("主导航", "Main navigation"),
    "language": ("语言", "Language"),
    "other_lang": ("English", "中文"),
    "dataset_count": ("数据集", "datasets"),
    "open_count": ("无条件开放", "open"),
    "publisher_count": ("提供部门", "publishers"),
    "theme_count": ("领域", "themes"),
    "newest": ("最近更新", "Recently updated"),
    "browse_themes": ("按领域浏览", "Browse by theme"),
    "all_datasets": ("全部数据集", "All datasets"),
    "open_type": ("开放类型", "Open type"),
    "share_type": ("共享类型", "Share type"),
    "publisher": ("提供方", "Publisher"),
    "theme": ("领域", "Theme"),
    "identifier": ("信息资源代码", "Identifier"),
    "keywords": ("标签", "Keywords"),
    "sources": ("来源", "Sources"),
    "contributors": ("贡献者", "Contributors"),
    "package_homepage": ("数据包主页", "Package homepage"),
    "package_version": ("数据包版本", "Package version"),
    "update_frequency": ("更新频率", "Update frequency"),
    "issued": ("发布日期", "Issued"),
    "modified": ("更新日期", "Modified"),
    "license": ("许可协议", "Licence"),
    "spatial": ("区域", "Spatial coverage"),
    "temporal": ("时间范围", "Temporal coverage"),
    "sep": ("：", ": "),
    "contact": ("联系方式", "Contact"),
    "legal_basis": ("法律法规依据", "Legal basis"),
    "open_conditions": ("开放条件", "Conditions"),
    "metadata": ("元数据", "Metadata"),
    "fields": ("字段", "Fields"),
    "field_name": ("字段名", "Name"),
    "field_title": ("中文名", "Title"),
    "field_type": ("类型", "Type"),
    "field_description": ("说明", "Description"),
    "preview": ("数据预览", "Preview"),
    "preview_note": ("前 {n} 行，共 {total} 行", "First {n} of {total} rows"),
    # maps of resources with coordinates (templates/dataset/map.html, static/map.js)
    "map": ("地图", "Map"),
    "map_note": ("共 {n} 个点位。", "{n} points."),
    "map_skipped": (
        "另有 {n} 行没有有效坐标（缺失、无法读取或超出经纬度范围），未在地图上显示。",
        "{n} more rows have no usable coordinates (missing, unreadable or out of range) "
        "and are not shown.",
    ),
    "map_geojson": ("下载 GeoJSON", "Download GeoJSON"),
    "map_keys": (
        "可用 Tab 键依次选中点位或聚合点，按回车键打开详情或放大；方向键平移地图，+ / - 缩放。",
        "Tab moves between points and clusters, Enter opens a point or zooms into a cluster; "
        "arrow keys pan the map, + and - zoom.",
    ),
    "map_grid": (
        "未配置底图：点位绘制在经纬网上（不向任何地图服务请求数据）。",
        "No basemap is configured: points are drawn over a longitude/latitude grid "
        "(nothing is requested from a map service).",
    ),
    "map_grid_credit": ("经纬网", "Longitude/latitude grid"),
    "map_point": ("点位", "point"),
    "map_cluster": ("个点位，按回车放大", "points, press Enter to zoom in"),
    "map_zoom_in": ("放大", "Zoom in"),
    "map_zoom_out": ("缩小", "Zoom out"),
    "map_close": ("关闭", "Close"),
    "map_failed": (
        "地图数据加载失败，请使用下方列表或下载 GeoJSON。",
        "The map data could not be loaded: use the list below or download the GeoJSON.",
    ),
    "map_too_many": (
        "点位超过 {n} 个，网页上不绘制地图：请查看下方列表，或下载 GeoJSON 用 GIS 软件打开。",
        "More than {n} points: no map is drawn on the page. See the list below, or open the "
        "GeoJSON in GIS software.",
    ),
    "map_list": ("点位列表（前 {n} 个，共 {total} 个）", "Points (first {n} of {total})"),
    "map_list_more": ("全部点位见 GeoJSON 文件。", "Every point is in the GeoJSON file."),
    "map_name": ("名称", "Name"),
    "map_lon": ("经度", "Longitude"),
    "map_lat": ("纬度", "Latitude"),
    "downloads": ("下载", "Downloads"),
    "resource": ("资源", "Resource"),
    "format": ("格式", "Format"),
    "size": ("大小", "Size"),
    "rows": ("行数", "Rows"),
    "summary": ("字段统计", "Field summary"),
    "non_empty": ("非空", "Non-empty"),
    "distinct": ("不同值", "Distinct"),
    "range": ("最小值 ~ 最大值", "Min ~ max"),
    "top_values": ("常见值", "Top values"),
    "no_data_conditional": (
        "本数据集为有条件开放，不在网站上公开数据内容。符合开放条件的申请人可按下列方式申请。",
        "This dataset is open on conditions: its data is not published on this site. Applicants "
        "who meet the conditions can apply as described below.",
    ),
    "no_data_closed": (
        "本数据集为非开放数据，不在网站上公开任何数据内容。如有需要，可依法提出申请。",
        "This dataset is not open: none of its data is published. You may apply for it under "
        "the applicable rules.",
    ),
    "apply": ("申请数据", "Apply for this data"),
    "how_to_apply": ("如何申请", "How to apply"),
    "readme": ("详细说明", "Description"),
    "datapackage": ("数据包描述 datapackage.json", "Data package descriptor"),
    "publisher_datasets": ("该部门的数据集", "Datasets of this publisher"),
    "theme_datasets": ("该领域的数据集", "Datasets in this theme"),
    "filter_by": ("筛选", "Filter"),
    "none": ("无", "none"),
    "footer_note": (
        "本平台数据按《政务数据共享条例》及本市公共数据管理规定开放。",
        "Data on this portal is published under the national regulation on government data "
        "sharing and the city's public-data rules.",
    ),
    "generated_by": ("由 Kaifang 开放 生成", "Built with Kaifang"),
    "overdue": ("更新逾期", "Overdue"),
    # Issue 16: a dataset whose update is held back keeps its previous version; statuses.
    "status": ("数据状态", "Status"),
    "status_notice_suspended": (
        "自 {since} 起。原因：{reason}。暂停期间不提供数据文件下载。",
        "since {since}. Reason: {reason}. No data file can be downloaded while it is suspended.",
    ),
    "status_notice_withdrawn": (
        "{since} 撤回。原因：{reason}。撤回期间不提供数据文件下载。",
        "on {since}. Reason: {reason}. No data file can be downloaded while it is withdrawn.",
    ),
    "status_notice_objection": (
        "自 {since} 起。异议：{reason}。预计 {reply_by} 前答复；数据仍可使用，请留意更正。",
        "since {since}. Objection: {reason}. A reply is expected by {reply_by}; the data stays "
        "available, but watch for corrections.",
    ),
    "status_replaced_by": ("替代数据集", "Replaced by"),
    "tombstone_label": ("已移除", "Removed"),
    "tombstone_title": ("{title}（已移除）", "{title} (removed)"),
    "tombstone_removed": (
        "该数据集已于 {date} 从目录中移除，不再提供。",
        "This dataset was removed from the catalog on {date} and is no longer available.",
    ),
    "tombstone_reason": ("原因：{reason}。", "Reason: {reason}."),
    "held_back_badge": ("暂缓更新", "update held back"),
    "held_back_notice": (
        "本次更新未通过检查，仍显示上一版本（{date}）",
        "This update did not pass the checks; the previous version ({date}) is still shown",
    ),
    "results": ("条结果", "results"),
    # Facets (issue 6): one label per facet, used by the list, facet pages, stats, search.
    "facet_open_type": ("开放类型", "Open type"),
    "facet_publisher": ("提供部门", "Publisher"),
    "facet_theme": ("领域", "Theme"),
    "facet_format": ("格式", "Format"),
    "facet_frequency": ("更新频率", "Update frequency"),
    "facet_heading": ("{facet}：{value}", "{facet}: {value}"),
    "facet_nav": ("按条件筛选数据集", "Filter datasets"),
    "all_values": ("全部 {n} 项 →", "All {n} →"),
    "clear_filters": ("清除筛选，查看全部数据集", "Clear filters: all datasets"),
    "current_filter": ("当前筛选", "current filter"),
    "list_results": ("共 {n} 个数据集", "{n} datasets"),
    "list_range": ("第 {first}–{last} 个", "showing {first}–{last}"),
    "pager": ("分页", "Pages"),
    "pager_prev": ("上一页", "Previous"),
    "pager_next": ("下一页", "Next"),
    "pager_page": ("第 {n} 页", "Page {n}"),
    "page_of": ("第 {n} 页，共 {pages} 页", "page {n} of {pages}"),
    # 404 page (served by the web server for a missing URL)
    "not_found_title": ("页面不存在", "Page not found"),
    "not_found_text": (
        "您访问的页面不存在或已移动。可以搜索数据集，或从首页、数据目录进入。",
        "The page you asked for does not exist or has moved. Search the datasets, or start "
        "from the home page or the list of datasets.",
    ),
    # Search page
    "search_title": ("搜索数据集", "Search datasets"),
    "search_label": ("搜索关键词", "Search terms"),
    "search_results": ("搜索结果", "Search results"),
    "search_prompt": (
        "输入关键词搜索数据集名称、摘要、标签、提供部门和字段名，可用左侧条件筛选。",
        "Type words to search dataset titles, descriptions, keywords, publishers and field "
        "names; narrow the results with the filters.",
    ),
    "search_count": ("“{q}”共 {n} 条结果", "{n} results for “{q}”"),
    "search_count_filtered": ("共 {n} 条结果", "{n} results"),
    "search_partial": (
        "没有同时包含“{q}”全部字词的结果；以下 {n} 条结果包含其中大部分",
        "No results contain all of “{q}”; {n} results contain most of it",
    ),
    "search_none": (
        "没有找到“{q}”相关的数据集。请换个说法，或减少筛选条件。",
        "No dataset matches “{q}”. Try other words or fewer filters.",
    ),
    "search_loading": ("正在搜索……", "Searching…"),
    "search_error": (
        "搜索暂时不可用。请改用数据目录浏览。",
        "Search is not available right now. Please browse the catalogue instead.",
    ),
    "search_more": ("显示更多结果", "Show more results"),
    "search_sort": ("排序", "Sort by"),
    "search_sort_relevance": ("相关度", "Relevance"),
    "search_sort_modified": ("更新日期（最新在前）", "Last updated (newest first)"),
    "search_sort_title": ("名称（拼音顺序）", "Title (A–Z)"),
    "search_modified": ("更新于 {date}", "updated {date}"),
    "search_help": (
        '多个词用空格分开（同时包含）；"公交线路" 查找完整短语；'
        "公交 OR 学校 任选其一；-公交 排除该词。",
        'Words separated by spaces must all match; "bus lines" finds the phrase; bus OR school '
        "accepts either; -bus excludes a word.",
    ),
    "search_noscript": (
        "搜索需要浏览器启用 JavaScript。不启用 JavaScript 时，可在数据目录中按开放类型、"
        "提供部门、领域、格式和更新频率浏览全部数据集。",
        "Search needs JavaScript. Without it, browse every dataset in the catalogue by open "
        "type, publisher, theme, format and update frequency.",
    ),
    "browse_catalogue": ("浏览数据目录", "Browse the catalogue"),
    # Statistics page
    "stats_title": ("统计", "Statistics"),
    "stats_intro": (
        "本页统计平台编目的全部数据集。开放率 = 无条件开放数据集 ÷ 全部编目数据集（含未公开"
        "列出的非开放数据集，仅计数量）。统计日期：{date}。",
        "Figures for every catalogued dataset. Open rate = open datasets ÷ all catalogued "
        "datasets (including closed ones that are not listed, counted only). As of {date}.",
    ),
    "stats_catalogued": ("编目数据集", "catalogued datasets"),
    "stats_open": ("无条件开放", "open"),
    "stats_open_rate": ("开放率", "open rate"),
    "stats_overdue": ("更新逾期", "overdue updates"),
    "stats_hidden_note": (
        "其中 {n} 个非开放数据集不在网站上列出，只计入数量。",
        "{n} closed datasets are not listed on the site and are only counted here.",
    ),
    "stats_count": ("数据集数", "Datasets"),
    "stats_share": ("占比", "Share"),
    "stats_open_col": ("无条件开放", "Open"),
    "stats_conditional_col": ("有条件开放", "Conditional"),
    "stats_closed_col": ("非开放", "Not open"),
    "stats_overdue_col": ("逾期", "Overdue"),
    "stats_download_csv": ("下载 CSV", "Download CSV"),
    "stats_by": ("按{facet}统计", "By {facet}"),
    "stats_format_note": (
        "格式只统计网站上提供下载的文件，有条件开放和非开放数据集不提供下载。",
        "Formats count files offered for download; conditional and closed datasets offer none.",
    ),
    "stats_overdue_title": ("更新逾期的数据集", "Datasets overdue for an update"),
    "stats_overdue_none": ("没有更新逾期的数据集。", "No dataset is overdue."),
    "stats_allowed_days": ("允许间隔（天）", "Allowed gap (days)"),
    "stats_days_late": ("逾期天数", "Days overdue"),
    "stats_metric": ("指标", "Metric"),
    "stats_date": ("统计日期", "As of"),
    "stats_summary": ("总体指标", "Summary figures"),
    "stats_value": ("数值", "Value"),
    "dataset": ("数据集", "Dataset"),
    "dataset_id": ("数据集标识", "Dataset id"),
    "chart_by": ("各{field}的数据集数", "Datasets by {field}"),
    # Dataset page: charts, summaries, preview
    "chart_time_month": ("按月份统计的记录数（{field}）", "Records per month ({field})"),
    "chart_time_year": ("按年份统计的记录数（{field}）", "Records per year ({field})"),
    "chart_category": ("各“{field}”的记录数", "Records by “{field}”"),
    "chart_table": ("图表数据", "Chart data"),
    "charts": ("图表", "Charts"),
    "records": ("记录数", "Records"),
    "summary_note": (
        "基于全部 {total} 行计算。不同值超过 {cap} 个时只计到 {cap}。",
        "Computed over all {total} rows. Distinct counts stop at {cap}.",
    ),
    "empty_cell": ("空", "empty"),
    # Feedback
    "feedback_title": ("反馈与申请", "Feedback and requests"),
    "feedback_error": ("数据纠错 / 异议", "Report an error or object"),
    "feedback_error_hint": (
        "发现数据有误，或对数据开放有异议，请告诉我们。",
        "Tell us if the data is wrong, or if you object to its publication.",
    ),
    "feedback_request": ("申请开放此数据（数据需求）", "Ask for this data to be opened"),
    "feedback_request_hint": (
        "希望此数据集无条件开放，请提出数据需求。",
        "Ask the data authority to open this dataset to everyone.",
    ),
    "feedback_request_any": ("提出数据需求", "Request a dataset"),
    "feedback_request_any_hint": (
        "没有找到需要的数据？告诉我们您需要什么数据。",
        "Cannot find the data you need? Tell us what you are looking for.",
    ),
    "feedback_apply": ("申请使用此数据", "Apply for access to this data"),
    "feedback_apply_hint": (
        "符合条件的单位和个人可以依法申请获取。",
        "Eligible organisations and people can apply for access.",
    ),
    "titled": ("{a}：{b}", "{a}: {b}"),
    "paren": ("（{text}）", " ({text})"),
    "feedback_by_email": ("发送邮件", "by e-mail"),
    "feedback_by_form": ("在线填写", "online form"),
    "feedback_subject_error": (
        "【数据纠错/异议】{title}（{id}）",
        "[Data error/objection] {title} ({id})",
    ),
    "feedback_subject_request": ("【数据需求】{title}（{id}）", "[Data request] {title} ({id})"),
    "feedback_subject_request_any": ("【数据需求】", "[Data request]"),
    "feedback_subject_apply": ("【数据申请】{title}（{id}）", "[Data application] {title} ({id})"),
    "feedback_body": (
        "数据集：{title}\n标识：{id}\n网址：{url}\n\n问题或需求说明：\n",
        "Dataset: {title}\nId: {id}\nPage: {url}\n\nWhat is wrong, or what you need:\n",
    ),
    "feedback_body_any": (
        "需要的数据：\n用途：\n联系方式：\n",
        "Data needed:\nPurpose:\nHow to reach you:\n",
    ),
    "quality": ("数据质量", "Data quality"),
    "quality_checked": ("校验", "Checks"),
    "quality_passed": (
        "已通过目录元数据规范和表结构（Table Schema）校验",
        "Passed the catalog metadata profile and Table Schema validation",
    ),
    "quality_completeness": ("元数据完整度", "Metadata completeness"),
    "quality_missing": ("未填写", "not filled in"),
    "quality_formats": ("机器可读格式", "Machine-readable formats"),
    "quality_errors": ("数据错误", "Data errors"),
    "quality_warnings": ("元数据警告", "Metadata warnings"),
    "quality_fields": ("字段数", "Fields"),
    "quality_withheld": (
        "按开放类型，本数据集不公开行数、错误数等由数据内容得出的统计。",
        "By its open type, counts derived from this dataset's values (rows, errors) are "
        "not published.",
    ),
    "quality_report": ("校验报告 validation.json", "Validation report (validation.json)"),
    "whole_package": ("完整数据包", "Whole data package"),
    "formats_note": (
        "CSV 为 UTF-8 编码；“Excel 兼容”版带字节顺序标记（BOM），用 Excel 直接打开不会乱码；"
        "长数字编码请用 XLSX 版，以免被 Excel 改成科学计数法。",
        "CSV files are UTF-8; the Excel variant carries a byte-order mark so Excel shows "
        "Chinese correctly. Use the XLSX file for long numeric codes, which Excel would "
        "otherwise turn into scientific notation.",
    ),
    "headers_note": (
        "XLSX 和 Excel 兼容 CSV 的表头是字段的中文名（XLSX 的“fields”工作表列出对应的字段名）；"
        "CSV（UTF-8）、JSON、Parquet 和 API 用字段名，便于程序读取。",
        "The XLSX and the Excel CSV head their columns with the field titles (the XLSX "
        "'fields' sheet maps them to field names); the UTF-8 CSV, JSON, Parquet and the API use "
        "the field names, for programs.",
    ),
    "xlsx_too_large": (
        "超过 {n} 行的资源不提供 XLSX（Excel 工作表容纳不下），请下载 CSV。",
        "Resources of more than {n} rows have no XLSX (an Excel sheet cannot hold them); "
        "download the CSV.",
    ),
    "cite": ("引用本数据", "How to cite"),
    "cite_note": (
        "使用本数据请注明来源、提供部门、网址和访问日期。",
        "Please cite the source, the publisher, the address and the date you accessed the data.",
    ),
    "cite_style": ("格式：{style}", "Style: {style}"),
    "copy": ("复制", "Copy"),
    "copied": ("已复制", "Copied"),
    "developers": ("开发者", "For developers"),
    "api_document": ("API 文档", "API document"),
    "catalogs": ("机器可读目录", "Machine-readable catalogs"),
    "api_docs": ("API 说明", "API documentation"),
    "file_urls": ("文件地址", "File URLs"),
    "checksums": ("校验和", "Checksums"),
    "checksums_note": (
        "下载后可用 sha256sum -c 校验文件完整性：",
        "Check downloaded files with sha256sum -c:",
    ),
    "no_files_for_developers": (
        "本数据集不公开数据文件；API 文档提供元数据和申请方式。",
        "This dataset has no public files; the API document gives its metadata and how to apply.",
    ),
    "feed_title": ("{site}：数据集更新", "{site}: dataset updates"),
    "feed_subtitle": ("新发布和更新的数据集", "New and updated datasets"),
    "feed": ("订阅更新（Atom）", "Updates feed (Atom)"),
    "machine_readable": ("机器可读", "Machine-readable"),
    "api_title": ("开放 API", "Open API"),
    "api_intro": (
        "本平台的目录以静态 JSON 文件提供，无需注册或密钥，"
        "可直接用 curl、浏览器或任何编程语言读取。"
        "有条件开放数据集只提供字段说明，非开放数据集只提供目录信息和申请方式。",
        "The catalog is published as static JSON files: no sign-up, no key; read them with "
        "curl, a browser or any language. Conditional datasets list their fields only; "
        "closed datasets list their catalog entry and how to apply.",
    ),
    "api_endpoints": ("接口一览", "Endpoints"),
    "api_path": ("路径", "Path"),
    "api_returns": ("内容", "Returns"),
    "api_examples": ("示例", "Examples"),
    "api_example_list": ("列出全部数据集的编号和标题：", "List every dataset's id and title:"),
    "api_example_dataset": (
        "读取一个数据集的元数据和下载地址：",
        "Read one dataset's metadata and file URLs:",
    ),
    "api_example_download": (
        "下载所有无条件开放资源的 CSV 并校验：",
        "Download the CSV of every open resource and verify it:",
    ),
    "api_example_changes": (
        "只在有更新时重新下载（服务器支持 ETag 时）：",
        "Fetch again only when something changed (where the server sends ETags):",
    ),
    "api_openapi": ("OpenAPI 3.1 描述", "OpenAPI 3.1 description"),
    "api_other": ("其他机器可读文件", "Other machine-readable files"),
    "api_stability": (
        "版本 v1 的网址和字段保持稳定；不兼容的变更将发布为 /api/v2/。",
        "URLs and fields of v1 stay stable; incompatible changes will be published as /api/v2/.",
    ),
    # open-type filter on theme and publisher pages
    "all_open_types": ("全部", "All"),
    "show_open_type": ("按开放类型显示", "Show by open type"),
    # applying for conditional and closed data
    "apply_page_title": ("申请数据：{title}", "Apply for data: {title}"),
    "apply_intro_conditional": (
        "本数据集为有条件开放数据。符合下列开放条件的单位和个人可以申请使用，"
        "经数据提供部门审核同意并签订数据使用协议后获得数据。",
        "This dataset is open on conditions. Organisations and people who meet the conditions "
        "below can apply; the data is provided after the publisher approves the application "
        "and a data use agreement is signed.",
    ),
    "apply_intro_closed": (
        "本数据集为非开放数据，原则上不向社会提供。如确有需要，可以说明理由提出申请，"
        "由数据提供部门依照法律法规研究答复。",
        "This dataset is not open and is in principle not provided. If you have a genuine "
        "need, you can apply with your reasons; the publisher answers under the applicable "
        "laws and regulations.",
    ),
    "apply_procedure": ("办理流程", "Procedure"),
    "apply_step_read": (
        "阅读开放条件和法律法规依据，确认申请主体和用途符合要求。",
        "Read the conditions and the legal basis; make sure that you and your purpose qualify.",
    ),
    "apply_step_fill": (
        "填写下方申请表（可在线填写后打印），由申请人签字，单位申请须加盖公章。",
        "Fill in the form below (on screen, then print it); sign it, and organisations add "
        "their seal.",
    ),
    "apply_step_submit": (
        "通过下列渠道提交申请表和证明材料。",
        "Send the form and supporting documents through the channel below.",
    ),
    "apply_step_review": (
        "数据提供部门审核申请，答复是否同意；同意的，双方签订数据使用协议后提供数据。",
        "The publisher reviews the application and answers; if approved, data is provided "
        "after both sides sign a data use agreement.",
    ),
    "apply_step_closed_review": (
        "数据提供部门依照法律法规研究并答复；非开放数据通常只能以统计汇总或脱敏形式提供。",
        "The publisher considers the request under the applicable rules and answers; data "
        "that is not open can usually only be provided as aggregates or desensitised.",
    ),
    "apply_provide": ("申请人须提供", "What you provide"),
    "apply_item_applicant": (
        "申请主体：单位名称和统一社会信用代码，或个人姓名和身份证件；联系人和联系方式",
        "The applicant: name of the organisation and its unified social credit code, or your "
        "name and identity document; a contact person and how to reach them",
    ),
    "apply_item_purpose": ("用途：为什么需要这些数据", "Purpose: why you need the data"),
    "apply_item_scenario": (
        "使用场景：在什么系统、产品或研究中使用，谁能接触数据",
        "Scenario: in which system, product or study the data is used, and who has access",
    ),
    "apply_item_scope": (
        "所需字段、数据范围和使用期限",
        "The fields, the extent of the data and how long you need it",
    ),
    "apply_item_security": (
        "数据安全承诺：安全保护措施，不超范围使用、不向第三方提供、到期销毁",
        "A data-security commitment: your protection measures, use only for the stated "
        "purpose, no transfer to third parties, deletion when the period ends",
    ),
    "apply_channel": ("提交渠道", "Where to apply"),
    "apply_online": ("在线申请", "Apply online"),
    "apply_by_mail": ("发送电子邮件", "Send an e-mail"),
    "apply_mail_note": (
        "邮件主题和正文已预填数据集名称和编号。",
        "The subject and body of the e-mail are prefilled with the dataset's title and id.",
    ),
    "apply_no_channel": (
        "本平台尚未配置申请渠道，请联系数据提供部门。",
        "No application channel is configured; please contact the publisher.",
    ),
    "apply_mail_subject": ("数据申请：{title}（{id}）", "Data application: {title} ({id})"),
    "apply_mail_body": (
        "申请数据集：{title}\n数据集编号：{id}\n信息资源代码：{identifier}\n申请页面：{page}\n\n"
        "申请主体（单位名称/统一社会信用代码，或个人姓名）：\n联系人及联系方式：\n用途：\n"
        "使用场景：\n所需字段和数据范围：\n使用期限：\n数据安全承诺：已阅读并同意申请页面上的数据安全承诺。\n",
        "Dataset: {title}\nDataset id: {id}\nIdentifier: {identifier}\nApplication page: {page}\n\n"
        "Applicant (organisation and credit code, or your name):\nContact person and details:\n"
        "Purpose:\nScenario:\nFields and extent of the data:\nPeriod of use:\n"
        "Data-security commitment: I have read and agree to the commitment on the "
        "application page.\n",
    ),
    "apply_form": ("数据申请表", "Application form"),
    "apply_form_note": (
        "可在屏幕上填写后打印，或打印后手写。",
        "Fill it in on screen and print it, or print it and write by hand.",
    ),
    "print_form": ("打印申请表", "Print the form"),
    "form_dataset": ("申请数据集", "Dataset"),
    "form_applicant": ("申请主体", "Applicant"),
    "form_credit_code": ("统一社会信用代码 / 证件号码", "Credit code / ID document number"),
    "form_contact_person": ("联系人", "Contact person"),
    "form_contact": ("联系电话 / 电子邮箱", "Phone / e-mail"),
    "form_purpose": ("用途", "Purpose"),
    "form_scenario": ("使用场景", "Scenario"),
    "form_fields": ("所需字段", "Fields requested"),
    "form_fields_free": ("所需数据内容和范围", "Data and extent requested"),
    "form_period": ("使用期限", "Period of use"),
    "form_security": ("安全保护措施", "Protection measures"),
    "form_commitment": ("数据安全承诺", "Data-security commitment"),
    "form_commitment_text": (
        "本申请人承诺：所获数据仅用于本申请所述用途和场景；采取必要的管理和技术措施保障数据安全；"
        "不向任何第三方提供、转让或公开；不试图识别特定个人；使用期满或用途完成后删除全部数据并书面告知；"
        "违反承诺的，依法承担相应责任。",
        "The applicant undertakes to use the data only for the purpose and scenario stated here; "
        "to protect it with the necessary organisational and technical measures; not to pass, "
        "transfer or publish it to any third party; not to attempt to identify any person; to "
        "delete all of it when the period ends or the purpose is fulfilled and confirm this in "
        "writing; and to bear the legal responsibility for any breach.",
    ),
    "form_signature": ("申请人签字（盖章）", "Signature (and seal)"),
    "form_date": ("日期", "Date"),
    "back_to_dataset": ("返回数据集页面", "Back to the dataset"),
    # desensitised derivatives
    "derivation": ("脱敏说明", "Desensitisation"),
    "derived_from": ("本数据集由以下数据集脱敏派生", "This dataset is desensitised from"),
    "derived_from_hidden": (
        "本数据集由一个不在本平台公开列出的数据集脱敏派生。",
        "This dataset is desensitised from a dataset that is not listed on this portal.",
    ),
    "derivation_note": (
        "只发布按下列规则处理后的值，源数据的原始值不在本平台出现。",
        "Only the values transformed by these rules are published; no raw value of the source "
        "appears on this portal.",
    ),
    "rule": ("脱敏规则", "Rule"),
    "source_field": ("源字段", "Source field"),
    "derivatives": ("脱敏后开放的派生数据集", "Desensitised open derivatives"),
    "rule_keep": ("原样发布", "published unchanged"),
    "rule_drop": ("删除，不发布", "dropped, not published"),
    "rule_mask": (
        "遮盖：保留前 {start} 位和后 {end} 位，其余以 * 代替",
        "masked: first {start} and last {end} characters kept, the rest replaced by *",
    ),
    "rule_hash": (
        "哈希：HMAC-SHA256（平台密钥），同一原值得到同一哈希值",
        "hashed: HMAC-SHA256 with the portal's secret key; equal values give equal hashes",
    ),
    "rule_generalise_month": ("泛化到月份（YYYY-MM）", "generalised to the month (YYYY-MM)"),
    "rule_generalise_year": ("泛化到年份（YYYY）", "generalised to the year (YYYY)"),
    "rule_generalise_bands": ("分段：{bands}", "banded: {bands}"),
    "reid_risk": ("重识别风险", "Re-identification risk"),
    "reid_measure": (
        "按准标识符 {fields} 分组：共 {groups} 组，最小的一组有 {k} 行（要求至少 {min} 行，"
        "参照 GB/T 37964-2019《个人信息去标识化指南》）。",
        "Grouped by the quasi-identifiers {fields}: {groups} groups, the smallest has {k} rows "
        "(at least {min} required, after GB/T 37964-2019, guide to de-identifying personal "
        "information).",
    ),
    "reid_no_fields": (
        "未发布准标识字段，无法按其分组识别个人。",
        "No quasi-identifier is published: no group of rows points to one person by them.",
    ),
    "reid_accepted": (
        "依据 {basis}，接受最小分组小于平台要求。",
        "Smaller groups than the portal requires are accepted under {basis}.",
    ),
    # changelog (generator/history.py)
    "history": ("更新记录", "Changelog"),
    "archive": ("被替换的文件", "Replaced files"),
    "archive_note": (
        "数据更新后，原文件在下列日期前仍可下载，便于核对和引用。",
        "After an update the previous files stay downloadable until the date shown, for "
        "checking and citing.",
    ),
    "archive_version": ("{date} 版", "version of {date}"),
    "archive_until": ("保留至 {date}", "kept until {date}"),
    "change_published": ("首次发布", "First published"),
    "change_open_type": ("开放类型：{old} → {new}", "Open type: {old} → {new}"),
    "change_metadata": ("{name}：{old} → {new}", "{name}: {old} → {new}"),
    "change_metadata_changed": ("{name}已修改", "{name} changed"),
    "change_resource-added": ("新增资源 {subject}", "Resource {subject} added"),
    "change_resource-removed": ("删除资源 {subject}", "Resource {subject} removed"),
    "change_field-added": ("新增字段 {subject}（{new}）", "Field {subject} added ({new})"),
    "change_field-removed": ("删除字段 {subject}", "Field {subject} removed"),
    "change_field-type": (
        "字段 {subject} 类型：{old} → {new}",
        "Field {subject} type: {old} → {new}",
    ),
    "change_field-title": (
        "字段 {subject} 中文名：{old} → {new}",
        "Field {subject} title: {old} → {new}",
    ),
    "change_rows": ("资源 {subject} 行数：{old} → {new}", "Resource {subject} rows: {old} → {new}"),
    "change_data": ("资源 {subject} 数据已更新", "Resource {subject}: data updated"),
    "change_key_title": ("名称", "Title"),
    "change_key_status": ("数据状态", "Status"),
    "credit_code": ("统一社会信用代码", "Unified social credit code"),
    "change_removed": ("从目录中移除", "Removed from the catalog"),
    "change_key_title_en": ("英文名称", "English title"),
    "change_key_description": ("摘要", "Description"),
    "change_key_licenses": ("许可协议", "Licence"),
    "change_key_share_type": ("共享类型", "Share type"),
    # the sharing catalog (kaifang build --audience share)
    "share_banner": (
        "政务数据共享目录，仅供政务网络内部使用，请勿对外公开",
        "Government data sharing catalog: for internal use on the government network only; "
        "do not make public",
    ),
    "share_conditions": ("共享条件", "Sharing conditions"),
    "share_apply_page_title": ("申请共享：{title}", "Request to share: {title}"),
    "share_apply_intro": (
        "本数据为有条件共享。需要使用的部门请说明履行职责的法律依据和用途，经数据提供部门审核同意后共享。",
        "This data is shared on conditions. A department that needs it states the legal basis "
        "of the duty it serves and the purpose; the providing department reviews the request.",
    ),
    "share_apply_item_department": (
        "申请部门及经办人",
        "The requesting department and its officer",
    ),
    "share_apply_item_duty": (
        "履行职责的法律依据：哪项法律法规规定了需要这些数据的职责",
        "Legal basis of the duty: which law or regulation sets the duty that needs the data",
    ),
    "share_apply_item_fields": ("所需字段、范围和使用期限", "The fields, scope and period needed"),
    "share_no_data_conditional": (
        "本数据为有条件共享：共享目录不提供数据文件，请按共享条件申请。",
        "Shared on conditions: the sharing catalog has no data file; request it under the "
        "conditions.",
    ),
    "share_no_data_none": (
        "本数据不予共享：仅列出目录信息和法律依据。",
        "Not shared: only its catalog entry and legal basis are listed.",
    ),
    "form_department": ("申请部门", "Requesting department"),
    # harvested datasets (kaifang harvest)
    "remote_resources": ("远程资源", "Remote resources"),
    "remote_resources_note": (
        "以下文件保存在来源门户，本站只提供链接，未下载或核验。",
        "These files stay on the source portal: this site links to them and has not "
        "downloaded or checked them.",
    ),
    "remote_link": ("链接", "Link"),
    "harvested_from": ("采集来源", "Harvested from"),
    "harvest_portal": ("来源门户", "Source portal"),
    "harvest_original": ("原始地址", "Original URL"),
    "harvest_identifier": ("原始标识", "Original identifier"),
    "form_duty_basis": ("履职法律依据", "Legal basis of the duty"),
    # Issue 18: showcases, subscriptions, tags, related datasets, requests, terms, evaluation.
    "tags": ("标签", "Tags"),
    "tags_intro": (
        "按标签浏览数据集，每个标签也可订阅。",
        "Browse datasets by tag; each tag has a feed.",
    ),
    "tag_title": ("标签：{tag}", "Tag: {tag}"),
    "tag_count": ("{n} 个数据集", "{n} datasets"),
    "showcases": ("应用成果", "Showcases"),
    "showcases_intro": (
        "社会各界利用本平台开放数据开发的应用、分析、可视化、新闻报道和论文。",
        "Apps, analyses, visualisations, news stories and papers made with this portal's data.",
    ),
    "showcases_none": ("暂无应用成果。", "No showcases yet."),
    "showcase_submit": ("提交应用成果", "Submit a showcase"),
    "showcase_submit_hint": (
        "用本平台数据做了应用或研究？欢迎提交，审核后在此展示。",
        "Built something with this data? Submit it; once reviewed it is shown here.",
    ),
    "showcase_kind_app": ("应用", "App"),
    "showcase_kind_analysis": ("分析报告", "Analysis"),
    "showcase_kind_visualisation": ("可视化", "Visualisation"),
    "showcase_kind_news": ("新闻报道", "News"),
    "showcase_kind_paper": ("论文", "Paper"),
    "showcase_kind": ("类型", "Kind"),
    "showcase_author": ("作者", "Author"),
    "showcase_date": ("发布日期", "Date"),
    "showcase_visit": ("访问成果", "Visit"),
    "showcase_uses": ("使用的数据集", "Datasets used"),
    "dataset_showcases": ("使用本数据的应用成果", "Showcases using this dataset"),
    "related": ("相关数据集", "Related datasets"),
    "related_theme": ("同一领域", "same theme"),
    "related_publisher": ("同一部门", "same publisher"),
    "related_keywords": ("共同标签：{tags}", "shared tags: {tags}"),
    "related_fields": ("可关联字段：{fields}", "joinable on: {fields}"),
    "subscribe": ("订阅更新", "Subscribe"),
    "subscribe_feed": ("本页的 Atom 订阅源", "This page's Atom feed"),
    "subscribe_email": ("通过电子邮件订阅", "Subscribe by e-mail"),
    "subscribe_how": (
        "把订阅源地址添加到任意 RSS/Atom 阅读器，数据集有新数据、新字段或状态变化时即可收到通知。",
        "Add the feed address to any RSS/Atom reader to be told when the dataset gets new "
        "data, new fields or a change of status.",
    ),
    "feed_title_dataset": ("{title}：更新记录", "{title}: updates"),
    "feed_subtitle_dataset": (
        "新数据、新字段与状态变化",
        "New data, new fields and status changes",
    ),
    "feed_title_theme": ("{site}：{theme}领域数据集更新", "{site}: {theme} dataset updates"),
    "feed_title_tag": ("{site}：标签“{tag}”数据集更新", "{site}: updates tagged {tag}"),
    "feed_entry_published": ("数据集发布", "Dataset published"),
    "requests": ("需求与答复", "Requests and replies"),
    "requests_intro": (
        "通过本平台渠道收到的数据需求、纠错、异议和投诉举报，以及各部门的答复。",
        "Data requests, corrections, objections and complaints received through this "
        "portal's channels, and the departments' replies.",
    ),
    "requests_subject": ("数据需求", "Data request"),
    "requests_attach": (
        "提交需求时可在表单中上传附件（如数据样例、说明文件）。",
        "The request form accepts attachments (sample data, a description).",
    ),
    "requests_figures": (
        "共 {n} 件，已答复 {replied} 件，答复率 {rate}，答复用时中位数 {days} 天。",
        "{n} received, {replied} replied ({rate}); median time to reply {days} days.",
    ),
    "requests_none": ("暂无记录。", "None yet."),
    "dataset_requests": ("关于本数据集的需求与答复", "Requests about this dataset"),
    "request_kind_request": ("数据需求", "Request"),
    "request_kind_correction": ("数据纠错", "Correction"),
    "request_kind_objection": ("异议", "Objection"),
    "request_kind_complaint": ("投诉举报", "Complaint"),
    "request_kind": ("类型", "Kind"),
    "request_title": ("事项", "Subject"),
    "request_received": ("收到日期", "Received"),
    "request_status": ("状态", "Status"),
    "request_replied": ("已答复（{days} 天）", "Replied ({days} days)"),
    "request_pending": ("办理中", "Pending"),
    "request_reply": ("答复", "Reply"),
    "request_department": ("答复部门", "Department"),
    "request_attachments": ("附件", "Attachments"),
    "terms": ("使用协议", "Terms of use"),
    "terms_default": (
        "使用本平台数据，应遵守相关法律法规，注明数据来源和获取日期，不得利用数据从事违法活动，"
        "不得试图识别个人身份。平台对数据的准确性尽力保证，但不承担因使用数据产生的后果。",
        "Using this portal's data, you follow the law, name the source and the date of "
        "access, do not use the data for unlawful purposes and do not try to identify "
        "individuals. The portal takes care that data is accurate but is not liable for "
        "the consequences of its use.",
    ),
    "terms_licenses": ("数据许可协议摘要", "Licences in plain words"),
    "terms_license_datasets": ("适用于 {n} 个数据集", "applies to {n} datasets"),
    "terms_link": ("使用协议与许可", "Terms of use and licences"),
    "offer": ("社会数据开放", "Offer your data"),
    "offer_intro": (
        "企业、社会组织和个人可以把自愿开放的数据提供给本平台，经审核后与政府数据一同发布。",
        "Businesses, organisations and individuals can offer data they open voluntarily; "
        "once reviewed it is published beside the government's data.",
    ),
    "offer_what_title": ("可以提供什么", "What may be offered"),
    "offer_what": (
        "你有权开放的数据（自有数据或已获授权）；不含个人信息、国家秘密、商业秘密；"
        "CSV 或 XLSX 文件，附字段说明、更新频率和许可协议。",
        "Data you have the right to open (your own, or licensed to you); no personal data, "
        "state secrets or trade secrets; CSV or XLSX files with field descriptions, update "
        "frequency and a licence.",
    ),
    "offer_review_title": ("如何审核", "How it is reviewed"),
    "offer_review": (
        "数据局在 15 个工作日内审核来源合法性、敏感信息和数据质量，并答复结果；"
        "通过后标明提供者发布。",
        "The data bureau checks the source's legality, sensitive content and quality within "
        "15 working days and replies; accepted data is published under the provider's name.",
    ),
    "offer_submit": ("提交数据", "Offer data"),
    "offer_subject": ("社会数据开放", "Offer of data"),
    "offer_contact": ("请通过平台联系方式与我们联系：", "Contact the portal: "),
    "evaluation": ("开放评价", "Evaluation"),
    "evaluation_intro": (
        "各部门的开放数量、质量、时效和响应，以及平台对照中国开放数林指数可自动核验的自评结果。",
        "Each department's quantity, quality, timeliness and response, and the portal's "
        "self-assessment against the items of the Open Data Forest index a build can verify.",
    ),
    "eval_departments": ("部门评价", "Departments"),
    "eval_checklist": ("平台自评", "Self-assessment"),
    "eval_passed_count": ("通过 {n} / {total} 项", "{n} of {total} items passed"),
    "eval_catalogued": ("编目数", "Catalogued"),
    "eval_listed": ("发布数", "Listed"),
    "eval_open_rate": ("开放率", "Open rate"),
    "eval_completeness": ("元数据完整度", "Metadata completeness"),
    "eval_errors": ("数据错误", "Data errors"),
    "eval_timeliness": ("按时更新率", "Updated on time"),
    "eval_requests": ("收到需求", "Requests"),
    "eval_reply_rate": ("答复率", "Reply rate"),
    "eval_median_days": ("答复天数中位数", "Median reply days"),
    "eval_layer": ("层面", "Layer"),
    "eval_item": ("指标", "Item"),
    "eval_result": ("结果", "Result"),
    "eval_failing": ("未通过的数据集", "Datasets failing"),
    "eval_layer_platform": ("平台层", "Platform"),
    "eval_layer_data": ("数据层", "Data"),
    "eval_pass": ("通过", "Passed"),
    "eval_fail": ("未通过", "Not passed"),
    "eval_item_relation": (
        "平台关系：每个数据集都有登记的提供部门",
        "Platform relations: every dataset has a registered publisher",
    ),
    "eval_item_preview": (
        "发现预览：开放数据均可在线预览",
        "Discovery and preview: every open dataset has a preview",
    ),
    "eval_item_access": (
        "数据获取：开放数据均有机器可读格式",
        "Access: every open dataset has a machine-readable format",
    ),
    "eval_item_showcase": (
        "成果提交展示：有应用成果和提交渠道",
        "Showcases: showcases and a submission channel",
    ),
    "eval_item_feedback": (
        "互动反馈：有纠错和需求渠道，且需求均已答复",
        "Interaction: feedback and request channels, every request replied",
    ),
    "eval_item_experience": (
        "用户体验：中英文界面和使用协议",
        "User experience: Chinese and English interface and terms of use",
    ),
    "eval_item_capacity": (
        "数据数量：开放数据集容量不过低",
        "Quantity: no open dataset of very low capacity",
    ),
    "eval_item_quality": ("数据质量：无数据错误", "Quality: no data errors"),
    "eval_item_license": (
        "数据规范：开放数据均有许可协议",
        "Standards: every open dataset has a licence",
    ),
    "eval_item_timeliness": ("数据时效：无更新逾期", "Timeliness: nothing overdue"),
    "eval_item_scope": (
        "开放范围：有条件开放和非开放数据可申请",
        "Scope: conditional and closed data can be applied for",
    ),
    "eval_note_showcase": ("{n} 项成果", "{n} showcases"),
    "eval_note_feedback": ("{n} 件未答复", "{n} unanswered"),
    "eval_note_capacity": ("行数 × 字段数 < {n}", "rows × fields < {n}"),
    "eval_note_scope": ("需要 site.yaml 的 apply 渠道", "needs the apply channel in site.yaml"),
    "eval_csv": ("下载 CSV", "Download CSV"),
    "stats_reply_rate": ("需求答复率", "requests replied"),
    "stats_reply_days": ("答复天数中位数", "median days to reply"),
    # Table explorer (issue 20): templates/dataset/explorer.html, static/explorer.js
    "ex_title": ("浏览全部数据", "Explore all rows"),
    "ex_intro": (
        "在浏览器中翻页、排序和筛选全部 {total} 行（按需读取 Parquet 文件的部分内容）。",
        "Page, sort and filter all {total} rows in your browser "
        "(it reads only the parts of the Parquet file it needs).",
    ),
    "ex_controls": ("筛选与显示的列", "Filters and columns"),
    "ex_text": ("全文筛选", "Filter by text"),
    "ex_text_hint": (
        "在显示的列中查找包含该文字的行",
        "rows whose shown columns contain this text",
    ),
    "ex_by_column": ("按列筛选", "Filter by column"),
    "ex_contains": ("{field}包含", "{field} contains"),
    "ex_min": ("{field}不小于", "{field} from"),
    "ex_max": ("{field}不大于", "{field} to"),
    "ex_columns": ("显示的列", "Columns shown"),
    "ex_apply": ("应用", "Apply"),
    "ex_clear": ("清除筛选", "Clear filters"),
    "ex_table": ("全部数据：{title}", "All rows: {title}"),
    "ex_pages": ("分页", "Pages"),
    "ex_first": ("首页", "First"),
    "ex_prev": ("上一页", "Previous"),
    "ex_next": ("下一页", "Next"),
    "ex_last": ("末页", "Last"),
    "ex_page_of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
    "ex_count": ("{n} 行符合条件，共 {total} 行", "{n} of {total} rows match"),
    "ex_showing": ("显示第 {from}–{to} 行", "showing rows {from}–{to}"),
    "ex_loading": ("正在读取数据…", "Reading data…"),
    "ex_failed": (
        "无法读取数据文件，请使用上方的下载链接。",
        "The data file could not be read; use the download links above.",
    ),
    "ex_sort_by": ("按{field}排序", "Sort by {field}"),
    "ex_csv": ("下载当前视图（CSV）", "Download this view (CSV)"),
}


def translate(key: str, lang: str, **values: object) -> str:
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text
