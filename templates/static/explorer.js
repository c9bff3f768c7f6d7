// Table explorer (issue 20): every row of an open resource, read in the browser from its
// Parquet file with HTTP range requests. The page's markup (templates/dataset/explorer.html)
// carries the controls and the interface text; this script fills the table and keeps the
// view (page, sort, filters, columns) in the URL's hash so it can be shared.
import { cachedAsyncBuffer, parquetMetadataAsync, parquetRead } from "./vendor/hyparquet/src/index.js";
import { decompress } from "./vendor/fzstd/esm/index.mjs";

export const PAGE_ROWS = 100;
const FOOTER_GUESS = 1 << 15; // most footers fit; hyparquet fetches the rest when not
const COMPRESSORS = { ZSTD: (input) => decompress(input) };
const TOP_ROWS = 5000; // pages up to here of a sorted view come from a heap, not a full sort
const WHOLE_FILE_BELOW = 1 << 17; // smaller files are fetched in one request
const INITIAL_HASH = location.hash; // read before any explorer on the page rewrites it

// A CSV cell that Excel or WPS would run as a formula gets a leading ' (the rule of the
// published Excel CSV, generator/data/downloads.py excel_safe); plain numbers stay numbers.
const FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20"];
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

export function excelSafe(cell) {
  if (FORMULA_STARTS.some((s) => cell.startsWith(s)) && !PLAIN_NUMBER.test(cell)) return "'" + cell;
  return cell;
}

function csvField(text) {
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** One line of CSV for Excel (CRLF, formula-like cells neutralised); the file starts with a BOM. */
function csvLine(cells) {
  return cells.map((c) => csvField(excelSafe(c))).join(",") + "\r\n";
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, k) => (k in values ? String(values[k]) : ""));
}

/** An AsyncBuffer over HTTP: Range requests, or the whole file once if the server ignores them. */
function rangeFile(url, byteLength) {
  let whole = null;
  return {
    byteLength,
    async slice(start, end) {
      if (whole) return (await whole).slice(start, end);
      const last = (end === undefined ? byteLength : end) - 1;
      const res = await fetch(url, { headers: { Range: `bytes=${start}-${last}` } });
      if (res.status === 200) {
        whole = whole || res.arrayBuffer();
        return (await whole).slice(start, end);
      }
      if (res.status !== 206) throw new Error(`HTTP ${res.status} ${url}`);
      return res.arrayBuffer();
    },
  };
}

function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

/** What kind of values a Parquet column holds, from its schema element. */
function columnKind(element) {
  const logical = element.logical_type && element.logical_type.type;
  const converted = element.converted_type;
  if (logical === "DATE" || converted === "DATE") return "date";
  if (logical === "TIMESTAMP" || (converted && converted.startsWith("TIMESTAMP"))) return "datetime";
  if (element.type === "BOOLEAN") return "boolean";
  if (["INT32", "INT64", "FLOAT", "DOUBLE"].includes(element.type)) return "number";
  return "text";
}

class Explorer {
  constructor(section) {
    this.section = section;
    this.resource = section.dataset.resource;
    this.fields = JSON.parse(section.dataset.fields);
    this.titles = JSON.parse(section.dataset.titles);
    this.strings = JSON.parse(section.dataset.strings);
    this.form = section.querySelector("form");
    this.status = section.querySelector(".explorer-status");
    this.head = section.querySelector("thead tr");
    this.body = section.querySelector("tbody");
    this.pageLabel = section.querySelector(".explorer-page");
    this.columns = new Map(); // name -> every value of the column, once read
    this.generation = 0;
    this.state = { page: 0, sort: "", desc: false, q: "", filters: {}, cols: this.fields.slice() };
    this.view = null; // row numbers of the current view, or null for all rows in file order
    this.order = null; // how the view is to be sorted, and whether it is yet (see ordered)
  }

