"""Synthetic news archives for benchmarks: deterministic, standard library only.

    python benchmarks/generate.py --count N --out DIR [--seed S] [--nested] [--force]
    python benchmarks/generate.py --touch K --out DIR [--seed S]

`--count N` writes N articles shaped like the real files described in the shared
corpus.md: YAML front matter (~97% of the files), plain-text articles (~2%), JSON pages
`{"value": [...]}` holding 2-5 records each (~1% of the files; every record counts toward
N) and ~0.2% broken files (unclosed front matter, invalid YAML, empty), each broken file
taking one of the N. So an archive of N holds N minus the broken files readable articles.
~30% of the front-matter files carry 1-10 related items; the others get a Markdown body
after the closing `---` so that files come to 2-5 KB (real files carry no body and
average 1.5 KB; those with many related items run to 12 KB here, 27 KB there).

Rare words, in no vocabulary and no other file: "zyxquorp" and "quabbrel" in exactly 5
front-matter files each, "snorvik" in 3, "vexlintha" in 1 (half in titles, half in
excerpts; fewer when the archive is too small). The common word is "cloud" (title or
excerpt of ~18% of the articles), the phrase "supply chain" (~5%).

The same seed always gives byte-identical files. A manifest (`DIR.manifest.json`
beside the folder, so no tool reads it as an article) records what was generated:
the counts, the broken files, the files holding each deliberately rare word, and the
common provider, topic, word and phrase the benchmarks ask for.

`--touch K` appends a word to the excerpt of K front-matter files in place (a change
of a few bytes), the "refresh after touching files" case.
"""

from __future__ import annotations

import argparse
import base64
import json
import random
import re
import shutil
import sys
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

GENERATOR_VERSION = 1

# Words found in no vocabulary, each placed in exactly this many front-matter files
# (half in the title, half in the excerpt), so a search for one has a known answer.
RARE_WORDS = {"zyxquorp": 5, "quabbrel": 5, "snorvik": 3, "vexlintha": 1}
COMMON_WORD = "cloud"  # in the title or excerpt of roughly one article in six
PHRASE = "supply chain"  # in roughly one article in thirty
TOUCH_WORD = "updated"
SYNTHETIC_SHARE = 0.12  # of the words of titles and excerpts drawn from the synthetic tail

BROKEN_SHARE = 0.002
PAGE_SHARE = 0.01  # of the files
TEXT_SHARE = 0.02
RELATED_SHARE = 0.30
YEARS = {
    2014: 3,
    2015: 4,
    2016: 5,
    2017: 6,
    2018: 8,
    2019: 11,
    2020: 13,
    2021: 15,
    2022: 13,
    2023: 12,
    2024: 10,
}

# Topics: the anchor of each site family first, then the rest by falling frequency.
AI_TOPIC, POWERAPPS_TOPIC = "AI", "Power Apps"
TOPICS = """
Machine Learning|Automation|Portals|Computer Vision|Model-driven apps|Teams integration|Canvas apps
|Natural Language Processing|Robotics|Azure|Cybersecurity|AI in Healthcare|Microsoft AI|Google AI
|AI in Autos|AWS AI|Facebook AI|AI Builder|Power Automate|AI in Robotics|Dataverse|AI Hardware
|Deep Learning|Power BI|Chatbots|AI in Finance|Analytics|Startups|Semiconductors|Dynamics 365
|Generative AI|Edge Computing|SharePoint|TensorFlow|Common Data Service|Quantum Computing|Fintech
|Drones|Regulation|Ethics|Open Source|DevOps|Kubernetes|Blockchain|Speech Recognition
|Facial Recognition|Smart Cities|Gaming|EdTech|Climate Tech|Serverless|Low Code|Big Data|IoT
|Space|E-commerce|Venture Capital|Large Language Models
""".replace("\n", "").split("|")

