"""The whole archive, read before anything is rendered: every episode, person, topic and link.

`load_archive` never stops at the first problem: it collects every `Problem` so that `check` can
report them all in one run, and the plugin can fail the build with the full list.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import logging
import mmap
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from scipy import sparse

from . import metadata
from .cache import ArchiveCache, FileDigests, code_digest, digest, file_bytes
from .chapters import CHAPTERS_SUFFIX, load_chapters_file
from .clean import clean, is_generic_label, speaker_labels
from .corrections import CORRECTIONS_FILE, Glossary, load_corrections
from .duplicates import find_duplicates, read_explicit_slugs
from .errors import ArchiveError, Problem
from .model import Archive, Episode, RelatedLink, Transcript
from .names import name_key
from .options import Options
from .parallel import PARALLEL_FROM, in_background, parallel_map
from .passages import PassageLink, PassageWords, find_passage_links, pairs_key, passage_words
from .people import Resolver, collect_people, load_resolver, look_alike_problems
from .progress import NoProgress, Progress
from .readers import is_transcript, read_transcript
from .readers.markdown import plain_labels
from .related import WordingIndex, WordingSample, find_related, weigh_wording, wording_sample, wording_vectors
from .slugs import make_slug
from .textio import MAX_TRANSCRIPT_BYTES, FolderFiles, ensure_inside, relative_name
from .topics import TopicRead, assign_topics, collect_topics, read_for_topics, topic_slug_problems
from .topicsfile import TOPICS_FILE, TopicVocabulary, load_topics_file

log = logging.getLogger(f"mkdocs.plugins.{__name__}")


@dataclass(frozen=True)
class LinkFeatures:
    """What related talks and passage links read of one episode's text. Counting its words is most of
    their work and needs only this episode, so it runs where the episode is loaded (in the workers) and
    is cached with it: after one edit, only the corpus-wide sums run again."""

    wording: WordingSample
    passages: tuple[PassageWords, ...]

    # Digests of each, worked out where the features are made (in the workers) and cached with them: the
    # keys of related talks and passage links, which an edit outside the sampled text leaves as they were.

    @functools.cached_property
    def wording_digest(self) -> str:
        return digest(str(self.wording.english), self.wording.words.words, self.wording.words.counts)

    @functools.cached_property
    def passages_digest(self) -> str:
        return digest(*(part for passage in self.passages for part in (
            f"{passage.index} {passage.english} {passage.anchor}", passage.words.words, passage.words.counts)))


def link_features(episode: Episode) -> LinkFeatures:
    return LinkFeatures(wording_sample(episode), passage_words(episode))


@dataclass
class _Loaded:
    """The transcripts read: episodes (each with its cache key as `content_key`) and problems, and by
    episode source its link features and what topic extraction read of it."""

    episodes: list[Episode]
    problems: list[Problem]
    features: dict[str, LinkFeatures]
    topic_reads: dict[str, TopicRead]
    from_cache: int = 0


def find_transcripts(episodes_dir: Path, folder: FolderFiles | None = None) -> list[Path]:
    """Transcript files under episodes/ (`folder`: its files as the build's walk found them), sorted;
    links out of the folder are refused when read."""
    found = []
    for path in (folder or FolderFiles(episodes_dir)).paths():
        if not is_transcript(path):
            continue
        if any(part.startswith(".") for part in relative_name(path, episodes_dir).split("/")):
            continue
        found.append(path)
    return found


def load_episode(path: Path, episodes_dir: Path, catalog: dict[str, dict],
                 resolver: Resolver | None = None, glossary: Glossary | None = None) -> Episode:
    """Read, merge metadata, clean, correct: one transcript to one Episode, or an ArchiveError."""
    resolver = resolver or Resolver([])
    glossary = glossary or Glossary()
    source = path.relative_to(episodes_dir).as_posix()
    ensure_inside(path, episodes_dir)
    sidecar = metadata.load_sidecar(path, episodes_dir)
    catalog_row = catalog.get(source, {})
    # The sidecar or catalogue may force a reader or an encoding, so read those before the file.
    pre, pre_errors = metadata.convert_fields(
        {k: v for k, v in {**catalog_row, **sidecar}.items() if k in {"format", "encoding"}})
    if pre_errors:
        raise pre_errors[0]
    transcript = read_transcript(path, source, pre.get("format"), pre.get("encoding"))
    if not transcript.plain_text().strip():
        what = ("has no cues (no timed text)" if transcript.format in {"webvtt", "srt"}
                else "is empty: it has no transcript text")
        raise ArchiveError(path, 1, f"{what}; add the transcript, or remove the file")
    fields = metadata.merged_fields(transcript, sidecar, catalog_row)
    values, errors = metadata.convert_fields(fields)
    if errors:
        raise errors[0]

    derived_date, derived_title = metadata.derived_from_path(path)
    date = values.get("date", derived_date)
    if date is None:
        raise ArchiveError(path, 1, "no date: add `date: YYYY-MM-DD` to the front matter or a sidecar "
                                    f"{path.with_suffix('.yml').name}, or name the file YYYY-MM-DD-title{path.suffix}")
    written = values.get("speakers", [])
    speakers = _unique([resolver.canonical(n) for n in written])
    show = values.get("show") or metadata.show_from_folder(source)
    transcript = clean(transcript, speakers, values.get("speaker_map"))
    transcript, renamed = _canonical_turns(transcript, speakers, resolver)
    transcript, corrections = glossary.apply_transcript(transcript, show)
    written_as: dict[str, list[str]] = {}
    for spelling, name in [(n, resolver.canonical(n)) for n in written] + list(renamed.items()):
        if spelling not in written_as.setdefault(name, []):
            written_as[name].append(spelling)
    # Everyone who speaks a turn is a speaker of the episode, so every name on the page has a page.
    speakers = _unique(speakers + speaker_labels(transcript)
                       + [resolver.canonical(name) for name in transcript.turn_speakers])
    if not speakers:
        raise ArchiveError(path, 1, "no speakers: add `speakers: [\"Name\"]` to the front matter or a sidecar, "
                                    "or a row in episodes/catalog.csv")
    topics = values.get("topics") or values.get("tags") or []
    chapters = values.get("chapters") or load_chapters_file(path, episodes_dir) or []
    return Episode(
        slug=values.get("slug") or make_slug(Path(source).stem),
        slug_given="slug" in values,
        title=values.get("title", derived_title),
        date=date,
        speakers=speakers,
        source=source,
        transcript=transcript,
        show=show,
        chapters=chapters,
        corrections=corrections,
        hosts=_unique([resolver.canonical(n) for n in values.get("hosts", [])]),
        written_as=written_as,
        topics=list(topics),
        given_topics=bool(topics),
        description=values.get("description") or values.get("summary"),
        audio=values.get("audio"),
        duration=values.get("duration"),
    )


def _unique(names: list[str]) -> list[str]:
    """Names in order, each identity once (by name key)."""
    seen: set[str] = set()
    kept = []
    for name in names:
        if name_key(name) not in seen:
            seen.add(name_key(name))
            kept.append(name)
    return kept


def _canonical_turns(transcript: Transcript, speakers: list[str],
                     resolver: Resolver) -> tuple[Transcript, dict[str, str]]:
    """Turn labels to canonical names: aliases, and first names ("Jonas:") when unambiguous.

    Returns the transcript and each label's canonical name. A curated Markdown body keeps its text:
    the plain labels in it that name speakers are recorded, and their speakers join its turn speakers.
    """
    renamed: dict[str, str] = {}
    if transcript.markdown_body is not None:
        def resolve(label: str) -> str | None:
            entry = resolver.entry(label)
            return entry.name if entry is not None else resolver.first_name(label, speakers)

        labels = {label: resolver.canonical(name) if name else None
                  for label, name in plain_labels(transcript.markdown_body, speakers, resolve).items()}
        return dataclasses.replace(transcript, plain_labels=labels, turn_speakers=_unique(
            transcript.turn_speakers + [name for name in labels.values() if name])), renamed
    segments = []
    for segment in transcript.segments:
        label = segment.speaker
        if label is not None and not is_generic_label(label):
            if label not in renamed:
                canonical = resolver.canonical(label)
                if resolver.entry(label) is None and name_key(label) not in {name_key(s) for s in speakers}:
                    canonical = resolver.first_name(label, speakers) or canonical
                renamed[label] = canonical
            segment = dataclasses.replace(segment, speaker=renamed[label])
        segments.append(segment)
    return dataclasses.replace(transcript, segments=segments), renamed


def load_archive(episodes_dir: Path, options: Options, cache: ArchiveCache | None = None,
                 progress: Progress | None = None,
                 meanwhile: Callable[[Archive], None] | None = None) -> tuple[Archive, list[Problem]]:
    """Read every transcript; return what could be published and every problem found.

    Problems include data warnings (look-alike speakers); the plugin logs those as warnings,
    so `mkdocs build --strict` fails on them while a plain build still publishes.

    `meanwhile(archive)` is called once, when everything but related talks and passage links is settled,
    while those are found (wording and passages in other processes, in a large archive): work that reads
    neither `archive.related` nor `archive.passage_links` runs there on the core that would otherwise wait.
    """
    progress = progress or NoProgress()
    started = time.perf_counter()
    problems: list[Problem] = []
    episodes: list[Episode] = []
    catalog: dict[str, dict] = {}
    resolver = Resolver([])
    glossary = Glossary()
    loaded = _Loaded([], [], {}, {})
    if episodes_dir.is_dir():
        registry_path = episodes_dir / options.people_file
        try:
            resolver = load_resolver(registry_path, episodes_dir, cache)
        except ArchiveError as error:
            problems.append(error.problem)
        try:
            catalog = metadata.load_catalog(episodes_dir)
        except ArchiveError as error:
            problems.append(error.problem)
        try:
            glossary = load_corrections(episodes_dir / CORRECTIONS_FILE, episodes_dir)
        except ArchiveError as error:
            problems.append(error.problem)
        folder = FolderFiles(episodes_dir)
        paths = find_transcripts(episodes_dir, folder)
        described = [p for p in paths if relative_name(p, episodes_dir) in catalog
                     or folder.is_file(p.with_suffix(".yml")) or folder.is_file(p.with_suffix(".yaml"))]
        files = FileDigests(cache, folder) if cache is not None else None
        paths, duplicates = find_duplicates(
            paths, episodes_dir, read_explicit_slugs(paths, episodes_dir, catalog, files, folder), described, folder)
        problems.extend(duplicates)
        shared = digest(code_digest(), *(file_bytes(episodes_dir / name) for name in
                                         (options.people_file, CORRECTIONS_FILE)))
        loaded = _load_all(paths, episodes_dir, catalog, resolver, glossary, cache, files, shared, progress, folder)
        if files is not None:
            files.save()
        episodes.extend(loaded.episodes)
        problems.extend(loaded.problems)
    _qualify_shared_stems(episodes)
    problems.extend(_slug_collisions(episodes, episodes_dir))
    cached = f", {loaded.from_cache} from the cache" if cache else ""
    log.info("read %d episodes%s (%d problems) in %.2f s", len(episodes), cached, len(problems),
             time.perf_counter() - started)

    started = time.perf_counter()
    # Passage links and the wording of related talks read neither topics nor people: they are worked
    # out (in child processes, in a large archive) while this process settles those.
    finding_passages = _start_passage_links(episodes, options, cache, loaded)
    weighing_wording = _start_wording_vectors(episodes, options, cache, loaded)
    vocabulary = TopicVocabulary()
    try:
        vocabulary = load_topics_file(episodes_dir / TOPICS_FILE, inside=episodes_dir)
    except ArchiveError as error:
        problems.append(error.problem)
    assign_topics(episodes, options.topics_per_episode, vocabulary, cache, progress,
                  {e.slug: loaded.topic_reads[e.source] for e in episodes if e.source in loaded.topic_reads})
    problems.extend(topic_slug_problems(episodes, episodes_dir))
    people, name_index, warnings = collect_people(episodes, resolver)
    archive = Archive(
        episodes=sorted(episodes, key=lambda e: e.sort_key),
        people=people,
        topics=collect_topics(episodes),
        related={},
        name_index=name_index,
        warnings=warnings + look_alike_problems(people, resolver)
        + glossary.unknown_show_problems({e.show for e in episodes if e.show}),
        glossary=glossary,
    )
    progress.stage("Linking related talks and passages", 1)
    _link_episodes(archive, options, cache, loaded, finding_passages, weighing_wording,
                   meanwhile or (lambda _archive: None))
    progress.advance()
    log.info("linked %d people, %d topics in %.2f s", len(archive.people), len(archive.topics),
             time.perf_counter() - started)
    return archive, problems


Result = TypeVar("Result")

_PassageLinks = dict[str, dict[int, tuple[str, str, float]]]
"""By episode slug, {segment index: (target slug, anchor, score)}: what crosses from a child process and
is cached, while the episodes stay where they are."""


def _start_passage_links(episodes: list[Episode], options: Options, cache: ArchiveCache | None,
                         loaded: _Loaded) -> Callable[[], _PassageLinks]:
    """Start finding passage links; return a call that waits for them. Corpus-wide, so found again
    whenever any episode's passages changed (multiplying again only the passages that changed, see
    passages), and taken from the cache when none did. In a large archive they are found in a forked child."""
    key = None
    if cache is not None:
        # What passage links read: each episode's passages' words (by their digest, made with them),
        # slug and speakers (whose names are no words to compare).
        key = "passages-" + digest(code_digest(), repr(options.passage_links), *sorted(
            digest(loaded.features[e.source].passages_digest, e.slug, repr(e.speakers)) for e in episodes))
        cache.keep(pairs_key())  # for the build after the next edit (written by the child, when there is one)

    def passage_links() -> _PassageLinks:
        found = find_passage_links(episodes, options.passage_links,
                                   lambda episode: loaded.features[episode.source].passages, cache)
        return {slug: {index: (link.target_episode.slug, link.anchor, link.score) for index, link in links.items()}
                for slug, links in found.items()}

    return _cached_in_background(cache, key, passage_links, fork=len(episodes) >= PARALLEL_FROM)


def _start_wording_vectors(episodes: list[Episode], options: Options, cache: ArchiveCache | None,
                           loaded: _Loaded) -> Callable[[], sparse.csr_matrix | None]:
    """Start weighing every episode's wording for related talks (`related.wording_vectors`, TF-IDF);
    return a call that waits for the vectors. They read no topics, so in a large archive a forked child
    weighs them while this process settles topics. Cached by what they read: each episode's wording
    sample, slug and speakers. Where those are as the last build's, related talks may still change
    (topics, dates), and the vectors come from the cache. Where they are not, the words of the samples
    the last build weighed come numbered from its `WordingIndex` (written by the child, where there is one)."""
    if options.related_count <= 0 or len(episodes) < 2:
        return lambda: None
    fork = len(episodes) >= PARALLEL_FROM

    def wording(episode: Episode) -> WordingSample:
        return loaded.features[episode.source].wording

    if cache is None:
        return in_background(lambda: wording_vectors(episodes, wording), fork=fork)
    key = "wording-" + digest(code_digest(), *sorted(
        digest(loaded.features[e.source].wording_digest, e.slug, repr(e.speakers)) for e in episodes))
    index_key = "wording-index-" + code_digest()
    cache.keep(index_key)  # for the build after the next edit

    def weigh() -> sparse.csr_matrix:
        last = cache.get(index_key)
        vectors, index = weigh_wording(episodes, wording, lambda e: loaded.features[e.source].wording_digest,
                                       last if isinstance(last, WordingIndex) else None)
        cache.put_whole(index_key, index)
        return vectors
    return _cached_in_background(cache, key, weigh, fork=fork)


def _cached_in_background(cache: ArchiveCache | None, key: str | None, work: Callable[[], Result],
                          fork: bool) -> Callable[[], Result]:
    """A call that gives `work()`: from the cache under `key`, else started now (in a forked child where
    `fork`, see `in_background`) and cached once waited for."""
    if cache is not None and key is not None and (stored := cache.get(key)) is not None:
        return lambda: stored
    working = in_background(work, fork=fork)

    def result() -> Result:
        value = working()
        if cache is not None and key is not None:
            cache.put(key, value)
        return value
    return result


def _link_episodes(archive: Archive, options: Options, cache: ArchiveCache | None, loaded: _Loaded,
                   finding_passages: Callable[[], _PassageLinks],
                   weighing_wording: Callable[[], sparse.csr_matrix | None],
                   meanwhile: Callable[[Archive], None]) -> None:
    """`meanwhile` while wording vectors and passage links are still being found, then related talks
    (corpus-wide: computed again whenever what they read changed, from the cache otherwise; their
    wording vectors from `weighing_wording`), then passage links. Vectors that changed mean related
    talks that did (their key holds the same samples), so a child weighing them is never left unread."""
    meanwhile(archive)
    by_slug = {episode.slug: episode for episode in archive.episodes}
    key = None
    related = None
    if cache is not None:
        # What related talks read: each episode's wording sample (by its digest) and the metadata they weigh.
        key = "related-" + digest(code_digest(), repr(options.related_count), *(
            digest(loaded.features[e.source].wording_digest, e.slug, e.date.isoformat(), repr(e.speakers),
                   repr(e.topics), repr(e.show), repr(e.given_topics)) for e in archive.episodes))
        related = cache.get(key)
    if related is not None:
        archive.related = {slug: [RelatedLink(by_slug[target], score, reason) for target, score, reason in links]
                           for slug, links in related.items()}
    else:
        archive.related = find_related(archive.episodes, options.related_count,
                                       lambda episode: loaded.features[episode.source].wording, weighing_wording())
        if cache is not None and key is not None:
            cache.put(key, {slug: [(link.episode.slug, link.score, link.reason) for link in links]
                            for slug, links in archive.related.items()})
    archive.passage_links = _passage_links_of(finding_passages(), by_slug)


def _passage_links_of(passages: _PassageLinks, by_slug: dict[str, Episode]) -> dict[str, dict[int, PassageLink]]:
    return {slug: {index: PassageLink(by_slug[target], anchor, score)
                   for index, (target, anchor, score) in links.items()} for slug, links in passages.items()}


def _episode_key(path: Path, source: str, catalog: dict[str, dict], shared: str, files: FileDigests) -> str:
    """Everything an Episode is made from: its file (at `source` in the archive), sidecar, catalogue row,
    and the shared inputs."""
    row = sorted((key, str(field.value)) for key, field in catalog.get(source, {}).items())
    # By string: the sidecars' and chapters file's paths are `with_suffix` and `chapters_file` of a
    # transcript, which always has a suffix (pathlib costs a thousand transcripts 0.02 s here).
    stem = os.fspath(path).rsplit(".", 1)[0]
    return digest(shared, source, files.of(path), files.of(stem + ".yml"), files.of(stem + ".yaml"),
                  files.of(stem + CHAPTERS_SUFFIX), repr(row))


_LoadedEpisode = tuple[Episode, LinkFeatures, TopicRead]

_extracting: mmap.mmap | None = None
"""One byte shared by `_load_all` and its forked workers, set once any of them loaded an episode whose
topics are extracted. From then on the workers also read the topic samples of episodes with given
topics, which only extraction needs: an archive whose topics are all given never reads one, and in one
that extracts, `assign_topics` reads only those loaded before, instead of sending all their texts to
workers a second time after loading."""


def _load_one(job: tuple[Path, Path, dict, Resolver, Glossary]) -> _LoadedEpisode | Problem:
    """Load one transcript, with what the rest of the build reads of it."""
    path, episodes_dir, catalog, resolver, glossary = job
    try:
        episode = load_episode(path, episodes_dir, catalog, resolver, glossary)
    except ArchiveError as error:
        return error.problem
    # Worked out here, in the worker, and cached with the episode (see Transcript.word_count).
    episode.transcript.word_count, episode.transcript.timed, episode.transcript.label_names  # noqa: B018
    if _extracting is not None and not episode.given_topics:
        _extracting[0] = 1
    features = link_features(episode)
    topic_read = read_for_topics(episode, _extracting is None or _extracting[0] == 1)
    features.wording_digest, features.passages_digest, topic_read.digest  # noqa: B018 - cached with them
    return episode, features, topic_read


def _load_all(paths: list[Path], episodes_dir: Path, catalog: dict[str, dict], resolver: Resolver,
              glossary: Glossary, cache: ArchiveCache | None, files: FileDigests | None, shared: str,
              progress: Progress, folder: FolderFiles | None = None) -> _Loaded:
    """Load every transcript: from the cache, else in forked workers when there are many, else here.

    The cache holds all loaded episodes in one map entry (`ArchiveCache.put_map`) by `_episode_key`:
    one file to read instead of a thousand, and after an edit only the episodes made again are written."""
    progress.stage("Reading transcripts", len(paths))
    results: dict[Path, _LoadedEpisode | Problem] = {}
    keys: dict[Path, str] = {}
    sources: dict[Path, str] = {}
    folder = folder or FolderFiles(episodes_dir)
    stored = cache.get_map(loaded_key()) if cache is not None else {}
    for path in paths:
        # Oversized files and links out of the archive are never read here; load_episode refuses them.
        if (files is not None and folder.inside(path) and (info := folder.stat(path)) is not None
                and info.st_size <= MAX_TRANSCRIPT_BYTES):
            sources[path] = relative_name(path, episodes_dir)
            keys[path] = _episode_key(path, sources[path], catalog, shared, files)
            if (hit := stored.get(keys[path])) is not None:
                results[path] = hit[1]
    missing = [path for path in paths if path not in results]
    from_cache = len(results)
    progress.advance(from_cache)
    jobs = [(path, episodes_dir, catalog, resolver, glossary) for path in missing]
    global _extracting
    # Set before forking: the workers inherit the mapping, and what one writes the others read.
    _extracting = mmap.mmap(-1, 1)
    try:
        for path, result in zip(missing, parallel_map(_load_one, jobs, on_done=progress.advance), strict=True):
            results[path] = result
    finally:
        _extracting.close()
        _extracting = None
    loaded = _Loaded([], [r for r in (results[p] for p in paths) if isinstance(r, Problem)], {}, {}, from_cache)
    for path in paths:
        result = results[path]
        if not isinstance(result, Problem):
            episode, features, topic_read = result
            # The archive settles slugs and topics on its episodes: on a copy, the cache's value stays as read.
            episode = copy.copy(episode)
            loaded.features[episode.source] = features
            loaded.topic_reads[episode.source] = topic_read
            loaded.episodes.append(episode)
            episode.content_key = keys.get(path)
    if cache is not None:
        cache.put_map(loaded_key(), {keys[path]: (sources[path], result) for path, result in results.items()
                                     if path in keys and not isinstance(result, Problem)})
    return loaded


def loaded_key() -> str:
    """The cache's map entry of loaded episodes (`_load_all`)."""
    return "episodes-" + code_digest()