  async start() {
    const src = new URL(this.section.dataset.src, document.baseURI).href;
    const file = rangeFile(src, Number(this.section.dataset.size));
    this.file = cachedAsyncBuffer(file, { minSize: WHOLE_FILE_BELOW });
    this.section.hidden = false;
    this.say(this.strings.loading);
    this.metadata = await parquetMetadataAsync(this.file, { initialFetchSize: FOOTER_GUESS });
    this.rows = Number(this.metadata.num_rows);
    this.kinds = {};
    for (const element of this.metadata.schema.slice(1)) this.kinds[element.name] = columnKind(element);
    this.groups = [];
    let start = 0;
    for (const group of this.metadata.row_groups) {
      const n = Number(group.num_rows);
      this.groups.push([start, start + n]);
      start += n;
    }
    this.restore();
    this.bind();
    await this.refresh(null, false);
  }

  say(text) {
    this.status.textContent = text;
  }

  title(name) {
    const i = this.fields.indexOf(name);
    return (i >= 0 && this.titles[i]) || name;
  }

  // ---- the view in the URL -------------------------------------------------------------

  toParams() {
    const s = this.state;
    const p = new URLSearchParams();
    p.set("ex", this.resource);
    if (s.page) p.set("p", String(s.page + 1));
    if (s.sort) p.set("s", (s.desc ? "-" : "") + s.sort);
    if (s.q) p.set("q", s.q);
    for (const [key, value] of Object.entries(s.filters)) p.set(key, value);
    if (s.cols.length !== this.fields.length) p.set("c", s.cols.join(","));
    return p;
  }

  writeHash() {
    const p = this.toParams();
    const url = location.pathname + location.search + (Array.from(p.keys()).length > 1 ? "#" + p : "");
    history.replaceState(null, "", url);
  }

  restore() {
    const p = new URLSearchParams(INITIAL_HASH.slice(1));
    if (p.get("ex") !== this.resource) return;
    const s = this.state;
    s.page = Math.max(0, (parseInt(p.get("p"), 10) || 1) - 1);
    const sort = p.get("s") || "";
    s.desc = sort.startsWith("-");
    s.sort = this.fields.includes(sort.replace(/^-/, "")) ? sort.replace(/^-/, "") : "";
    s.q = p.get("q") || "";
    s.filters = {};
    for (const [key, value] of p) {
      if (/^(f|min|max)\./.test(key) && this.fields.includes(key.replace(/^\w+\./, "")) && value) s.filters[key] = value;
    }
    if (p.has("c")) s.cols = this.fields.filter((f) => p.get("c").split(",").includes(f));
    if (!s.cols.length) s.cols = this.fields.slice();
    // the form shows the restored view
    this.form.elements.q.value = s.q;
    for (const el of this.form.elements) {
      if (el.name && /^(f|min|max)\./.test(el.name)) el.value = s.filters[el.name] || "";
      if (el.name === "c") el.checked = s.cols.includes(el.value);
    }
    if (s.q || Object.keys(s.filters).length || s.cols.length !== this.fields.length) {
      this.section.querySelector("details").open = true;
    }
    this.section.scrollIntoView();
  }

  readForm() {
    const s = this.state;
    s.q = this.form.elements.q.value.trim();
    s.filters = {};
    const cols = [];
    for (const el of this.form.elements) {
      if (el.name && /^(f|min|max)\./.test(el.name) && el.value.trim()) s.filters[el.name] = el.value.trim();
      if (el.name === "c" && el.checked) cols.push(el.value);
    }
    s.cols = cols.length ? cols : this.fields.slice();
  }

