// Kaifang search engine in the browser: the same tokens as the build
// (generator/search/text.py) and the same ranking (generator/search/engine.py).
// The test suite runs both on the same strings, so query and index speak one language.

const HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff";
const RUN = new RegExp(`[${HAN}]+|[a-z0-9]+`, "g");
const PART = /["“”]([^"“”]*)["“”]?|(\S+)/g;
export const EXACT = "=";
export const TITLE = 1;
export const KEYWORDS = 2;
export const DESCRIPTION = 4;
export const NAMES = 8;
export const FIELDS = 16;
const FIELD_BITS = 31;
const WEIGHTS = [
  [TITLE, 64],
  [KEYWORDS, 24],
  [NAMES, 12],
  [DESCRIPTION, 8],
  [FIELDS, 4],
];

export const normalise = (text) => text.normalize("NFKC").toLowerCase();
export const runs = (text) => normalise(text).match(RUN) || [];
const isHan = (run) => run[0] >= "\u3007";

export function stem(word) {
  return word.length > 3 && word.endsWith("s") && !word.endsWith("ss") ? word.slice(0, -1) : word;
}

export function runTokens(run) {
  if (!isHan(run)) return [stem(run)];
  if (run.length === 1) return [run];
  const out = [];
  for (let i = 0; i < run.length - 1; i++) out.push(run.slice(i, i + 2));
  return out;
}

export function tokens(text) {
  const seen = new Set();
  for (const run of runs(text)) for (const token of runTokens(run)) seen.add(token);
  return [...seen];
}

export const key = (text) => runs(text).join("");

export function exactToken(text) {
  const k = key(text);
  return k ? EXACT + k : "";
}

const encoder = new TextEncoder();
export function fnv1a(token) {
  let h = 0x811c9dc5;
  for (const byte of encoder.encode(token)) h = Math.imul(h ^ byte, 0x01000193) >>> 0;
  return h >>> 0;
}

export function parseQuery(text) {
  text = text.normalize("NFKC");
  const query = { clauses: [], negatives: [], exact: "", operators: false };
  let pendingOr = false;
  const positives = [];
  for (const match of text.matchAll(PART)) {
    const quoted = match[1];
    const bare = match[2];
    if (bare !== undefined && (bare === "OR" || bare === "|")) {
      pendingOr = query.clauses.length > 0;
      query.operators = true;
      continue;
    }
    const negative = bare !== undefined && bare.startsWith("-") && bare.length > 1;
    const body = quoted !== undefined ? quoted : negative ? bare.slice(1) : bare;
    const term = { text: body, tokens: tokens(body), phrase: quoted !== undefined };
    if (!term.tokens.length) continue;
    if (negative) {
      query.negatives.push(term);
      query.operators = true;
    } else if (pendingOr) {
      query.clauses[query.clauses.length - 1].push(term);
    } else {
      query.clauses.push([term]);
      positives.push(body);
    }
    pendingOr = false;
    if (quoted !== undefined) query.operators = true;
  }
  if (!query.operators && positives.length) query.exact = exactToken(positives.join(""));
  return query;
}

export function weight(mask) {
  let total = 0;
  for (const [bit, w] of WEIGHTS) if (mask & bit) total += w;
  return total;
}

async function fetchBytes(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  let bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    // the files are gzip-compressed; a host that already decoded them is fine too
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  }
  return bytes;
}

function readVarint(bytes, state) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[state.at++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
    shift += 7;
  }
}

function decodeShard(bytes) {
  const state = { at: 0 };
  const count = readVarint(bytes, state);
  const directory = [];
  for (let i = 0; i < count; i++) {
    const at = state.at;
    const hash = (bytes[at] | (bytes[at + 1] << 8) | (bytes[at + 2] << 16) | (bytes[at + 3] << 24)) >>> 0;
    state.at += 4;
    directory.push([hash, readVarint(bytes, state)]);
  }
  const blocks = new Map();
  let offset = state.at;
  for (const [hash, length] of directory) {
    blocks.set(hash, bytes.subarray(offset, offset + length));
    offset += length;
  }
  return blocks;
}

function decodePostings(block) {
  const state = { at: 0 };
  const n = readVarint(block, state);
  const docs = new Uint32Array(n);
  let doc = 0;
  for (let i = 0; i < n; i++) {
    doc += readVarint(block, state);
    docs[i] = doc;
  }
  return { docs, masks: block.subarray(state.at, state.at + n) };
}

