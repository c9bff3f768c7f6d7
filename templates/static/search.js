// Kaifang search page: Pagefind's JavaScript API with a small interface of our own.
// Reads ?q= and facet parameters from the URL, keeps them there (so results can be
// shared and the back button works), and narrows results with facet checkboxes:
// values of one facet are OR-ed, different facets AND-ed. No framework, no CDN.

const config = JSON.parse(document.getElementById("search-config").textContent);
const form = document.getElementById("search-form");
const input = document.getElementById("search-q");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const more = document.getElementById("search-more");
const filterBox = document.getElementById("search-filters");
const PAGE_SIZE = 10;

let pagefind = null;
let pagefindLoading = null;
let filtersReady = null;
let countsWanted = false; // facet counts load once a visitor reaches for the filters
let results = [];
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
  for (const [key, set] of selected) {
    set.clear();
    for (const value of params.getAll(key)) set.add(value);
  }
}

function writeUrl(push) {
  const params = new URLSearchParams();
  const q = input.value.trim();
  if (q) params.set("q", q);
  for (const [key, set] of selected) for (const value of set) params.append(key, value);
  const query = params.toString();
  const url = window.location.pathname + (query ? "?" + query : "");
  if (url === window.location.pathname + window.location.search) return;
  if (push) window.history.pushState(null, "", url);
  else window.history.replaceState(null, "", url);
}

function filtersExcept(skipKey) {
  const filters = {};
  for (const [key, set] of selected) {
    if (key !== skipKey && set.size) filters[key] = { any: [...set] };
  }
  return filters;
}

function loadPagefind() {
  if (!pagefindLoading) {
    pagefindLoading = (async () => {
      const pf = await import(config.bundle + "pagefind.js");
      // On the main thread: a search touches a few small chunks, and a worker would cost
      // another script download and start-up before the first answer.
      await pf.options({ baseUrl: config.baseUrl, excerptLength: 40, noWorker: true });
      await pf.init();
      pagefind = pf;
      return pf;
    })();
    pagefindLoading.catch(() => {
      pagefindLoading = null;
    });
  }
  return pagefindLoading;
}

function element(tag, attrs = {}, text = "") {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, value);
  if (text) el.textContent = text;
  return el;
}

// Facet values come with the page; their counts need Pagefind's filter files (about
// 20 KB each on 10,000 datasets), so they are fetched only when the filters are used.
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
    for (const value of Object.keys(counts)) {
      if (!entry.options.has(value)) addOption(facet, entry, value);
    }
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

function resultItem(data) {
  const item = element("li", { class: "card" });
  const heading = element("h3");
  heading.append(element("a", { href: data.url }, data.meta.title || data.url));
  const meta = element("p", { class: "meta" });
  const openType = (data.filters.open_type || [])[0];
  if (openType) {
    const kind = data.meta.open_type_id || "open";
    meta.append(element("span", { class: `badge badge-${kind}` }, openType));
  }
  for (const key of ["publisher", "theme"]) {
    for (const value of data.filters[key] || []) meta.append(element("span", {}, value));
  }
  for (const value of data.filters.format || []) {
    meta.append(element("span", { class: "fmt" }, value));
  }
  const excerpt = element("p", { class: "excerpt" });
  excerpt.innerHTML = data.excerpt; // Pagefind escapes the text; only <mark> is markup
  item.append(heading, meta, excerpt);
  return item;
}

async function showMore(focusFirst) {
  const mine = generation;
  const slice = results.slice(shown, shown + PAGE_SIZE);
  const items = await Promise.all(slice.map((r) => r.data()));
  if (mine !== generation) return;
  const nodes = items.map(resultItem);
  list.append(...nodes);
  shown += slice.length;
  more.hidden = shown >= results.length;
  if (focusFirst && nodes.length) nodes[0].querySelector("a").focus();
}