def _qualify_shared_stems(episodes: list[Episode]) -> None:
    """An episode's slug is its file name; files of one name in several folders take their path instead.

    So `talks/2024/miniscript.md` is `miniscript` alone, and `talks-2024-miniscript` beside another
    `miniscript.md`. Given slugs (`slug:`) are never changed.
    """
    by_slug: dict[str, list[Episode]] = {}
    for episode in episodes:
        if not episode.slug_given:
            by_slug.setdefault(episode.slug.casefold(), []).append(episode)
    for group in by_slug.values():
        if len(group) > 1:
            for episode in group:
                episode.slug = make_slug(Path(episode.source).with_suffix("").as_posix().replace("/", "-"))


def _slug_collisions(episodes: list[Episode], episodes_dir: Path) -> list[Problem]:
    """Two episodes with one URL is an error naming both; the later one is not published."""
    problems: list[Problem] = []
    owners: dict[str, Episode] = {}
    for episode in list(episodes):
        key = episode.slug.casefold()
        if key in owners:
            first = owners[key]
            problems.append(Problem(
                episodes_dir / episode.source, 1,
                f"slug {episode.slug!r} is already used by {first.source}; give one of them "
                "another `slug:` in its metadata"))
            episodes.remove(episode)
        else:
            owners[key] = episode
    return problems
