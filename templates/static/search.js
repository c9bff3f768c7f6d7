// Kaifang search page: Kaifang's own static index (search-core.js), no framework, no CDN.
// Reads ?q=, ?sort= and facet parameters from the URL and keeps them there (results can be
// shared, the back button works); facet checkboxes narrow the results: values of one
// facet are OR-ed, different facets AND-ed, with every sort.

import { SearchIndex, bestSentence, normalise } from "./search-core.js";

const config = JSON.parse(document.getElementById("search-config").textContent);
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const sortSelect = document.getElementById("search-sort");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const filterBox = document.getElementById("search-filters");
const PAGE_SIZE = 10;

const index = new SearchIndex(config.bundle);
let countsWanted = false; // facet counts load once a visitor reaches for the filters
let hits = [];
let query = null;
let shown = 0;
let generation = 0;
let typingTimer = null;
const selected = new Map(config.facets.map((f) => [f.key, new Set()]));

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, key) => (key in values ? values[key] : ""));
}

function readUrl() {
  const params = new URLSearchParams(window.location.search);
  input.value = params.get("q") || "";
  const sort = params.get("sort") || "";
  sortSelect.value = [...sortSelect.options].some((o) => o.value === sort) ? sort : "";
  for (const [key, set] of selected) {
    set.clear();
    for (const value of params.getAll(key)) set.add(value);
  }
}