// Pagefind splits a Chinese query without spaces into single characters, so "公交"
// also matches every page with 交 (交通): among the first results, pages holding the
// query as written come first (in the title before elsewhere), otherwise in Pagefind's
// order. Their fragments are the ones the first page of results loads anyway.
const PHRASE_WINDOW = 2 * PAGE_SIZE;

function squeeze(text) {
  return text.replace(/[\s\u200b]+/g, "").toLowerCase();
}

async function phraseFirst(found, q) {
  const phrase = squeeze(q || "");
  if (phrase.length < 2 || found.length < 2) return found;
  const head = found.slice(0, PHRASE_WINDOW);
  const data = await Promise.all(head.map((r) => r.data()));
  const rank = (d) => {
    if (squeeze(d.meta.title || "").includes(phrase)) return 2;
    return squeeze(d.content || "").includes(phrase) ? 1 : 0;
  };
  const ranked = head
    .map((r, i) => ({ r: { ...r, data: async () => data[i] }, key: rank(data[i]), i }))
    .sort((a, b) => b.key - a.key || a.i - b.i)
    .map((x) => x.r);
  return ranked.concat(found.slice(PHRASE_WINDOW));
}

async function run(push) {
  const mine = ++generation;
  const q = input.value.trim();
  writeUrl(push);
  const filters = filtersExcept(null);
  if (!q && !Object.keys(filters).length) {
    // Nothing to search: Pagefind is not loaded until there is (or the filters are used).
    results = [];
    shown = 0;
    list.replaceChildren();
    more.hidden = true;
    status.textContent = config.strings.prompt;
    renderFacets(null);
    if (countsWanted) await updateFacets(await loadPagefind(), q, mine);
    return;
  }
  performance.mark("kaifang:search-start");
  status.textContent = config.strings.loading;
  let pf;
  try {
    pf = await loadPagefind();
  } catch (error) {
    status.textContent = config.strings.error;
    console.error(error);
    return;
  }
  const search = await pf.search(q || null, { filters });
  if (mine !== generation) return;
  results = await phraseFirst(search.results, q);
  if (mine !== generation) return;
  shown = 0;
  list.replaceChildren();
  const n = results.length;
  if (n === 0) {
    status.textContent = fill(config.strings.none, { q });
  } else {
    status.textContent = fill(q ? config.strings.count : config.strings.count_filtered, { q, n });
  }
  await showMore(false);
  if (mine !== generation) return;
  // User Timing entry: query started to first results on screen (read by the benchmark).
  performance.measure("kaifang:search", "kaifang:search-start");
  await updateFacets(pf, q, mine);
}

async function updateFacets(pf, q, mine) {
  if (!countsWanted) {
    renderFacets(null);
    return;
  }
  filtersReady ||= pf.filters(); // searches report filter counts once these are loaded
  const totals = await filtersReady;
  const filters = filtersExcept(null);
  if (!q && !Object.keys(filters).length) {
    if (mine === generation) renderFacets(totals);
    return;
  }
  const search = await pf.search(q || null, { filters });
  // A facet with a choice shows counts as if its own choice were not made, so its
  // other values say how many results choosing them too would add (OR within a facet).
  const counts = { ...search.filters };
  for (const [key, set] of selected) {
    if (!set.size) continue;
    const without = await pf.search(q || null, { filters: filtersExcept(key) });
    counts[key] = without.filters[key] || {};
  }
  if (mine === generation) renderFacets(counts);
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  window.clearTimeout(typingTimer);
  run(true);
});
input.addEventListener("input", () => {
  window.clearTimeout(typingTimer);
  if (pagefind) pagefind.preload(input.value.trim());
  typingTimer = window.setTimeout(() => run(false), 350);
});
input.addEventListener("focus", () => loadPagefind().catch(() => {}), { once: true });
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
  loadPagefind()
    .then((pf) => updateFacets(pf, input.value.trim(), generation))
    .catch(() => {});
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