function maskOf(postings, doc) {
  const docs = postings.docs;
  let lo = 0;
  let hi = docs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (docs[mid] < doc) lo = mid + 1;
    else hi = mid;
  }
  return lo < docs.length && docs[lo] === doc ? postings.masks[lo] : 0;
}

export class SearchIndex {
  constructor(base) {
    this.base = base; // e.g. /search-index/zh/
    this.meta = null;
    this.shards = new Map();
    this.postings = new Map();
    this.chunks = new Map();
    this.columns = new Map();
  }

  async load() {
    if (!this.meta) {
      this.metaLoading ||= fetch(this.base + "meta.json", { cache: "no-cache" }).then((r) => {
        if (!r.ok) throw new Error(`meta.json: HTTP ${r.status}`);
        return r.json();
      });
      this.meta = await this.metaLoading;
    }
    return this.meta;
  }

  file(name) {
    return `${this.base}${name}?v=${this.meta.hash}`;
  }

  shard(number) {
    if (!this.shards.has(number)) {
      const loading = fetchBytes(this.file(`s/${number}.bin`)).then(decodeShard);
      loading.catch(() => this.shards.delete(number));
      this.shards.set(number, loading);
    }
    return this.shards.get(number);
  }

  async lookup(token) {
    if (this.postings.has(token)) return this.postings.get(token);
    const hash = fnv1a(token);
    const blocks = await this.shard(hash % this.meta.shards);
    const block = blocks.get(hash);
    const postings = block ? decodePostings(block) : null;
    this.postings.set(token, postings);
    return postings;
  }

  /** Fetch the shards of a query's tokens (all at once), e.g. while the user types. */
  async preload(text) {
    await this.load();
    const query = parseQuery(text);
    const all = [...query.clauses.flat(), ...query.negatives].flatMap((t) => t.tokens);
    if (query.exact) all.push(query.exact);
    await Promise.all(all.map((t) => this.lookup(t)));
    return query;
  }