  bind() {
    this.form.addEventListener("submit", (e) => {
      e.preventDefault();
      this.readForm();
      this.state.page = 0;
      this.refresh();
    });
    this.form.addEventListener("reset", () => {
      setTimeout(() => {
        this.readForm();
        this.state.page = 0;
        this.refresh();
      });
    });
    this.form.addEventListener("change", (e) => {
      if (e.target.name === "c") {
        this.readForm();
        this.refresh();
      }
    });
    this.section.querySelector(".explorer-pages").addEventListener("click", (e) => {
      const go = e.target.closest("button") && e.target.closest("button").dataset.go;
      if (!go) return;
      const last = Math.max(0, Math.ceil(this.count / PAGE_ROWS) - 1);
      const page = { first: 0, prev: this.state.page - 1, next: this.state.page + 1, last }[go];
      this.state.page = Math.min(Math.max(page, 0), last);
      this.refresh();
    });
    this.head.addEventListener("click", (e) => {
      const button = e.target.closest("button[data-sort]");
      if (!button) return;
      const name = button.dataset.sort;
      this.state.desc = this.state.sort === name ? !this.state.desc : false;
      this.state.sort = name;
      this.state.page = 0;
      this.refresh(name);
    });
    this.section.querySelector(".explorer-csv").addEventListener("click", () => this.downloadCsv());
  }

  // ---- reading ---------------------------------------------------------------------------

  /** Every value of one column (only that column's bytes are fetched), kept for reuse. */
  async column(name) {
    if (!this.columns.has(name)) {
      const values = new Array(this.rows);
      const reading = parquetRead({
        file: this.file,
        metadata: this.metadata,
        columns: [name],
        compressors: COMPRESSORS,
        onChunk: ({ columnData, rowStart }) => {
          for (let i = 0; i < columnData.length; i++) values[rowStart + i] = columnData[i];
        },
      }).then(() => values);
      this.columns.set(name, reading);
    }
    return this.columns.get(name);
  }

  /** Rows [start, end) of some columns, as arrays in the order of `names`. */
  async range(names, start, end) {
    let rows = [];
    await parquetRead({
      file: this.file,
      metadata: this.metadata,
      columns: names,
      rowStart: start,
      rowEnd: end,
      compressors: COMPRESSORS,
      useOffsetIndex: true, // only the pages holding these rows (the build writes a page index)
      onComplete: (data) => {
        rows = data;
      },
    });
    return rows;
  }

  /** The cells of the given row numbers: columns read whole are used, the rest fetched per row group. */
  async cells(numbers, names) {
    const out = numbers.map(() => new Array(names.length));
    const whole = names.filter((n) => this.columns.has(n));
    for (const name of whole) {
      const values = await this.columns.get(name);
      const j = names.indexOf(name);
      numbers.forEach((r, i) => (out[i][j] = values[r]));
    }
    const rest = names.filter((n) => !this.columns.has(n));
    if (!rest.length) return out;
    const where = rest.map((n) => names.indexOf(n));
    // every row group holding rows of this page, fetched at once rather than one after another
    // (reading runs of nearby rows instead decoded no less: a 64 KiB page holds thousands)
    const reads = this.groups.map(async ([gStart, gEnd]) => {
      const inGroup = [];
      numbers.forEach((r, i) => r >= gStart && r < gEnd && inGroup.push(i));
      if (!inGroup.length) return;
      const lo = Math.min(...inGroup.map((i) => numbers[i]));
      const hi = Math.max(...inGroup.map((i) => numbers[i])) + 1;
      const rows = await this.range(rest, lo, hi);
      for (const i of inGroup) {
        const row = rows[numbers[i] - lo];
        where.forEach((j, k) => (out[i][j] = row[k]));
      }
    });
    await Promise.all(reads);
    return out;
  }

  // ---- values ------------------------------------------------------------------------------

  show(name, v) {
    if (v === null || v === undefined) return "";
    if (v instanceof Date) {
      if (this.kinds[name] === "date") return isoDate(v);
      return v.toISOString().replace(/\.000Z$|Z$/, "");
    }
    return String(v);
  }

  /** A value as sortable and comparable: a number, or text. */
  key(name, v) {
    if (v === null || v === undefined) return null;
    if (v instanceof Date) return this.show(name, v);
    if (typeof v === "bigint") return Number(v);
    if (typeof v === "boolean") return String(v);
    return v;
  }

