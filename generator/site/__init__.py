"""Stage 5, the site: the HTML pages, once per interface language.

Takes the catalog, what the data stage published, the reports, the quality facts and the
history; gives every page: dataset pages (in worker processes, through a handle the build
joins), list and facet pages (facets), statistics (stats, charts), application pages
(feedback), the API's documentation page (apidocs), and the static assets. Templates get
typed views (views) whose properties ask policy what may be shown."""

# The search documents: one small page per dataset page with only what is indexed, written
# under this folder of the staging tree and removed once the search stage has indexed them
# (the same paths below it, so the result URLs are the dataset pages' URLs). Here, not in
# render.py, so that the indexer process starts without importing the whole site stage
# (that import was 1.3 s of its 3 s on 200 datasets).
SEARCH_DOCS = "_search/"
