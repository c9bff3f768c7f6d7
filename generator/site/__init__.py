"""Stage 5, the site: the HTML pages, once per interface language.

Takes the catalog, what the data stage published, the reports, the quality facts and the
history; gives every page: dataset pages (in worker processes, through a handle the build
joins), list and facet pages (facets), statistics (stats, charts), application pages
(feedback), the API's documentation page (apidocs), and the static assets. Templates get
typed views (views) whose properties ask policy what may be shown."""