function writeUrl(push) {
  const params = new URLSearchParams();
  const q = input.value.trim();
  if (q) params.set("q", q);
  if (sortSelect.value) params.set("sort", sortSelect.value);
  for (const [key, set] of selected) for (const value of set) params.append(key, value);
  const search = params.toString();
  const url = window.location.pathname + (search ? "?" + search : "");
  if (url === window.location.pathname + window.location.search) return;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

function chosenFilters() {
  const filters = {};
  for (const [key, set] of selected) if (set.size) filters[key] = set;
  return filters;
}

function element(tag, attrs = {}, text = "") {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  if (text) el.textContent = text;
  return el;
}

// Facet values come with the page; their counts need the facet columns of the index,
// so they are fetched only when the filters are used.
const facetOptions = new Map(); // facet key -> {fieldset, options: Map(value -> elements)}

function addOption(facet, entry, value) {
  const id = `f-${facet.key}-${entry.options.size}`;
  const box = element("input", { type: "checkbox", id, name: facet.key, value });
  const label = element("label", { for: id }, value + " ");
  const count = element("span", { class: "count" });
  count.hidden = true;
  label.append(count);
  const row = element("div", { class: "facet-option" });
  row.append(box, label);
  entry.fieldset.append(row);
  entry.options.set(value, { row, box, count });
}

// The checkboxes are built once and then updated in place, so new counts never replace
// the element that has the keyboard focus.
function renderFacets(countsByKey) {
  for (const facet of config.facets) {
    if (!facetOptions.has(facet.key)) {
      const fieldset = element("fieldset");
      fieldset.append(element("legend", {}, facet.title));
      const entry = { fieldset, options: new Map() };
      facetOptions.set(facet.key, entry);
      for (const value of facet.values) addOption(facet, entry, value);
      filterBox.append(fieldset);
    }
    const entry = facetOptions.get(facet.key);
    const counts = (countsByKey && countsByKey[facet.key]) || {};
    const chosen = selected.get(facet.key);
    let visible = 0;
    for (const [value, option] of entry.options) {
      const n = counts[value] || 0;
      option.box.checked = chosen.has(value);
      option.row.hidden = Boolean(countsByKey) && n === 0 && !chosen.has(value);
      option.count.hidden = !countsByKey;
      option.count.textContent = String(n);
      if (!option.row.hidden) visible += 1;
    }
    entry.fieldset.hidden = visible === 0;
  }
}

// Marks the query's words in a text node by node: the text is never parsed as HTML.
function marked(text, terms) {
  const out = element("p", { class: "excerpt" });
  const lower = normalise(text);
  const spans = [];
  for (const term of terms) {
    const needle = normalise(term).trim();
    if (!needle) continue;
    let at = lower.indexOf(needle);
    while (at >= 0) {
      spans.push([at, at + needle.length]);
      at = lower.indexOf(needle, at + needle.length);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  let pos = 0;
  for (const [start, end] of spans) {
    if (start < pos || lower.length !== text.length) continue; // NFKC changed lengths: no marks
    out.append(text.slice(pos, start), element("mark", {}, text.slice(start, end)));
    pos = end;
  }
  out.append(text.slice(pos));
  return out;
}

function resultItem(data) {
  const item = element("li", { class: "card" });
  const heading = element("h3");
  heading.append(element("a", { href: data.url }, data.title));
  const meta = element("p", { class: "meta" });
  meta.append(element("span", { class: `badge badge-${data.openType}` }, data.openLabel));
  for (const value of [data.publisher, data.theme]) if (value) meta.append(element("span", {}, value));
  for (const value of data.formats) meta.append(element("span", { class: "fmt" }, value));
  meta.append(element("span", { class: "date" }, fill(config.strings.modified, { date: data.modified })));
  const terms = query ? query.clauses.flat().map((t) => t.text) : [];
  item.append(heading, meta, marked(bestSentence(data.description, query || { clauses: [] }), terms));
  return item;
}

async function showMore(focusFirst) {
  const mine = generation;
  const slice = hits.slice(shown, shown + PAGE_SIZE);
  const items = await Promise.all(slice.map((h) => index.doc(h.doc)));
  if (mine !== generation) return;
  const nodes = items.map(resultItem);
  list.append(...nodes);
  shown += slice.length;
  more.hidden = shown >= hits.length;
  if (focusFirst && nodes.length) nodes[0].querySelector("a").focus();
}

async function run(push) {
  const mine = ++generation;
  const q = input.value.trim();
  writeUrl(push);
  const filters = chosenFilters();
  if (!q && !Object.keys(filters).length) {
    hits = [];
    query = null;
    shown = 0;
    list.replaceChildren();
    more.hidden = true;
    status.textContent = config.strings.prompt;
    await updateFacets(mine);
    return;
  }
  performance.mark("kaifang:search-start");
  status.textContent = config.strings.loading;
  let found;
  try {
    found = await index.search(q, filters, sortSelect.value);
  } catch (error) {
    if (mine === generation) status.textContent = config.strings.error;
    console.error(error);
    return;
  }
  if (mine !== generation) return;
  hits = found.hits;
  query = found.query;
  shown = 0;
  list.replaceChildren();
  const n = hits.length;
  if (n === 0) status.textContent = fill(config.strings.none, { q });
  else if (found.partial) status.textContent = fill(config.strings.partial, { q, n });
  else status.textContent = fill(q ? config.strings.count : config.strings.count_filtered, { q, n });
  await showMore(false);
  if (mine !== generation) return;
  // User Timing entry: query started to first results on screen (read by the benchmark).
  performance.measure("kaifang:search", "kaifang:search-start");
  await updateFacets(mine);
}

async function updateFacets(mine) {
  if (!countsWanted) {
    renderFacets(null);
    return;
  }
  const q = input.value.trim();
  let all;
  if (q) {
    all = (await index.search(q, {}, "")).hits;
  } else {
    const meta = await index.load();
    all = Array.from({ length: meta.docs }, (_, doc) => ({ doc }));
  }
  // each facet counts as if its own choice were not made (OR within a facet)
  const counts = await index.counts(all, chosenFilters());
  if (mine === generation) renderFacets(counts);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  window.clearTimeout(typingTimer);
  run(true);
});
input.addEventListener("input", () => {
  window.clearTimeout(typingTimer);
  index.preload(input.value.trim()).catch(() => {});
  typingTimer = window.setTimeout(() => run(false), 350);
});
input.addEventListener("focus", () => index.load().catch(() => {}), { once: true });
sortSelect.addEventListener("change", () => run(true));
filterBox.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement)) return;
  const set = selected.get(box.name);
  if (box.checked) set.add(box.value);
  else set.delete(box.value);
  run(true);
});
more.addEventListener("click", () => showMore(true));

function wantCounts() {
  if (countsWanted) return;
  countsWanted = true;
  updateFacets(generation).catch(() => {});
}
const filterPanel = document.getElementById("search-filters-box");
for (const type of ["pointerenter", "focusin", "touchstart"]) {
  filterPanel.addEventListener(type, wantCounts, { once: true, passive: true });
}
filterPanel.addEventListener("toggle", () => {
  if (filterPanel.open) wantCounts();
});
window.addEventListener("popstate", () => {
  readUrl();
  run(false);
});

// On a phone the filters start folded so the results come first.
if (window.matchMedia("(max-width: 48rem)").matches) {
  document.getElementById("search-filters-box").open = false;
}
readUrl();
run(false);