# Real providers seen in the corpora (most frequent first); synthetic ones fill up to 300.
REAL_PROVIDERS = [
    ("Microsoft", "microsoft.com"),
    ("Forbes", "forbes.com"),
    ("MarketWatch", "marketwatch.com"),
    ("VentureBeat", "venturebeat.com"),
    ("ZDNet", "zdnet.com"),
    ("Neowin", "neowin.net"),
    ("TechCrunch", "techcrunch.com"),
    ("Business Insider", "businessinsider.com"),
    ("Wall Street Journal", "wsj.com"),
    ("The Financial Times", "ft.com"),
    ("Medium", "medium.com"),
    ("Digital Journal", "digitaljournal.com"),
    ("PR Newswire", "prnewswire.com"),
    ("Electronic Design", "electronicdesign.com"),
    ("LinkedIn", "linkedin.com"),
    ("InfoQ", "infoq.com"),
    ("South China Morning Post", "scmp.com"),
    ("Bloomberg", "bloomberg.com"),
    ("On MSFT", "onmsft.com"),
    ("SharePoint", "sharepointeurope.com"),
    ("openpr.com", "openpr.com"),
    ("InfoWorld", "infoworld.com"),
    ("TechRepublic", "techrepublic.com"),
    ("TechRadar", "techradar.com"),
    ("Daily Mail", "dailymail.co.uk"),
    ("Associated Press", "apnews.com"),
    ("PC Magazine", "pcmag.com"),
    ("GitHub", "github.com"),
    ("Redmond Magazine", "redmondmag.com"),
    ("Visual Studio Magazine", "visualstudiomagazine.com"),
    ("Dark Reading", "darkreading.com"),
    ("NIKKEI", "nikkei.com"),
    ("SiliconANGLE", "siliconangle.com"),
    ("Business Wire", "businesswire.com"),
    ("Windows Central", "windowscentral.com"),
    ("CRN", "crn.com"),
    ("The Next Web", "thenextweb.com"),
    ("Computer Weekly", "computerweekly.com"),
    ("CNN", "cnn.com"),
    ("EurekAlert!", "eurekalert.org"),
    ("Science Daily", "sciencedaily.com"),
    ("CNET", "cnet.com"),
    ("Benzinga.com", "benzinga.com"),
    ("IT Pro", "itpro.co.uk"),
    ("New York Times", "nytimes.com"),
    ("The Times", "thetimes.co.uk"),
    ("Mint", "livemint.com"),
    ("Medical Xpress", "medicalxpress.com"),
    ("news", "mit.edu"),
    ("research", "ibm.com"),
    ("tech", "techstory.in"),
    ("YAHOO!News", "techcrunch.com"),
    ("아크로팬", "acrofan.com"),
    ("Marc D Anderson's Blog", "sympmarc.com"),
    ("Cyprus Mail", "cyprus-mail.com"),
]
PROVIDER_COUNT = 300
PROVIDER_SUFFIXES = [
    "Times",
    "Post",
    "Insider",
    "Journal",
    "Wire",
    "Review",
    "Today",
    "News",
    "Tech",
    "Daily",
    "Weekly",
    "Report",
    "Herald",
    "Observer",
    "Hub",
    "Magazine",
]
TLDS = [".com", ".com", ".com", ".net", ".co.uk", ".io", ".in", ".org", ".de", ".com.au"]

STOPWORDS = """
the the the of of and and to to a a in in for on with as at by from is its that
new how why will can more than after over into about
""".split()  # noqa: SIM905
STOPWORD_SET = frozenset(STOPWORDS)
# Content words, most frequent first; COMMON_WORD and PHRASE are placed at fixed ranks below.
REAL_WORDS = """
AI data Microsoft apps company market technology business platform users customers global
Google new intelligence artificial learning software research companies industry growth
service Apple Amazon digital power China time report system security launch features teams
enterprise analysis devices tools developers model models support year update people chip
startup growth funding billion million revenue investors forecast share services network
mobile app release preview wave automation robots vision image recognition language speech
health hospital patients doctors drug medical clinical insurance bank finance payments
trading stock shares IPO blacklist sanctions government federal policy law court privacy
ethics bias regulation workers jobs skills training education students university school
city cars vehicles driving autonomous electric battery energy climate carbon weather space
satellite rocket drone camera sensor video games gaming streaming music film television
retail shopping commerce e-commerce logistics shipping manufacturing factory industrial
chips semiconductor processor GPU Nvidia Intel AMD Qualcomm Samsung Huawei Baidu Alibaba
Tencent SenseTime OpenAI DeepMind Facebook Meta Twitter LinkedIn Salesforce Oracle IBM SAP
portal canvas dataverse connector connectors flows workflow form forms table tables gallery
formula formulas component components solution solutions environment environments admin
license licensing pricing plan plans capacity storage database server servers API APIs
integration integrations identity access authentication governance compliance tenant
partner partners ecosystem community conference event keynote announcement roadmap
open source project projects framework library code developer programming Python cloud-native
Kubernetes container containers edge devices IoT smart home assistant chatbot bot bots
GPT language-model generative text images art creative design product products
quantum computing computer computers laptop phone phones tablet wearable headset glasses
privacy surveillance facial cameras police military defense weapons killer crime fraud
research researchers scientists study paper papers breakthrough protein biology genome
cancer disease diagnosis treatment vaccine pandemic COVID-19 coronavirus lockdown remote
work hybrid office employees productivity collaboration meetings chat email calendar
customer experience marketing sales advertising brand brands social media content news
""".split()  # noqa: SIM905

SYLLABLES = """
ka lo ven tri mar sel dun bor fi qua zen pol ra tek mo lin sa gar vo nex bri del
tor wen phi cru sta mel dri fo ze ru han kel
""".split()  # noqa: SIM905

EXCERPT_ENDINGS = (".", ".", ".", ",", " ...", "…", ".")
IMAGE_SIZES = [
    (1200, 630),
    (1200, 630),
    (1600, 1600),
    (1024, 512),
    (1280, 720),
    (1920, 1080),
    (800, 600),
    (500, 293),
    (450, 300),
    (1200, 800),
    (400, 400),
    (1024, 546),
]
IMAGE_HOSTS = [
    "powerappsblogscdn.azureedge.net",
    "mw3.wsj.net",
    "thumbor.forbes.com",
    "i.ytimg.com",
    "cdn.neow.in",
    "miro.medium.com",
    "media-exp1.licdn.com",
    "images.idgesg.net",
    "d15shllkswkct0.cloudfront.net",
    "cdn.i-scmp.com",
    "assets.bwbx.io",
]


