"""The built demo site in a real browser: search, the seed episode, speakers, appearances chart, topics.

Run with `python3 -m pytest tests/browser -q` (or `-m browser`); screenshots land in
/tmp/episode-archive-screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

import pytest

pytestmark = pytest.mark.browser

SEED = "episodes/2026-02-25-sam-marks/"
SEED_TITLE = "The persona selection model"
# From the middle of episodes/2026-02-25-sam-marks.txt (its second paragraph, not its title or headings).
SEED_PHRASE = "superhuman performance at chess"
SEED_HEADINGS = ["Why might we expect PSM to be exhaustive?", "Post-training as elicitation"]
# Header debris of the seed transcript (a page scrape) that cleaning must drop.
SEED_DEBRIS = ["Subheading", "SpeakerAppearances", "Podcast Appearances", "๐ค"]

# Absolute URL of a link; SVG <a> elements have no string `.href`, so resolve the attribute.
ABS_HREF = "a => new URL(a.getAttribute('href') || a.getAttribute('xlink:href'), document.baseURI).href"

# Heading texts without Material's permalink anchor ("¶").
HEADINGS_JS = """selector => Array.from(document.querySelectorAll(selector)).map(h => {
  const copy = h.cloneNode(true);
  copy.querySelectorAll('.headerlink').forEach(a => a.remove());
  return copy.textContent.trim();
})"""

# The first table in the article: one {header: cell text} object per body row.
TABLE_JS = """() => {
  const table = document.querySelector('article table');
  if (!table) return null;
  const headers = Array.from(table.querySelectorAll('thead th')).map(th => th.textContent.trim());
  return Array.from(table.querySelectorAll('tbody tr')).map(tr => Object.fromEntries(
    Array.from(tr.querySelectorAll('td')).map((td, i) => [headers[i], td.textContent.trim()])));
}"""
TABLE_COLUMNS = ("Appearances", "First", "Last")


def h1_text(page) -> str:
    texts = page.evaluate(HEADINGS_JS, "article h1")
    assert len(texts) == 1, f"{page.url}: expected one h1 in the article, found {texts!r}"
    return texts[0]


def path_of(url: str) -> str:
    return urlsplit(url).path


def article_hrefs(page, selector: str = "article a[href]") -> list[str]:
    """Absolute URLs of the links `selector` matches (by default every link in the article)."""
    return page.eval_on_selector_all(selector, f"links => links.map({ABS_HREF})")


def search_results(page) -> list[dict]:
    """Titles, hrefs and 'where' lines of the results on the search page, once it has any."""
    page.locator(".ea-search__result").first.wait_for(state="visible", timeout=15_000)
    return page.eval_on_selector_all(".ea-search__result", """items => items.map(li => ({
        title: li.querySelector('a.ea-search__title').textContent,
        href: li.querySelector('a.ea-search__title').href,
        where: (li.querySelector('.ea-search__where') || {}).textContent || '',
        excerpt: li.querySelector('.ea-search__excerpt').textContent}))""")


def test_search_finds_a_phrase_from_the_middle_of_a_transcript(page, site_url, screenshot):
    page.goto(site_url)
    box = page.locator("header input.ea-header-search__input")
    box.fill(SEED_PHRASE)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q="))
    results = search_results(page)
    screenshot(page, "search-results", full_page=False)
    first = results[0]
    assert first["title"] == SEED_TITLE
    # The result opens the episode at the paragraph that matched, not at the top.
    assert SEED in first["href"] and re.search(r"#p\d+$", first["href"]), first["href"]
    assert "superhuman performance" in first["excerpt"]

    page.locator("a.ea-search__title").first.click()
    page.wait_for_url(re.compile(re.escape(site_url + SEED)))
    assert h1_text(page) == SEED_TITLE
    anchor_id = first["href"].rsplit("#", 1)[1]
    paragraph_text = page.locator(f'[id="{anchor_id}"]').evaluate("a => a.parentElement.textContent")
    assert SEED_PHRASE in paragraph_text


def all_search_results(page, url: str) -> tuple[str, list[dict]]:
    """The status line and every result of a search page, after pressing "More results" until all show."""
    page.goto(url)
    search_results(page)
    while page.locator(".ea-search__more button").is_visible():
        shown = page.locator(".ea-search__result").count()
        page.locator(".ea-search__more button").click()
        page.wait_for_function(f"() => document.querySelectorAll('.ea-search__result').length > {shown}")
    status = page.locator(".ea-search__status").text_content()
    return status, [{**r, "href": path_of(r["href"].split("#")[0]), "date": r["where"][:10]}
                    for r in search_results(page)]


@pytest.mark.parametrize(("query", "sort"), [("the", "desc"), ("reward model", "asc"), ("reward model", ""),
                                           ("koji reward", ""), ('"reward model"', "desc")])
def test_search_over_an_index_made_in_parts_finds_what_one_index_finds(page, site_url, parted_site_url, query,
                                                                       sort):
    address = f"search/?{urlencode({'q': query, 'sort': sort})}"
    one_status, one_index = all_search_results(page, site_url + address)
    status, in_parts = all_search_results(page, parted_site_url + address)
    assert status == one_status
    assert sorted(r["href"] for r in in_parts) == sorted(r["href"] for r in one_index)
    if sort:  # in the same order of dates (pages of one date may come in another order)
        dates = [r["date"] for r in in_parts if r["date"]]
        assert dates == sorted(dates, reverse=sort == "desc")
        assert [r["date"] for r in in_parts] == [r["date"] for r in one_index]


def test_search_over_an_index_made_in_parts_finds_phrases_from_every_part(page, parted_site_url, screenshot):
    # Searching loads one bundle, as from one Pagefind run: no part of it is left to load.
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    page.goto(f"{parted_site_url}search/?q={SEED_PHRASE.replace(' ', '+')}")
    first = search_results(page)[0]
    assert first["title"] == SEED_TITLE and SEED in first["href"]
    # The oldest episode is in the first part, the seed (2026) in the last.
    page.goto(f"{parted_site_url}search/?q=reward+model&sort=asc")
    oldest = search_results(page)
    screenshot(page, "search-in-parts", full_page=False)
    assert oldest[0]["where"].startswith("2023-03-14"), oldest[0]
    speakers = page.locator("select[name=speaker] option").all_text_contents()
    assert any(text.startswith("Sam Marks (") for text in speakers), speakers
    assert [url for url in requested if "pf_meta" in url] and not [url for url in requested if "/part-" in url]


def test_search_filters_by_speaker_and_lands_on_timed_passages(page, site_url, screenshot):
    page.goto(f"{site_url}search/?q=reward+model")
    everyone = search_results(page)
    assert len(everyone) >= 2
    page.select_option("select[name=speaker]", "Sam Marks")
    page.wait_for_url(re.compile(r"speaker=Sam\+Marks"))
    page.wait_for_function("""() => document.querySelector('.ea-search__status').textContent.includes('result')""")
    filtered = search_results(page)
    screenshot(page, "search-filtered", full_page=False)
    assert 0 < len(filtered) < len(everyone)
    for result in filtered:
        page_html = page.request.get(result["href"].split("#")[0]).text()
        assert "Sam Marks" in page_html, result
    timed = [r for r in filtered if "#t=" in r["href"]]
    assert timed, filtered
    # The snippet names the speaker and the time of the passage.
    assert re.search(r"\d{2}:\d{2}:\d{2}", timed[0]["where"]) and ("Sam Marks" in timed[0]["where"]
                                                                   or "Maren Castillo" in timed[0]["where"])


def test_seed_episode_page_and_its_speaker(page, site_url, screenshot):
    page.goto(site_url + SEED)
    assert h1_text(page) == SEED_TITLE
    headings = page.evaluate(HEADINGS_JS, "article h2, article h3")
    for heading in SEED_HEADINGS:
        assert heading in headings, f"heading {heading!r} missing; the page has {headings!r}"
    text = page.locator("article").inner_text()
    assert SEED_PHRASE in text
    for debris in SEED_DEBRIS:
        assert debris not in text, f"{SEED}: transcript debris {debris!r} is on the page"
    screenshot(page, "seed-episode")

    page.locator("article").get_by_role("link", name="Sam Marks", exact=True).first.click()
    page.wait_for_url(re.compile(re.escape(site_url + "speakers/sam-marks/") + "$"))
    assert h1_text(page) == "Sam Marks"
    episode_link = page.locator("article").get_by_role("link", name=SEED_TITLE, exact=True)
    assert episode_link.count() == 1, "the speaker page does not list the seed episode once"
    assert path_of(episode_link.evaluate(ABS_HREF)) == path_of(site_url + SEED)
    screenshot(page, "speaker-sam-marks")


def _table_by_speaker(page) -> dict[str, tuple[str, ...]]:
    rows = page.evaluate(TABLE_JS)
    assert rows, f"{page.url}: no table rows in the article"
    missing = [column for column in ("Speaker", *TABLE_COLUMNS) if column not in rows[0]]
    assert not missing, f"{page.url}: the table has no {missing} column(s): {list(rows[0])}"
    table = {row["Speaker"]: tuple(row[column] for column in TABLE_COLUMNS) for row in rows}
    assert len(table) == len(rows), f"{page.url}: a speaker appears twice in the table"
    return table


def test_appearances_chart_links_and_table(page, new_page, site_url, screenshot):
    page.goto(site_url + "appearances/")
    chart = page.locator("svg.ea-chart")
    assert chart.count() == 1
    assert chart.is_visible()
    box = chart.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 50, f"chart box is {box}"

    marks = page.evaluate("""() => Array.from(document.querySelectorAll('svg.ea-chart .ea-mark'))
        .map(c => ({inLink: !!c.closest('a'), title: (c.closest('a')?.querySelector('title')?.textContent || '')}))""")
    assert marks, "the chart has no marks"
    assert all(m["inLink"] and m["title"].strip() for m in marks), "a mark lacks its link or tooltip"

    hrefs = page.evaluate("""() => Array.from(document.querySelectorAll('svg.ea-chart a'))
        .map(a => a.getAttribute('href') || a.getAttribute('xlink:href'))""")
    assert len(hrefs) >= len(marks)
    assert all(hrefs), "an SVG link has no href"
    for href in sorted(set(hrefs)):
        url = urljoin(page.url, href)
        assert url.startswith(site_url), f"chart link {href!r} leaves the site"
        response = page.request.get(url)
        assert response.status == 200, f"chart link {href!r} ({url}) answers HTTP {response.status}"

    appearances = _table_by_speaker(page)
    screenshot(page, "appearances-light")

    page.goto(site_url + "speakers/")
    speakers = _table_by_speaker(page)
    assert appearances == speakers, (
        "appearances table (count, first, last) differs from the speakers index:\n"
        f"appearances: {appearances}\nspeakers: {speakers}")

    dark = new_page(color_scheme="dark")
    dark.goto(site_url + "appearances/")
    assert dark.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    colours = dark.evaluate("""() => ({
        background: getComputedStyle(document.body).backgroundColor,
        tick: getComputedStyle(document.querySelector('svg.ea-chart .ea-tick')).fill,
        mark: getComputedStyle(document.querySelector('svg.ea-chart .ea-mark')).fill,
    })""")
    assert colours["tick"] != colours["background"], f"chart ticks invisible in dark mode: {colours}"
    assert colours["mark"] != colours["background"], f"chart marks invisible in dark mode: {colours}"
    screenshot(dark, "appearances-dark")


def test_topic_links_lead_to_topic_pages_listing_the_episode(page, site_url, screenshot):
    page.goto(site_url + "episodes/")
    episodes = sorted({
        href for href in article_hrefs(page)
        if re.fullmatch(re.escape(site_url) + r"episodes/[^/]+/", href)
    })
    assert site_url + SEED in episodes
    stated = re.search(r"(\d+) episodes", page.locator("article").inner_text())
    assert stated, "the episodes index does not say how many episodes there are"
    assert len(episodes) == int(stated.group(1)) >= 15, (
        f"the episodes index says {stated.group(0)!r} and links {len(episodes)} episode pages")

    topic_pages: dict[str, set[str]] = {}
    for episode in episodes:
        page.goto(episode)
        topics = page.locator("article p", has_text="Topics:").locator("a")
        hrefs = topics.evaluate_all(f"links => links.map({ABS_HREF})")
        assert hrefs, f"{episode} has no topic links"
        for href in hrefs:
            assert re.fullmatch(re.escape(site_url) + r"topics/[^/]+/", href), f"{episode}: topic link {href}"
            if href not in topic_pages:
                page.goto(href)
                assert h1_text(page), f"{href} has no title"
                # The episode list, not the trend chart's bars (which link one episode per period).
                topic_pages[href] = set(article_hrefs(page, "article li a[href]"))
            assert episode in topic_pages[href], f"topic page {href} does not list {episode}"

    # And once by clicking, as a reader would.
    page.goto(site_url + SEED)
    topic = page.locator("article p", has_text="Topics:").locator("a").first
    name = topic.inner_text()
    topic.click()
    page.wait_for_url(re.compile(re.escape(site_url) + r"topics/[^/]+/$"))
    assert h1_text(page) == name
    assert page.locator("article li").get_by_role("link", name=SEED_TITLE, exact=True).count() == 1
    screenshot(page, "topic-page")


def test_appearances_chart_at_phone_width(new_page, site_url, screenshot):
    width = 390
    phone = new_page(viewport={"width": width, "height": 844}, device_scale_factor=2,
                     is_mobile=True, has_touch=True)
    phone.goto(site_url + "appearances/")
    sizes = phone.evaluate("""() => {
        const frame = document.querySelector('.ea-chart-frame');
        const chart = frame.querySelector('svg.ea-chart');
        return {
            pageScroll: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
            frameClient: frame.clientWidth,
            frameScroll: frame.scrollWidth,
            frameRight: frame.getBoundingClientRect().right,
            frameOverflow: getComputedStyle(frame).overflowX,
            chart: chart.getBoundingClientRect().width,
        };
    }""")
    screenshot(phone, "appearances-phone")
    # A mobile browser widens the layout viewport (and zooms out) when content overflows, so
    # innerWidth alone would hide the problem: compare with the device width as well.
    assert sizes["viewport"] == width, f"the page is zoomed out to fit wide content: {sizes}"
    assert sizes["pageScroll"] <= width + 1, f"the page scrolls sideways at {width} px: {sizes}"
    assert sizes["frameRight"] <= width + 1, f"the chart frame sticks out: {sizes}"
    assert sizes["chart"] >= 560, f"the chart shrank below a readable width: {sizes}"
    assert sizes["frameOverflow"] in ("auto", "scroll"), f"the chart frame does not scroll: {sizes}"
    assert sizes["frameScroll"] > sizes["frameClient"], f"the chart is clipped, not scrollable: {sizes}"


AUDIO_EPISODE = "episodes/2025-06-11-probing-a-reward-model-live/"


def test_time_links_scroll_to_the_paragraph_and_seek_the_audio(page, site_url, screenshot):
    page.goto(f"{site_url}/{AUDIO_EPISODE}#t=00:00:45")
    anchor = page.locator('[id="t=00:00:45"]')
    assert anchor.count() == 1
    assert "Padding a wrong answer" in anchor.evaluate("a => a.parentElement.textContent")
    assert anchor.is_visible() and anchor.evaluate(
        "a => { const r = a.getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight; }")
    player = page.locator("audio.ea-player")
    page.wait_for_function("() => document.querySelector('audio.ea-player').readyState >= 1", timeout=10_000)
    page.wait_for_function("() => Math.abs(document.querySelector('audio.ea-player').currentTime - 45) < 1",
                           timeout=10_000)
    screenshot(page, "episode-audio", full_page=False)

    # Selecting another time seeks the player there.
    page.locator('a.ea-time[href="#t=00:01:33"]').click()
    page.wait_for_function("() => Math.abs(document.querySelector('audio.ea-player').currentTime - 93) < 1.5",
                           timeout=10_000)
    assert page.url.endswith("#t=00:01:33")
    assert player.evaluate("a => a.duration") > 100


AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
A11Y_PAGES = [SEED, AUDIO_EPISODE, "speakers/sam-marks/", "appearances/", "topics/", "search/?q=reward"]


@pytest.mark.parametrize("url", A11Y_PAGES)
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_pages_have_no_serious_accessibility_violations(new_page, site_url, url, scheme):
    if not AXE.is_file():
        pytest.skip("axe-core is not installed (scripts/test.sh runs npm install)")
    page = new_page(color_scheme=scheme)
    page.goto(site_url + url)
    if url.startswith("search/"):
        page.locator(".ea-search__result").first.wait_for(state="visible", timeout=15_000)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => {
        const results = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]});
        return results.violations.filter(v => v.impact === "serious" || v.impact === "critical")
            .map(v => ({id: v.id, impact: v.impact, help: v.help,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
    }""")
    assert violations == [], f"{url} ({scheme}): {violations}"