  async column(name) {
    if (!this.columns.has(name)) {
      const loading = fetchBytes(this.file(`c/${name}.bin`)).then(
        (bytes) => new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2),
      );
      loading.catch(() => this.columns.delete(name));
      this.columns.set(name, loading);
    }
    return this.columns.get(name);
  }

  async termMatches(term) {
    const lists = await Promise.all(term.tokens.map((t) => this.lookup(t)));
    const found = new Map();
    if (lists.some((p) => !p)) return found;
    const shortest = lists.reduce((a, b) => (b.docs.length < a.docs.length ? b : a));
    for (let i = 0; i < shortest.docs.length; i++) {
      const doc = shortest.docs[i];
      let every = FIELD_BITS;
      let some = 0;
      let open = 0;
      let ok = true;
      for (const postings of lists) {
        const mask = postings === shortest ? shortest.masks[i] : maskOf(postings, doc);
        if (!(mask & FIELD_BITS)) {
          ok = false;
          break;
        }
        every &= mask;
        some |= mask & FIELD_BITS;
        open = mask >> 5;
      }
      if (!ok || (term.phrase && !(every & FIELD_BITS))) continue;
      found.set(doc, { score: weight(every & FIELD_BITS) + (weight(some) >> 2), open });
    }
    return found;
  }

  /** Matching documents as {doc, exact, score, open}, unordered; null for no query. */
  async match(query) {
    if (!query.clauses.length) return null;
    let result = null;
    for (const clause of query.clauses) {
      const best = new Map();
      for (const term of clause) {
        for (const [doc, m] of await this.termMatches(term)) {
          const old = best.get(doc);
          if (!old || m.score > old.score) best.set(doc, m);
        }
      }
      if (result === null) {
        result = best;
      } else {
        const next = new Map();
        for (const [doc, m] of best) {
          const old = result.get(doc);
          if (old) next.set(doc, { score: old.score + m.score, open: m.open });
        }
        result = next;
      }
    }
    for (const term of query.negatives) {
      for (const doc of (await this.termMatches(term)).keys()) result.delete(doc);
    }
    const exact = query.exact ? await this.lookup(query.exact) : null;
    const out = [];
    for (const [doc, m] of result) {
      out.push({ doc, exact: exact && maskOf(exact, doc) ? 1 : 0, score: m.score, open: m.open });
    }
    return out;
  }

  /**
   * The fallback when no document holds every token of a plain query (no operators):
   * documents holding most of them. Two words typed without a space (中小学托管) make a
   * bigram no title has (学托); the documents with at least 60 % of the query's tokens
   * (any one of two) are returned, most tokens first, then by where they matched.
   */
  async partialMatch(query) {
    if (query.operators) return [];
    const all = [...new Set(query.clauses.flat().flatMap((t) => t.tokens))];
    if (all.length < 2) return [];
    const need = all.length === 2 ? 1 : Math.ceil(all.length * 0.6);
    const lists = await Promise.all(all.map((t) => this.lookup(t)));
    const found = new Map();
    for (const postings of lists) {
      if (!postings) continue;
      for (let i = 0; i < postings.docs.length; i++) {
        const mask = postings.masks[i];
        if (!(mask & FIELD_BITS)) continue;
        const doc = postings.docs[i];
        const m = found.get(doc) || { count: 0, score: 0, open: mask >> 5 };
        m.count += 1;
        m.score += weight(mask & FIELD_BITS);
        found.set(doc, m);
      }
    }
    const out = [];
    for (const [doc, m] of found) {
      if (m.count >= need) out.push({ doc, exact: 0, score: m.count * 1000 + m.score, open: m.open });
    }
    return out;
  }

  /**
   * Search: text, filters ({facet: Set of labels}, OR within a facet, AND across), sort
   * ("" relevance, "modified", "title"). Returns {query, hits: [{doc, …}]}.
   */
  async search(text, filters = {}, sort = "") {
    const meta = await this.load();
    const query = await this.preload(text);
    let hits = await this.match(query);
    let partial = false;
    if (hits !== null && !hits.length) {
      hits = await this.partialMatch(query);
      partial = hits.length > 0;
    }
    if (hits === null) {
      hits = [];
      for (let doc = 0; doc < meta.docs; doc++) hits.push({ doc, exact: 0, score: 0, open: 0 });
    }
    hits = await this.filter(hits, filters);
    if (sort === "modified") {
      const days = await this.column("modified");
      hits.sort((a, b) => days[b.doc] - days[a.doc] || a.doc - b.doc);
    } else if (sort === "title" || !query.clauses.length) {
      hits.sort((a, b) => a.doc - b.doc);
    } else {
      hits.sort((a, b) => b.exact - a.exact || b.score - a.score || a.open - b.open || a.doc - b.doc);
    }
    return { query, hits, partial };
  }

  async filter(hits, filters, skip = null) {
    for (const [key, labels] of Object.entries(filters)) {
      if (key === skip || !labels.size) continue;
      const values = await this.column(key);
      const all = this.meta.facets[key];
      const wanted = new Set([...labels].map((l) => all.indexOf(l)).filter((i) => i >= 0));
      const multi = key === "format";
      hits = hits.filter((h) => {
        const v = values[h.doc];
        for (const i of wanted) if (multi ? v & (1 << i) : v === i + 1) return true;
        return false;
      });
    }
    return hits;
  }

  /** Counts per facet value among hits, each facet counted without its own choice. */
  async counts(allHits, filters) {
    const out = {};
    for (const key of Object.keys(this.meta.facets)) {
      const hits = await this.filter(allHits, filters, key);
      const values = await this.column(key);
      const labels = this.meta.facets[key];
      const counts = {};
      for (const h of hits) {
        const v = values[h.doc];
        labels.forEach((label, i) => {
          if (key === "format" ? v & (1 << i) : v === i + 1) counts[label] = (counts[label] || 0) + 1;
        });
      }
      out[key] = counts;
    }
    return out;
  }

  async doc(number) {
    const chunk = Math.floor(number / this.meta.chunk);
    if (!this.chunks.has(chunk)) {
      const loading = fetchBytes(this.file(`d/${chunk}.json`)).then((b) =>
        JSON.parse(new TextDecoder().decode(b)),
      );
      loading.catch(() => this.chunks.delete(chunk));
      this.chunks.set(chunk, loading);
    }
    const [url, title, description, openType, openLabel, publisher, theme, formats, modified, identifier] =
      (await this.chunks.get(chunk))[number % this.meta.chunk];
    return { url, title, description, openType, openLabel, publisher, theme, formats, modified, identifier };
  }
}

/** The sentence of a description that holds most of the query's tokens. */
export function bestSentence(description, query, limit = 120) {
  const sentences = description.split(/(?<=[。！？；!?;])/).filter((s) => s.trim());
  const wanted = query.clauses.flat().flatMap((t) => t.tokens);
  let best = sentences[0] || "";
  let bestCount = 0;
  for (const sentence of sentences) {
    const have = new Set(tokens(sentence));
    const count = wanted.filter((t) => have.has(t)).length;
    if (count > bestCount) {
      best = sentence;
      bestCount = count;
    }
  }
  best = best.trim();
  return best.length > limit ? best.slice(0, limit) + "…" : best;
}