# --- vocabulary -------------------------------------------------------------------------------


def _zipf_cumulative(count: int, exponent: float, offset: float = 0.0) -> list[float]:
    total, cumulative = 0.0, []
    for rank in range(1, count + 1):
        total += 1.0 / (rank + offset) ** exponent
        cumulative.append(total)
    return cumulative


class Vocabulary:
    """Words, topics and providers with skewed (Zipf-like) frequencies.

    Built from a fixed seed, so the same words are common whatever `--seed` says.
    """

    def __init__(self) -> None:
        rng = random.Random(20140101)
        real = [word for word in REAL_WORDS if word not in (COMMON_WORD,)]
        real = list(dict.fromkeys(real))
        real.insert(29, COMMON_WORD)
        real.insert(100, PHRASE)
        taken = {word.lower() for word in real}
        synthetic: list[str] = []
        while len(synthetic) < 20000:
            word = "".join(rng.choices(SYLLABLES, k=rng.choice((2, 2, 3, 3, 4))))
            if word in taken or any(rare in word for rare in RARE_WORDS):
                continue
            taken.add(word)
            synthetic.append(word)
        self.words = real + synthetic
        # Real words carry most of the text; the long synthetic tail supplies rare words.
        head = _zipf_cumulative(len(real), 1.0, offset=2.0)
        tail = _zipf_cumulative(len(synthetic), 1.0)
        head_share = (1 - SYNTHETIC_SHARE) / head[-1]
        tail_share = SYNTHETIC_SHARE / tail[-1]
        self.word_weights = [weight * head_share for weight in head] + [
            1 - SYNTHETIC_SHARE + weight * tail_share for weight in tail
        ]
        self.topic_weights = _zipf_cumulative(len(TOPICS), 1.0, offset=1.0)
        self.providers = _providers(rng)
        self.provider_weights = _zipf_cumulative(len(self.providers), 1.0, offset=0.3)
        self.sentences = [self._sentence(rng) for _ in range(4000)]

    def draw(self, rng: random.Random, count: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.word_weights, k=count)

    def tokens(self, rng: random.Random, count: int) -> list[str]:
        """`count` content words with stop words between some of them."""
        words = self.draw(rng, count)
        stops = rng.choices(STOPWORDS, k=count)
        flags = rng.getrandbits(count)
        tokens: list[str] = []
        for position, word in enumerate(words):
            if position and flags >> position & 1:
                tokens.append(stops[position])
            tokens.append(word)
        return tokens

    def provider(self, rng: random.Random) -> tuple[str, str]:
        return rng.choices(self.providers, cum_weights=self.provider_weights)[0]

    def topics(self, rng: random.Random, anchor: str) -> list[str]:
        count = rng.choices((1, 2, 3, 4), weights=(45, 30, 15, 10))[0]
        chosen = [anchor]
        while len(chosen) < count:
            topic = rng.choices(TOPICS, cum_weights=self.topic_weights)[0]
            if topic not in chosen:
                chosen.append(topic)
        if len(chosen) > 1 and rng.random() < 0.3:  # the anchor comes in any position
            rng.shuffle(chosen)
        return chosen

    def _sentence(self, rng: random.Random) -> str:
        tokens = self.tokens(rng, rng.randint(6, 16))
        text = " ".join(tokens)
        return text[0].upper() + text[1:] + rng.choice((".", ".", ".", "?", "!"))


def _providers(rng: random.Random) -> list[tuple[str, str]]:
    providers = list(REAL_PROVIDERS)
    domains = {domain for _, domain in providers}
    while len(providers) < PROVIDER_COUNT:
        stem = "".join(rng.choices(SYLLABLES, k=rng.choice((2, 3))))
        suffix = rng.choice(PROVIDER_SUFFIXES)
        domain = (stem + suffix).lower() + rng.choice(TLDS)
        if domain in domains:
            continue
        domains.add(domain)
        name = domain if rng.random() < 0.1 else f"{stem.capitalize()} {suffix}"
        providers.append((name, domain))
    return providers


# --- the plan: what each file will be ---------------------------------------------------------


@dataclass
class Slot:
    kind: str  # "md", "txt", "page", "unclosed", "bad-yaml", "empty"
    records: int = 1
    rare: str | None = None  # a rare word this file must carry
    rare_in_title: bool = False


@dataclass
class Plan:
    slots: list[Slot]
    rare_files: dict[str, list[int]] = field(default_factory=dict)


def make_plan(count: int, rng: random.Random) -> Plan:
    """Decide the kind of each file so that the records add up to `count` articles."""
    broken = 0 if count < 50 else max(3, round(count * BROKEN_SHARE))
    pages = round(count * PAGE_SHARE / (1 + PAGE_SHARE * 2.5))
    page_sizes = [rng.randint(2, 5) for _ in range(pages)]
    while sum(page_sizes) > count - broken:
        page_sizes.pop()
    texts = round((count - sum(page_sizes) + len(page_sizes)) * TEXT_SHARE)
    texts = min(texts, count - broken - sum(page_sizes))
    markdown = count - broken - sum(page_sizes) - texts
    kinds = ("unclosed", "bad-yaml", "empty")
    slots = [Slot(kinds[i % 3]) for i in range(broken)]
    slots += [Slot("page", records=size) for size in page_sizes]
    slots += [Slot("txt") for _ in range(texts)]
    slots += [Slot("md") for _ in range(markdown)]
    rng.shuffle(slots)
    plan = Plan(slots)
    markdown_positions = [position for position, slot in enumerate(slots) if slot.kind == "md"]
    wanted = sum(RARE_WORDS.values())
    chosen = iter(rng.sample(markdown_positions, min(wanted, len(markdown_positions))))
    for word, times in RARE_WORDS.items():
        for copy in range(times):
            position = next(chosen, None)
            if position is None:
                break
            slots[position].rare = word
            slots[position].rare_in_title = copy % 2 == 0
            plan.rare_files.setdefault(word, []).append(position)
    return plan