  // ---- the view ------------------------------------------------------------------------------

  async computeView() {
    const s = this.state;
    const filters = Object.entries(s.filters);
    if (!filters.length && !s.q && !s.sort) return [null, null];
    const needed = new Set(filters.map(([k]) => k.replace(/^\w+\./, "")));
    if (s.q) s.cols.forEach((c) => needed.add(c));
    if (s.sort) needed.add(s.sort);
    const values = {};
    await Promise.all([...needed].map(async (n) => (values[n] = await this.column(n))));
    const tests = filters.map(([k, raw]) => this.test(k, raw, values[k.replace(/^\w+\./, "")]));
    if (s.q) {
      const q = s.q.toLowerCase();
      const cols = s.cols.map((c) => [c, values[c]]);
      tests.push((r) => cols.some(([c, vals]) => this.show(c, vals[r]).toLowerCase().includes(q)));
    }
    let view;
    if (tests.length) {
      const hits = [];
      for (let r = 0; r < this.rows; r++) if (tests.every((t) => t(r))) hits.push(r);
      view = Uint32Array.from(hits);
    } else {
      view = new Uint32Array(this.rows);
      for (let r = 0; r < this.rows; r++) view[r] = r;
    }
    // sorted when asked: the first pages only need the best rows (see ordered)
    return [view, s.sort ? { name: s.sort, desc: s.desc, vals: values[s.sort], done: false } : null];
  }

  /** The view's row numbers in order, at least its first `end`. A page near the top of a
   * sorted view takes the best `end` rows in one pass (a heap), without sorting them all. */
  ordered(end) {
    const o = this.order;
    if (!o || o.done) return this.view;
    if (end <= TOP_ROWS && end < this.view.length / 4) return this.best(end);
    this.sortView(this.view, o.vals, o.name, o.desc);
    o.done = true;
    return this.view;
  }

  /** Sort order of two rows, as sortView has it: empty last, then value, then file order. */
  comparator() {
    const { name, desc, vals } = this.order;
    const sign = desc ? -1 : 1;
    const numeric = this.kinds[name] === "number";
    const keyOf = (r) => {
      const v = vals[r];
      if (v === null || v === undefined) return null;
      if (!numeric) return this.key(name, v);
      const n = Number(v);
      return n === n ? n : null;
    };
    return (a, b) => {
      const x = keyOf(a);
      const y = keyOf(b);
      if (x === null || y === null) return x === y ? a - b : x === null ? 1 : -1;
      return x < y ? -sign : x > y ? sign : a - b;
    };
  }

