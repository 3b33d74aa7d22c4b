"""Pelican 4.12 settings for the benchmark corpus (bench/corpus.py --pelican copies this).

Only the pages digest makes: articles, actor pages (as author pages), tag pages, the paginated
home and one Atom feed; Pelican's content cache on, so its second build is as fast as it gets.
"""

AUTHOR = "Benchmark"
SITENAME = "Benchmark digest"
SITEURL = "http://127.0.0.1:8000"
PATH = "content"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS: list[str] = []
STATIC_PATHS: list[str] = []
THEME = "theme"
THEME_STATIC_PATHS: list[str] = []
TIMEZONE = "UTC"
DEFAULT_LANG = "en"

ARTICLE_URL = "articles/{slug}/"
ARTICLE_SAVE_AS = "articles/{slug}/index.html"
AUTHOR_URL = "actors/{slug}/"
AUTHOR_SAVE_AS = "actors/{slug}/index.html"
TAG_URL = "tags/{slug}/"
TAG_SAVE_AS = "tags/{slug}/index.html"
CATEGORY_SAVE_AS = ""
DIRECT_TEMPLATES = ["index"]

DEFAULT_PAGINATION = 10
PAGINATED_TEMPLATES = {"index": None}
PAGINATION_PATTERNS = [
    (1, "{url}", "{save_as}"),
    (2, "page/{number}/", "page/{number}/index.html"),
]

FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_MAX_ITEMS = 20
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None

# Python-Markdown with the extensions a news body needs; no code highlighting.
MARKDOWN = {
    "extension_configs": {"markdown.extensions.extra": {}, "markdown.extensions.meta": {}},
    "output_format": "html5",
}

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = "cache"
CHECK_MODIFIED_METHOD = "mtime"
