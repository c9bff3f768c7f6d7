"""Stage 3, the data: what each dataset publishes.

Takes the checked catalog and the output tree; gives a
:class:`~generator.data.derive.PublishedDataset` per dataset (downloads written: CSV, Excel
CSV, XLSX, JSON, zip; preview rows, field statistics and chart data), the quality facts of
each (quality, validation.json) and one :class:`~generator.data.records.DatasetRecord` per
listed dataset, which pages and feeds share. Rows are read by one reader (reader), through
the desensitise rules for derivatives (desensitise); large files column-wise (fastderive).
Only what policy lets out of a dataset is derived."""
