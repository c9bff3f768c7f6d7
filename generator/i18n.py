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
    "update_frequency": ("更新频率", "Update frequency"),
    "issued": ("发布日期", "Issued"),
    "modified": ("更新日期", "Modified"),
    "license": ("许可协议", "Licence"),
    "spatial": ("区域", "Spatial coverage"),
    "temporal": ("时间范围", "Temporal coverage"),
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
    "results": ("条结果", "results"),
}


def translate(key: str, lang: str, **values: object) -> str:
    zh, en = STRINGS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text