# --- text -------------------------------------------------------------------------------------


@dataclass
class Story:
    """The fields an article and a related item share, as text ready to write."""

    title: str
    excerpt: str
    published: datetime
    provider: tuple[str, str]
    web_url: str
    amp: bool


class Writer:
    """Turns a seeded random stream into article files."""

    def __init__(self, seed: int, vocabulary: Vocabulary) -> None:
        self.rng = random.Random(seed)
        self.vocabulary = vocabulary
        self.stats: Counter[str] = Counter()
        self.providers: Counter[tuple[str, str]] = Counter()
        self.topics: Counter[str] = Counter()
        self.common_word = re.compile(rf"\b{re.escape(COMMON_WORD)}\b", re.IGNORECASE)
        self.phrase = re.compile(r"\b" + r"\s+".join(map(re.escape, PHRASE.split())) + r"\b", re.IGNORECASE)
        self.previous: Story | None = None

    # titles and excerpts

    def title(self, rare: str | None = None) -> str:
        rng = self.rng
        tokens = self.vocabulary.tokens(rng, rng.randint(5, 12))
        if rare:
            tokens.insert(rng.randint(0, len(tokens)), rare)
        if rng.random() < 0.6:
            tokens = [token if token in STOPWORD_SET else token[:1].upper() + token[1:] for token in tokens]
        text = " ".join(tokens)
        text = text[:1].upper() + text[1:]
        roll = rng.random()
        if roll < 0.04:
            text = text.replace(" ", " | ", 1)
        elif roll < 0.08:
            text = text.replace(" ", ": ", 1)
        elif roll < 0.11:
            text += "?"
        elif roll < 0.13:
            text += f" ${rng.randint(1, 900)}bn"
        elif roll < 0.15:
            text += f" {rng.randint(1, 99)}%"
        elif roll < 0.17:
            text = text.replace(" and ", " & ", 1)
        if rare:  # left undecorated, so the word stays whole
            return text
        return self._decorate(text, trailing_space=rng.random() < 0.04)[:180]

    def excerpt(self, rare: str | None = None) -> str:
        rng = self.rng
        target = rng.randint(100, 350)
        text = " ".join(self.vocabulary.tokens(rng, max(8, target // 9)))
        if len(text) > target:
            text = text[:target].rsplit(" ", 1)[0]
        if rare:
            tokens = text.split(" ")
            tokens.insert(rng.randint(0, len(tokens)), rare)
            text = " ".join(tokens)
        text = text[:1].upper() + text[1:] + rng.choice(EXCERPT_ENDINGS)
        if rare:
            return text
        roll = rng.random()
        if roll < 0.08:
            words = text.split(" ")
            at = rng.randint(0, max(0, len(words) - 3))
            words[at] = '"' + words[at]
            words[at + 2 if at + 2 < len(words) else at] += '"'
            text = " ".join(words)
        elif roll < 0.13:
            text = text.replace(" and ", " &amp; ", 1).replace(" the ", "&#8217;s ", 1)
        elif roll < 0.16:
            text = text.replace(". ", ".\n", 1) if ". " in text else text.replace(" ", "\n", 1)
        elif roll < 0.26:
            text = text.replace(" ", "  ", rng.randint(1, 3))
        return self._decorate(text, trailing_space=False)

    def _decorate(self, text: str, *, trailing_space: bool) -> str:
        """Non-ASCII punctuation and the odd bit of mojibake, as in the real files."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.06:
            text = text.replace(" the ", "’s ", 1)
        elif roll < 0.09:
            text = text.replace(" to ", " — ", 1)
        elif roll < 0.10:
            text = text.replace(" ", "® ", 1)
        elif roll < 0.11:
            text = text.replace("e", "é", 1)
        elif roll < 0.1108:
            text = "â€˜" + text.replace(" ", "â€™ ", 1)
        return text + " " if trailing_space else text

    # pieces of an article

    def published(self, date: datetime) -> datetime:
        rng = self.rng
        if rng.random() < 0.03:
            return date
        seconds = 0 if rng.random() < 0.9 else rng.randint(1, 59)
        return date + timedelta(minutes=rng.randint(0, 24 * 60 - 1), seconds=seconds)

    def web_url(self, domain: str, published: datetime, slug: str) -> str:
        rng = self.rng
        host = "www." + domain if rng.random() < 0.6 else domain
        style = rng.randint(0, 4)
        if style == 0:
            return f"https://{host}/{published:%Y/%m/%d}/{slug}/"
        if style == 1:
            return f"https://{host}/news/{slug}-{rng.randint(100000, 99999999)}"
        if style == 2:
            return f"https://{host}/article/{slug}.html"
        if style == 3:
            return f"https://{host}/content/{rng.getrandbits(128):032x}"
        return f"https://{host}/{rng.choice(('blog', 'tech', 'business', 'en-us/blog'))}/{slug}"

    def image(self) -> tuple[str, int, int]:
        rng = self.rng
        width, height = rng.choice(IMAGE_SIZES)
        host = rng.choice(IMAGE_HOSTS)
        query = rng.choice(("", "", "?w=1024", f"?width={width}&fit=cover"))
        return f"https://{host}/images/{rng.getrandbits(64):016x}.jpg{query}", width, height

    def secured(self) -> str:
        rng = self.rng
        blob = base64.b64encode(rng.randbytes(rng.randint(225, 402))).decode("ascii")
        iv = base64.b64encode(rng.randbytes(16)).decode("ascii")
        return f"{blob};{iv}"

    def story(self, date: datetime, rare: str | None, rare_in_title: bool) -> Story:
        """A new story, or (1%) a copy of the previous one under the next day's date."""
        rng = self.rng
        previous = self.previous
        if previous is not None and rare is None and rng.random() < 0.01:
            story = Story(
                previous.title,
                previous.excerpt,
                previous.published + timedelta(days=1),
                previous.provider,
                previous.web_url,
                previous.amp,
            )
            self.previous = None  # no rare word is ever copied
            return story
        title = self.title(rare if rare_in_title else None)
        excerpt = self.excerpt(rare if rare and not rare_in_title else None)
        provider = self.vocabulary.provider(rng)
        published = self.published(date)
        url = self.web_url(provider[1], published, slugify(title))
        story = Story(title, excerpt, published, provider, url, rng.random() < 0.3)
        self.previous = None if rare else story
        return story

    def count_story(self, story: Story, *, provider: bool = True) -> None:
        text = story.title + " " + story.excerpt
        self.stats["common_word_articles"] += bool(self.common_word.search(text))
        self.stats["phrase_articles"] += bool(self.phrase.search(text))
        if provider:
            self.providers[story.provider] += 1

    def body(self, size: int) -> str:
        """Markdown paragraphs of about `size` characters."""
        rng = self.rng
        paragraphs: list[str] = []
        length = 0
        while length < size:
            sentences = rng.choices(self.vocabulary.sentences, k=rng.randint(2, 6))
            paragraph = " ".join(sentences)
            roll = rng.random()
            if roll < 0.08:
                paragraph = "## " + sentences[0].rstrip(".?!")
            elif roll < 0.12:
                paragraph = "> " + paragraph
            paragraphs.append(paragraph)
            length += len(paragraph) + 2
        text = "\n\n".join(paragraphs)
        return text[:size].rsplit(" ", 1)[0] if len(text) > size else text


# --- front matter -----------------------------------------------------------------------------


def quoted(text: str) -> str:
    """A YAML double-quoted scalar, escaped the way the real files are."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def timestamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def amp_urls(web_url: str) -> tuple[str, str]:
    scheme_less = web_url.split("://", 1)[1]
    host, _, path = scheme_less.partition("/")
    amp = f"https://{host}/amp/{path}"
    cdn = f"https://{host.replace('-', '--').replace('.', '-')}.cdn.ampproject.org/c/s/{host}/amp/{path}"
    return amp, cdn


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title.lower().replace("’", "").replace("'", ""))
    text = text.encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:150].rstrip("-") or "untitled"


class FrontMatterArticle:
    """One front-matter file: the lines are built in the order the real files use."""

    def __init__(self, writer: Writer, story: Story, family: str, *, counted: bool = True) -> None:
        self.writer = writer
        self.counted = counted  # False for broken files: they add nothing to the manifest's counts
        self.story = story
        self.family = family  # "pa" (powerapps-like: every key) or "ai" (older, keys missing)
        self.old = story.published.year < 2017
        self.lines: list[str] = ["---", "category: news"]

    def url(self, url: str) -> str:
        plain = self.family == "ai" and self.old and self.writer.rng.random() < 0.7
        return url if plain else quoted(url)

    def render(self, slot: Slot) -> str:
        rng, story, lines = self.writer.rng, self.story, self.lines
        lines.append(f"title: {quoted(story.title)}")
        lines.append(f"excerpt: {quoted(story.excerpt)}")
        lines.append(f"publishedDateTime: {timestamp(story.published)}")
        if self.family == "pa" or rng.random() < 0.6:
            original = (
                story.web_url
                if rng.random() < 0.97
                else self.writer.web_url(
                    self.writer.vocabulary.provider(rng)[1], story.published, slugify(story.title)
                )
            )
            lines.append(f"originalUrl: {quoted(original)}")
        if self.family == "ai" or rng.random() < 0.98:
            lines.append(f"webUrl: {self.url(story.web_url)}")
        if story.amp:
            amp, cdn = amp_urls(story.web_url)
            lines.append(f"ampWebUrl: {self.url(amp)}")
            lines.append(f"cdnAmpWebUrl: {self.url(cdn)}")
        video = rng.random() < 0.02
        lines.append(
            "type: " + ("video" if video else rng.choice(("article",) * 60 + ("download", "profile")))
        )
        self.scores()
        lines.append("")
        if video:
            video_id = base64.urlsafe_b64encode(rng.randbytes(8)).decode("ascii")[:11]
            iframe = (
                f'<iframe width="800" height="500" frameborder="0" src="https://www.youtube.com/embed/'
                f'{video_id}" allow="autoplay; encrypted-media" allowfullscreen></iframe>'
            )
            lines += [f"featuredContent: {quoted(iframe)}", ""]
        self.provider()
        anchor = POWERAPPS_TOPIC if self.family == "pa" else AI_TOPIC
        topics = self.writer.vocabulary.topics(rng, anchor)
        if self.counted:
            self.writer.topics.update(topics)
        lines += ["topics:", *(f"  - {topic}" for topic in topics), ""]
        if rng.random() < (0.92 if self.family == "pa" else 0.76):
            self.images()
        if slot.rare is None and rng.random() < RELATED_SHARE:
            self.related(rng.choices(range(1, 11), weights=[1 / k for k in range(1, 11)])[0])
        lines += [f"secured: {quoted(self.writer.secured())}", "---", ""]
        return "\n".join(lines) + "\n"

    def scores(self) -> None:
        rng, lines = self.writer.rng, self.lines
        if self.family == "ai" and rng.random() < 0.42:
            return
        quality = 0 if rng.random() < 0.01 else min(189, int(rng.expovariate(1 / 45)))
        heat = -1 if self.family == "ai" and rng.random() < 0.3 else quality
        lines += [f"quality: {quality}", f"heat: {heat}"]
        lines.append(f"published: {'true' if rng.random() < 0.6 else 'false'}")

    def provider(self) -> None:
        rng, lines = self.writer.rng, self.lines
        name, domain = self.story.provider
        lines += ["provider:", f"  name: {name}", f"  domain: {domain}"]
        if rng.random() < (0.84 if self.family == "pa" else 0.35):
            site = "powerapps" if self.family == "pa" else "ai"
            url = f"https://everyday-cc.github.io/{site}/assets/images/organizations/{domain}-50x50.jpg"
            if self.family == "ai" and rng.random() < 0.3:
                url = f"/assets/images/organizations/{domain}-50x50.jpg"
            elif self.family == "ai" and self.story.published.year == 2020:
                url = f"https://smartableai.github.io/artificial-intelligence/assets/images/organizations/{domain}-50x50.jpg"
            lines += ["  images:", f"    - url: {quoted(url)}", "      width: 50", "      height: 50"]
        lines.append("")

    def images(self) -> None:
        url, width, height = self.writer.image()
        lines = self.lines
        lines += ["images:", f"  - url: {self.url(url)}", f"    width: {width}", f"    height: {height}"]
        if self.old:
            lines.append(f"    title: {quoted(self.story.title)}")
            if self.writer.rng.random() < 0.2:
                lines.append("    isCached: true")
        else:
            lines.append("    isCached: true")
        lines.append("")

    def related(self, count: int) -> None:
        writer, rng, lines = self.writer, self.writer.rng, self.lines
        lines.append("related:")
        for _ in range(count):
            name, domain = writer.vocabulary.provider(rng)
            title = writer.title()
            moment = self.story.published + timedelta(minutes=rng.randint(-4 * 1440, 3 * 1440))
            url = writer.web_url(domain, moment, slugify(title))
            lines += [
                f"  - title: {quoted(title)}",
                f"    excerpt: {quoted(writer.excerpt())}",
                f"    publishedDateTime: {timestamp(moment)}",
                f"    webUrl: {quoted(url)}",
            ]
            if rng.random() < 0.4:
                amp, cdn = amp_urls(url)
                lines += [f"    ampWebUrl: {quoted(amp)}", f"    cdnAmpWebUrl: {quoted(cdn)}"]
            lines += [
                "    type: article",
                "    provider:",
                f"      name: {name}",
                f"      domain: {domain}",
                f"    quality: {rng.randint(10, 150)}",
            ]
            if rng.random() < 0.9:
                image, width, height = writer.image()
                lines += [
                    "    images:",
                    f"      - url: {quoted(image)}",
                    f"        width: {width}",
                    f"        height: {height}",
                    "        isCached: true",
                ]
        lines.append("")
        if self.counted:
            writer.stats["related_files"] += 1
            writer.stats["related_items"] += count


# --- files of each kind -----------------------------------------------------------------------


def _size_target(rng: random.Random) -> int:
    return int(rng.triangular(2048, 5120, 2600))


def front_matter_file(writer: Writer, slot: Slot, date: datetime) -> tuple[str, str]:
    rng = writer.rng
    story = writer.story(date, slot.rare, slot.rare_in_title)
    writer.count_story(story)
    family = "pa" if rng.random() < 0.4 else "ai"
    text = FrontMatterArticle(writer, story, family).render(slot)
    if "\nrelated:\n" not in text:
        room = _size_target(rng) - len(text.encode("utf-8"))
        if room > 200:
            text += writer.body(room - 1) + "\n"
    return text, slugify(story.title)


def plain_text_file(writer: Writer, date: datetime) -> tuple[str, str]:
    rng = writer.rng
    title = writer.title().strip()
    lede = writer.excerpt().replace("\n", " ")
    story = Story(title, lede, date, ("", ""), "", False)
    writer.count_story(story, provider=False)  # plain text names no provider
    parts = [title, "", lede, ""]
    if rng.random() < 0.5:  # the headline printed again under the lede, as in the seeds
        parts += [title, ""]
    parts.append(writer.body(_size_target(rng) - len(title) - len(lede)))
    return "\n".join(parts) + "\n", slugify(title)


def json_page_file(writer: Writer, slot: Slot, date: datetime) -> tuple[str, str]:
    rng = writer.rng
    records = []
    list_provider = rng.random() < 0.5
    for _ in range(slot.records):
        story = writer.story(date, None, False)
        writer.count_story(story)
        moment = story.published
        if rng.random() < 0.3:
            offset = timezone(timedelta(hours=-7))
            spelled = moment.astimezone(offset).isoformat()
        else:
            spelled = timestamp(moment)
        name, domain = story.provider
        image_url, width, height = writer.image()
        record: dict[str, Any] = {
            "title": story.title,
            "excerpt": story.excerpt,
            "publishedDateTime": spelled,
            "originalUrl": story.web_url if rng.random() < 0.7 else None,
            "webUrl": story.web_url,
            "ampWebUrl": amp_urls(story.web_url)[0] if story.amp else None,
            "type": "article",
            "quality": rng.randint(0, 160) if rng.random() < 0.8 else None,
            "heat": rng.randint(-1, 160),
            "provider": [{"name": name, "domain": domain}]
            if list_provider
            else {"name": name, "domain": domain},
            "topics": writer.vocabulary.topics(rng, AI_TOPIC),
            "images": [{"url": image_url, "width": width, "height": height}] if rng.random() < 0.8 else None,
        }
        writer.topics.update(record["topics"])
        records.append(record)
    text = json.dumps({"value": records}, indent=2, ensure_ascii=False) + "\n"
    return text, f"news-page-{rng.randint(1, 400)}"


def broken_file(writer: Writer, slot: Slot, date: datetime) -> tuple[str, str]:
    if slot.kind == "empty":
        return "", f"empty-{writer.rng.getrandbits(32):08x}"
    story = writer.story(date, None, False)
    text = FrontMatterArticle(writer, story, "pa", counted=False).render(Slot("md"))
    if slot.kind == "unclosed":
        text = text[: text.rindex("---")].rstrip("\n") + "\n"
    else:  # a plain scalar holding ": " is not valid YAML
        text = text.replace(
            "category: news\n", f"category: news\nsubtitle: Breaking: {story.title[:40]}\n", 1
        )
    return text, slugify(story.title)


# --- the archive ------------------------------------------------------------------------------


def _year_weights() -> tuple[list[int], list[int]]:
    return list(YEARS), list(YEARS.values())


def generate(out: Path, count: int, seed: int = 1, *, nested: bool = False) -> dict[str, Any]:
    """Write `count` articles into `out` (which must be empty or missing); return the manifest."""
    started = time.perf_counter()
    vocabulary = Vocabulary()
    writer = Writer(seed, vocabulary)
    rng = writer.rng
    plan = make_plan(count, rng)
    out.mkdir(parents=True, exist_ok=True)
    years, weights = _year_weights()
    names: set[str] = set()
    kinds: Counter[str] = Counter()
    paths: list[str] = []
    broken: list[dict[str, str]] = []
    total_bytes = 0
    made_folders: set[str] = set()
    for slot in plan.slots:
        year = rng.choices(years, weights)[0]
        day = datetime(year, 1, 1, tzinfo=timezone.utc) + timedelta(days=rng.randint(0, 364))
        if slot.kind == "md":
            text, slug = front_matter_file(writer, slot, day)
            suffix = ".md"
        elif slot.kind == "txt":
            text, slug = plain_text_file(writer, day)
            suffix = ".txt"
        elif slot.kind == "page":
            text, slug = json_page_file(writer, slot, day)
            suffix = ".json"
        else:
            text, slug = broken_file(writer, slot, day)
            suffix = ".md"
        file_day = day + timedelta(days=1) if rng.random() < 0.05 else day
        name = _unique(f"{file_day:%Y-%m-%d}-{slug}", suffix, names)
        relative = f"{file_day:%Y}/{name}" if nested else name
        if nested and relative[:4] not in made_folders:
            (out / relative[:4]).mkdir(exist_ok=True)
            made_folders.add(relative[:4])
        data = text.encode("utf-8")
        with open(out / relative, "wb") as handle:
            handle.write(data)
        total_bytes += len(data)
        kinds[slot.kind] += 1
        paths.append(relative)
        if slot.kind in ("unclosed", "bad-yaml", "empty"):
            broken.append({"path": relative, "kind": slot.kind})
    return _manifest(
        count, seed, nested, plan, paths, kinds, broken, writer, total_bytes, time.perf_counter() - started
    )


def _unique(stem: str, suffix: str, names: set[str]) -> str:
    name, number = stem + suffix, 2
    while name in names:
        name = f"{stem}-{number}{suffix}"
        number += 1
    names.add(name)
    return name


def _manifest(
    count: int,
    seed: int,
    nested: bool,
    plan: Plan,
    paths: list[str],
    kinds: Counter[str],
    broken: list[dict[str, str]],
    writer: Writer,
    total_bytes: int,
    seconds: float,
) -> dict[str, Any]:
    records = sum(slot.records for slot in plan.slots if slot.kind == "page")
    top_providers = [[domain, name, n] for (name, domain), n in writer.providers.most_common(10) if domain]
    return {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "count": count,
        "nested": nested,
        "files": len(paths),
        "articles": count - len(broken),
        "kinds": {
            "front_matter": kinds["md"],
            "plain_text": kinds["txt"],
            "json_pages": kinds["page"],
            "json_records": records,
            "broken": len(broken),
        },
        "broken": broken,
        "related_files": writer.stats["related_files"],
        "related_items": writer.stats["related_items"],
        "rare_words": {
            word: sorted(paths[i] for i in positions) for word, positions in plan.rare_files.items()
        },
        "common_word": {"word": COMMON_WORD, "articles": writer.stats["common_word_articles"]},
        "phrase": {"phrase": PHRASE, "articles": writer.stats["phrase_articles"]},
        "top_providers": top_providers,
        "top_topics": [[topic, n] for topic, n in writer.topics.most_common(12)],
        "bytes": total_bytes,
        "seconds": round(seconds, 2),
    }


def manifest_path(out: Path) -> Path:
    """Where the manifest of the archive in `out` lives: beside the folder, not in it."""
    return out.parent / (out.name + ".manifest.json")


def read_manifest(out: Path) -> dict[str, Any] | None:
    try:
        return json.loads(manifest_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- touching ---------------------------------------------------------------------------------

_EXCERPT_LINE = re.compile(r'^(excerpt: ".*)"$', re.MULTILINE)


def touch_files(out: Path, count: int, seed: int = 1, word: str = TOUCH_WORD) -> list[Path]:
    """Append `word` to the excerpt of `count` front-matter files chosen by `seed`."""
    rng = random.Random(seed)
    candidates = sorted(out.rglob("*.md"))
    rng.shuffle(candidates)
    touched: list[Path] = []
    for path in candidates:
        if len(touched) >= count:
            break
        text = path.read_bytes().decode("utf-8")
        closing = text.find("\n---\n", 4)
        if not text.startswith("---\n") or closing < 0:
            continue
        front_matter = text[:closing]
        match = _EXCERPT_LINE.search(front_matter)
        if match is None:
            continue
        changed = front_matter[: match.end(1)] + f' {word}"' + text[match.end() :]
        path.write_bytes(changed.encode("utf-8"))
        touched.append(path)
    return touched


# --- command line -----------------------------------------------------------------------------


def _prepare(out: Path, force: bool) -> None:
    if not out.exists() or not any(out.iterdir()):
        return
    if not force:
        raise SystemExit(f"generate.py: {out} is not empty (pass --force to replace it)")
    if read_manifest(out) is None:
        raise SystemExit(f"generate.py: {out} was not made by generate.py; remove it yourself")
    shutil.rmtree(out)


def _summary(manifest: dict[str, Any], out: Path) -> str:
    kinds = manifest["kinds"]
    lines = [
        f"wrote {manifest['files']} files ({manifest['articles']} articles) to {out} "
        f"in {manifest['seconds']} s: {manifest['bytes'] / 1e6:.1f} MB, "
        f"{manifest['bytes'] / max(1, manifest['files']):.0f} bytes per file",
        f"  {kinds['front_matter']} front matter ({manifest['related_files']} with related items), "
        f"{kinds['plain_text']} plain text, {kinds['json_pages']} JSON pages holding "
        f"{kinds['json_records']} records, {kinds['broken']} broken",
        f"  common provider {manifest['top_providers'][0][0] if manifest['top_providers'] else '-'}, "
        f"word {manifest['common_word']['word']!r} in {manifest['common_word']['articles']} articles, "
        f"phrase {manifest['phrase']['phrase']!r} in {manifest['phrase']['articles']}",
    ]
    for word, files in manifest["rare_words"].items():
        lines.append(f"  rare word {word!r} in {len(files)} files: {', '.join(files)}")
    for item in manifest["broken"]:
        lines.append(f"  broken ({item['kind']}): {item['path']}")
    lines.append(f"  manifest: {manifest_path(out)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the folder to write (or touch)")
    parser.add_argument("--count", type=int, help="how many articles to write")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--nested", action="store_true", help="put the files in YYYY/ subfolders")
    parser.add_argument("--force", action="store_true", help="replace a folder generate.py made before")
    parser.add_argument("--touch", type=int, metavar="K", help="append a word to the excerpt of K files")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.touch is not None:
        touched = touch_files(args.out, args.touch, args.seed)
        if not args.quiet:
            print(f"touched {len(touched)} files in {args.out}")
        return 0
    if args.count is None or args.count < 0:
        parser.error("--count N (N >= 0) or --touch K is required")
    _prepare(args.out, args.force)
    manifest = generate(args.out, args.count, args.seed, nested=args.nested)
    manifest_path(args.out).write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    if not args.quiet:
        print(_summary(manifest, args.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
