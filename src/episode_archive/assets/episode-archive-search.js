// episode-archive search page: Pagefind's JavaScript API with filters, date sorting and results that
// open the episode at the paragraph that matched. Pagefind loads only the index chunks a query needs.
//
// Safety: excerpts are rebuilt from text nodes and <mark> only; nothing from the index is inserted as HTML.

const root = document.getElementById("ea-search");
const form = root.querySelector("form");
const input = root.querySelector("input[name=q]");
const filtersBox = root.querySelector(".ea-search__filters");
const status = root.querySelector(".ea-search__status");
const list = root.querySelector(".ea-search__results");
const more = root.querySelector(".ea-search__more");
// Each result shown loads its page's whole text for the excerpt (about 20 KB for a long episode): five
// at a time, as in Pagefind's own interface.
const PAGE_SIZE = 5;
const FILTERS = [["kind", "Pages"], ["speaker", "Speaker"], ["topic", "Topic"], ["show", "Show"], ["year", "Year"]];
const KIND_LABELS = { episode: "Episodes", speaker: "Speakers", topic: "Topics" };

let pagefind = null;
let results = [];
let shown = 0;
let generation = 0;

function element(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "text") node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

// Keep only text and <mark> from an excerpt, whatever it contains.
function safeExcerpt(html) {
  const parsed = new DOMParser().parseFromString(`<div>${html}</div>`, "text/html");
  const out = element("span");
  const walk = (node, into) => {
    for (const child of node.childNodes) {
      if (child.nodeType === Node.TEXT_NODE) into.append(child.textContent);
      else if (child.nodeType === Node.ELEMENT_NODE && child.tagName === "MARK") {
        const mark = element("mark");
        walk(child, mark);
        into.append(mark);
      } else if (child.nodeType === Node.ELEMENT_NODE) walk(child, into);
    }
  };
  walk(parsed.body.firstChild, out);
  return out;
}

// The anchor (timed paragraph, paragraph or heading) just before the first match in the body;
// matches in the title alone open the page at the top.
function passageAnchor(data) {
  const anchors = (data.anchors || []).filter(a => a.id && a.element !== "h1");
  for (const location of data.locations || []) {
    let best = null;
    for (const anchor of anchors) {
      if (anchor.location <= location && (!best || anchor.location >= best.location)) best = anchor;
    }
    if (best) return best;
  }
  return null;
}

// Turn labels are anchors too (id turn-N, text "Name:"): the last one before the passage speaks it.
function speakerBefore(data, anchor) {
  let turn = null;
  for (const candidate of data.anchors || []) {
    if (candidate.id.startsWith("turn-") && candidate.location <= anchor.location
        && (!turn || candidate.location >= turn.location)) turn = candidate;
  }
  return turn ? turn.text.replace(/:\s*$/, "").trim() : null;
}

function selectedFilters() {
  const chosen = {};
  for (const select of filtersBox.querySelectorAll("select")) {
    if (select.value && select.name !== "sort") chosen[select.name] = [select.value];
  }
  return chosen;
}

function sortOption() {
  const select = filtersBox.querySelector("select[name=sort]");
  return select && select.value ? { date: select.value } : undefined;
}

function syncUrl() {
  const params = new URLSearchParams();
  if (input.value.trim()) params.set("q", input.value.trim());
  for (const select of filtersBox.querySelectorAll("select")) if (select.value) params.set(select.name, select.value);
  const query = params.toString();
  history.replaceState(null, "", query ? `?${query}` : location.pathname);
}

async function buildFilters(params) {
  const available = await pagefind.filters();
  for (const [name, label] of FILTERS) {
    const values = Object.keys(available[name] || {});
    if (!values.length) continue;
    values.sort((a, b) => (name === "year" ? b.localeCompare(a) : a.localeCompare(b)));
    const select = element("select", { name, id: `ea-filter-${name}` },
      [element("option", { value: "", text: name === "kind" ? "All pages" : `Any ${label.toLowerCase()}` })]);
    for (const value of values) {
      const text = name === "kind" ? KIND_LABELS[value] || value : `${value} (${available[name][value]})`;
      const option = element("option", { value, text });
      if (params.get(name) === value) option.selected = true;
      select.append(option);
    }
    filtersBox.append(element("span", { class: "ea-search__filter" },
      [element("label", { for: `ea-filter-${name}`, text: label }), select]));
  }
  const sort = element("select", { name: "sort", id: "ea-filter-sort" }, [
    element("option", { value: "", text: "Best match" }),
    element("option", { value: "desc", text: "Newest first" }),
    element("option", { value: "asc", text: "Oldest first" }),
  ]);
  sort.value = params.get("sort") || "";
  filtersBox.append(element("span", { class: "ea-search__filter" },
    [element("label", { for: "ea-filter-sort", text: "Sort" }), sort]));
  filtersBox.addEventListener("change", () => run());
}

async function renderResult(result) {
  const data = await result.data();
  const anchor = passageAnchor(data);
  const url = anchor ? `${data.url}#${anchor.id}` : data.url;
  const title = (data.meta && data.meta.title) || data.url;
  const item = element("li", { class: "ea-search__result" });
  item.append(element("a", { href: url, class: "ea-search__title", text: title }));
  const details = [];
  if (data.meta && data.meta.date) details.push(data.meta.date);
  if (anchor && anchor.id.startsWith("t=")) details.push(anchor.id.slice(2));
  const speaker = anchor ? speakerBefore(data, anchor) : null;
  if (speaker) details.push(speaker);
  if (details.length) item.append(element("p", { class: "ea-search__where", text: details.join(" · ") }));
  const excerpt = element("p", { class: "ea-search__excerpt" });
  excerpt.append(safeExcerpt(data.excerpt || ""));
  item.append(excerpt);
  return item;
}

async function showMore(current) {
  const batch = results.slice(shown, shown + PAGE_SIZE);
  shown += batch.length;
  const items = await Promise.all(batch.map(renderResult));
  if (current !== generation) return;
  list.append(...items);
  more.hidden = shown >= results.length;
}

async function run() {
  const current = ++generation;
  syncUrl();
  const query = input.value.trim();
  const filters = selectedFilters();
  list.replaceChildren();
  more.hidden = true;
  if (!query && !Object.keys(filters).length) {
    status.textContent = "";
    return;
  }
  status.textContent = "Searching…";
  const found = await pagefind.search(query || null, { filters, sort: sortOption() });
  if (current !== generation || !found) return;
  results = found.results;
  shown = 0;
  status.textContent = results.length === 1 ? "1 result" : `${results.length} results`;
  await showMore(current);
}

async function start() {
  const bundle = new URL(root.dataset.bundle, location.href).href;
  pagefind = await import(`${bundle}pagefind.js`);
  await pagefind.options({ excerptLength: 28 });
  const params = new URLSearchParams(location.search);
  input.value = params.get("q") || "";
  await buildFilters(params);
  form.addEventListener("submit", event => { event.preventDefault(); run(); });
  let timer = null;
  input.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 250); });
  more.querySelector("button").addEventListener("click", () => showMore(generation));
  root.classList.add("ea-search--ready");
  await run();
}

start().catch(error => {
  status.textContent = "Search could not start: " + error.message;
});