  best(k) {
    const cmp = this.comparator();
    const heap = []; // the worst of the best k on top
    const down = (i) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let w = i;
        if (l < heap.length && cmp(heap[l], heap[w]) > 0) w = l;
        if (r < heap.length && cmp(heap[r], heap[w]) > 0) w = r;
        if (w === i) return;
        [heap[i], heap[w]] = [heap[w], heap[i]];
        i = w;
      }
    };
    for (const row of this.view) {
      if (heap.length < k) {
        heap.push(row);
        for (let i = heap.length - 1; i > 0; ) {
          const parent = (i - 1) >> 1;
          if (cmp(heap[i], heap[parent]) <= 0) break;
          [heap[i], heap[parent]] = [heap[parent], heap[i]];
          i = parent;
        }
      } else if (cmp(row, heap[0]) < 0) {
        heap[0] = row;
        down(0);
      }
    }
    return Uint32Array.from(heap.sort(cmp));
  }

  test(key, raw, vals) {
    const name = key.replace(/^\w+\./, "");
    if (key.startsWith("f.")) {
      const needle = raw.toLowerCase();
      return (r) => this.show(name, vals[r]).toLowerCase().includes(needle);
    }
    const numeric = this.kinds[name] === "number";
    const bound = numeric ? Number(raw) : raw;
    if (numeric && Number.isNaN(bound)) return () => false;
    const low = key.startsWith("min.");
    return (r) => {
      let k = this.key(name, vals[r]);
      if (k === null) return false;
      if (numeric && typeof k !== "number") k = Number(k);
      if (!numeric && typeof k === "string" && !low) k = k.slice(0, bound.length); // a day includes its times
      return low ? k >= bound : k <= bound;
    };
  }

  /** Sorts the view (row numbers in ascending order) in place: empty cells last, ties in
   * file order. Each row gets the rank of its value among the distinct values, then a
   * counting sort places the rows: linear in the rows, where a comparator over a million
   * strings took 2.4 s and over numbers 1 s. */
  sortView(view, vals, name, desc) {
    const { ranks, distinct } = this.kinds[name] === "number" ? this.numberRanks(view, vals) : this.textRanks(view, vals, name);
    const bucket = (r) => (ranks[r] < 0 ? distinct : desc ? distinct - 1 - ranks[r] : ranks[r]);
    const starts = new Int32Array(distinct + 2);
    for (const r of view) starts[bucket(r) + 1]++;
    for (let i = 1; i < starts.length; i++) starts[i] += starts[i - 1];
    const sorted = new Uint32Array(view.length);
    for (const r of view) sorted[starts[bucket(r)]++] = r;
    view.set(sorted);
  }

  /** Ranks of numbers: the distinct values sorted natively, each row's found by bisection. */
  numberRanks(view, vals) {
    const present = new Float64Array(view.length);
    let m = 0;
    for (const r of view) {
      const v = vals[r] === null || vals[r] === undefined ? NaN : Number(vals[r]);
      if (v === v) present[m++] = v;
    }
    const ordered = present.subarray(0, m).sort();
    let d = 0;
    for (let i = 0; i < m; i++) if (i === 0 || ordered[i] !== ordered[d - 1]) ordered[d++] = ordered[i];
    const ranks = new Int32Array(this.rows);
    for (const r of view) {
      const v = vals[r] === null || vals[r] === undefined ? NaN : Number(vals[r]);
      if (v !== v) {
        ranks[r] = -1;
        continue;
      }
      let lo = 0;
      let hi = d - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ordered[mid] < v) lo = mid + 1;
        else hi = mid;
      }
      ranks[r] = lo;
    }
    return { ranks, distinct: d };
  }

  /** Ranks of anything else (text, dates as ISO text): by code point. */
  textRanks(view, vals, name) {
    const ranks = new Int32Array(this.rows);
    const index = new Map();
    const values = [];
    for (const r of view) {
      const k = this.key(name, vals[r]);
      if (k === null) {
        ranks[r] = -1;
        continue;
      }
      let id = index.get(k);
      if (id === undefined) {
        id = values.length;
        index.set(k, id);
        values.push(k);
      }
      ranks[r] = id;
    }
    const order = values.map((_, i) => i).sort((a, b) => (values[a] < values[b] ? -1 : values[a] > values[b] ? 1 : 0));
    const position = new Int32Array(values.length);
    order.forEach((id, i) => (position[id] = i));
    for (const r of view) if (ranks[r] >= 0) ranks[r] = position[ranks[r]];
    return { ranks, distinct: values.length };
  }

  get count() {
    return this.view ? this.view.length : this.rows;
  }

  async refresh(focusSort, asked = true) {
    const generation = ++this.generation;
    const began = asked ? performance.now() : 0; // the first view counts from navigation start
    this.section.setAttribute("aria-busy", "true");
    this.say(this.strings.loading);
    try {
      const [view, order] = await this.computeView();
      if (generation !== this.generation) return;
      this.view = view;
      this.order = order;
      const s = this.state;
      const pages = Math.max(1, Math.ceil(this.count / PAGE_ROWS));
      s.page = Math.min(s.page, pages - 1);
      const start = s.page * PAGE_ROWS;
      const end = Math.min(start + PAGE_ROWS, this.count);
      let rows;
      if (view) rows = await this.cells(Array.from(this.ordered(end).subarray(start, end)), s.cols);
      else rows = await this.range(s.cols, start, end);
      if (generation !== this.generation) return;
      this.render(rows, start, end, pages, focusSort);
      // for bench/explorer_bench.py: how long this view took to reach the screen
      performance.measure(`kaifang:explorer:${this.resource}`, { start: began, end: performance.now() });
      if (asked) this.writeHash(); // a page that was only opened keeps its URL
    } catch (err) {
      if (generation !== this.generation) return;
      this.say(this.strings.failed);
      console.warn("explorer:", err);
    } finally {
      if (generation === this.generation) this.section.removeAttribute("aria-busy");
    }
  }

  render(rows, start, end, pages, focusSort) {
    const s = this.state;
    this.head.replaceChildren(
      ...s.cols.map((name) => {
        const th = document.createElement("th");
        th.scope = "col";
        if (s.sort === name) th.setAttribute("aria-sort", s.desc ? "descending" : "ascending");
        const button = document.createElement("button");
        button.type = "button";
        button.className = "sort";
        button.dataset.sort = name;
        button.title = fill(this.strings.sort, { field: this.title(name) }); // the name stays the visible title
        button.textContent = this.title(name);
        const mark = document.createElement("span");
        mark.setAttribute("aria-hidden", "true");
        mark.textContent = s.sort === name ? (s.desc ? " ▼" : " ▲") : " ↕";
        button.append(mark);
        th.append(button);
        return th;
      }),
    );
    this.body.replaceChildren(
      ...rows.map((row) => {
        const tr = document.createElement("tr");
        row.forEach((v, j) => {
          const td = document.createElement("td");
          const text = this.show(s.cols[j], v);
          if (text === "") {
            td.className = "empty";
            td.setAttribute("aria-label", this.strings.empty);
          } else td.textContent = text;
          if (this.kinds[s.cols[j]] === "number") td.classList.add("num");
          tr.append(td);
        });
        return tr;
      }),
    );
    const total = this.rows.toLocaleString();
    let text = fill(this.strings.count, { n: this.count.toLocaleString(), total });
    if (this.count) text += " · " + fill(this.strings.showing, { from: start + 1, to: end });
    this.say(text);
    this.pageLabel.textContent = fill(this.strings.page, { page: s.page + 1, pages });
    for (const button of this.section.querySelectorAll(".explorer-pages button")) {
      const go = button.dataset.go;
      button.disabled = go === "first" || go === "prev" ? s.page === 0 : s.page >= pages - 1;
    }
    if (focusSort) {
      const button = this.head.querySelector(`button[data-sort="${CSS.escape(focusSort)}"]`);
      if (button) button.focus();
    }
  }

  async downloadCsv() {
    const s = this.state;
    const cols = await Promise.all(s.cols.map((c) => this.column(c)));
    // built in parts of 10,000 lines so a million rows never sit in one string
    const parts = ["\ufeff" + csvLine(s.cols.map((c) => this.title(c)))];
    const count = this.count;
    const order = this.view && this.ordered(count);
    for (let from = 0; from < count; from += 10000) {
      let chunk = "";
      for (let i = from; i < Math.min(from + 10000, count); i++) {
        const r = order ? order[i] : i;
        chunk += csvLine(s.cols.map((c, j) => this.show(c, cols[j][r])));
      }
      parts.push(chunk);
    }
    const blob = new Blob(parts, { type: "text/csv;charset=utf-8" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${this.resource}-view.csv`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }
}

for (const section of document.querySelectorAll("section.explorer[data-src]")) {
  const explorer = new Explorer(section);
  explorer.start().catch((err) => {
    explorer.say(explorer.strings.failed);
    console.warn("explorer:", err);
  });
}
