"""Jinja templates turned into pages: the only module that knows about Jinja."""

from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

from digest.config import Config
from digest.errors import Problem, TemplateError
from digest.theme import theme_dir

log = logging.getLogger(__name__)

# Characters XML 1.0 does not allow anywhere, even escaped.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")

# template name -> its text, and the names of the templates it extends, includes or imports
# (None for a name computed at render time)
ParsedTemplates = dict[str, tuple[str, frozenset[str | None]]]


@dataclass(frozen=True, slots=True)
class PageSpec:
    """One output file to render: which template, and how to make its view values.

    The values are made on demand, so that a worker process renders its share of the pages
    without building every page's views.
    """

    path: str  # output path relative to the site root
    template: str
    make_context: Callable[[], Mapping[str, Any]]


def template_dirs(config: Config) -> tuple[Path, ...]:
    """The digest's own templates first, then the default theme's, template by template."""
    own = config.templates_dir
    theme = theme_dir()
    if own.is_dir() and own.resolve() != theme.resolve():
        return (own, theme)
    return (theme,)


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's cache of compiled templates, which must never fail a build: a folder that cannot
    be written (a full disk, or one removed meanwhile by another build's tidying) only means
    compiling again next time."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError as error:
            log.warning("could not keep a compiled template in %s: %s", self.directory, error)


_NO_LANGUAGE = markupsafe.Markup("")

# MarkupSafe's own escaping of a str, without the Markup made around it (MarkupSafe 3; in
# MarkupSafe 2 escape is a single C function, and there is nothing to save)
_escape_text = getattr(markupsafe, "_escape_inner", None)
_Markup = markupsafe.Markup
_as_markup = str.__new__


def _escape(value: Any) -> markupsafe.Markup:
    """markupsafe.escape, with the same result, in a third of the time for a str. Every
    `{{ value }}` in a template is one call, about 190 a page, and MarkupSafe 3 spends most
    of a call making the Markup through Markup.__new__, in Python, which looks for an
    __html__ method (a str has none) before doing what str.__new__ does here."""
    if type(value) is str:
        return _as_markup(_Markup, _escape_text(value))  # type: ignore[misc]
    if type(value) is _Markup:  # safe already: escape would make an equal copy
        return value
    return markupsafe.escape(value)


escape = _escape if _escape_text is not None else markupsafe.escape


class _Template(jinja2.Template):
    """A template whose compiled code escapes with digest's escape. Jinja compiles a template
    to a Python module that imports markupsafe's escape by name, and the template's functions
    look that name up in the module when they run: replacing it there changes nothing else."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any,
                  globals: MutableMapping[str, Any], uptodate: Callable[[], bool] | None = None,
                  ) -> jinja2.Template:
        template = super().from_code(environment, code, globals, uptodate)
        module = template.root_render_func.__globals__
        if module.get("escape") is markupsafe.escape:
            module["escape"] = escape
        return template


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling a template's macros straight away: Context.call first asks
    whether the callable wants the context or the environment passed in, which a macro never
    does (a few thousand calls a build: a timeline's every entry is one)."""

    def call(__self, __obj: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        if type(__obj) is not jinja2.runtime.Macro:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:  # as Context.call has it
            return __self.environment.undefined(
                "value was undefined because a callable raised a StopIteration exception")


def make_environment(config: Config, compiled: Path | None = None) -> jinja2.Environment:
    """The Jinja environment for the digest's templates. compiled: a folder where Jinja keeps
    templates compiled to bytecode (by source checksum), so later builds skip compiling; it must
    be these settings' own (digest.cache.compiled_templates): compiled code holds the values of
    the url filters applied to constants."""
    bytecode_cache = None
    if compiled is not None:
        bytecode_cache = _CompiledTemplates(str(compiled))
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(p) for p in template_dirs(config)]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        bytecode_cache=bytecode_cache,
        # templates are never reloaded: a build whose templates changed makes a new environment
        # (digest.build), and checking each template's file on every page costs 6% of rendering
        auto_reload=False,
    )
    environment.template_class = _Template
    environment.context_class = _Context
    base_path, base_url = config.base_path, config.base_url

    def url(path: str) -> str:
        return base_path + path

    def absolute_url(path: str) -> str:
        return base_url + path

    def lang(language: str | None) -> markupsafe.Markup:
        """` lang="ko"` for an element holding an article in another language than the
        digest's ("" and None, the digest's own: nothing): `<h1{{ article.language|lang }}>`."""
        if not language:
            return _NO_LANGUAGE
        return markupsafe.Markup(' lang="{}"').format(language)

    # As filters ({{ article.url|url }}, what the theme uses) and as functions ({{ url(...) }},
    # for older templates). A filter is called straight from the compiled template; a function
    # goes through Jinja's Context.call each time, which made rendering a fifth slower.
    environment.filters.update(url=url, absolute_url=absolute_url, lang=lang)
    environment.globals.update(site=config, url=url, absolute_url=absolute_url)
    return environment


def compile_templates(environment: jinja2.Environment) -> None:
    """Compile every page template now, so that worker processes forked afterwards share them
    instead of each compiling its own. A broken one is left for rendering to report."""
    for name in environment.list_templates(filter_func=lambda n: not n.startswith("static/")):
        try:
            environment.get_template(name)
        except (jinja2.TemplateError, UnicodeDecodeError):
            continue


def template_closures(environment: jinja2.Environment, root: Path,
                      parsed: ParsedTemplates | None = None,
                      ) -> dict[str, frozenset[str] | None]:
    """For each template, the templates it is made of (itself, what it extends, includes and
    imports, all the way down); None where a name is computed at render time. Raises
    TemplateError for a template that is not UTF-8 text (root: to name its file).

    parsed: what an earlier call found (a builder keeps it between builds), brought up to
    date here: a template whose text is the same is not parsed again. Parsing every template
    took 15 ms of the 36 ms in which digest serve put an edited template's open page right."""
    import jinja2.meta

    direct: dict[str, set[str | None]] = {}
    for name in environment.list_templates(filter_func=lambda n: not n.startswith("static/")):
        try:
            source = environment.loader.get_source(environment, name)[0]  # type: ignore[union-attr]
            known = parsed.get(name) if parsed is not None else None
            if known is not None and known[0] == source:
                direct[name] = set(known[1])
                continue
            names = frozenset(jinja2.meta.find_referenced_templates(environment.parse(source)))
            if parsed is not None:
                parsed[name] = (source, names)
            direct[name] = set(names)
        except jinja2.TemplateError:
            direct[name] = {None}  # a broken template: rendering will report it
        except UnicodeDecodeError as error:
            folders = getattr(environment.loader, "searchpath", ())
            found = next((Path(f) / name for f in folders if (Path(f) / name).is_file()),
                         Path(name))
            raise TemplateError(Problem(
                _relative(str(found), root), None,
                f"not UTF-8 text (byte {error.start}: {error.object[error.start]:#04x})",
                "save the template as UTF-8")) from None
    if parsed is not None:
        for gone in parsed.keys() - direct.keys():
            del parsed[gone]
    closures: dict[str, frozenset[str] | None] = {}
    for name in direct:
        seen: set[str] = set()
        todo: list[str | None] = [name]
        while todo:
            current = todo.pop()
            if current is None:
                seen.clear()
                break
            if current not in seen:
                seen.add(current)
                todo.extend(direct.get(current, ()))
        closures[name] = frozenset(seen) if seen else None
    return closures


def _template_location(error: BaseException, root: Path) -> tuple[str, int | None]:
    if isinstance(error, jinja2.TemplateSyntaxError) and error.filename:
        return _relative(error.filename, root), error.lineno
    for frame in reversed(traceback.extract_tb(error.__traceback__)):
        if frame.filename.endswith((".html", ".xml", ".txt")):
            return _relative(frame.filename, root), frame.lineno
    return "templates", None


def _relative(filename: str, root: Path) -> str:
    path = Path(filename).resolve()
    for base in (root.resolve(), theme_dir().parent):
        if path.is_relative_to(base):
            return path.relative_to(base).as_posix()
    return filename


def render_page(environment: jinja2.Environment, page: PageSpec, context: Mapping[str, Any],
                root: Path) -> bytes:
    """Render one page; a template problem becomes a TemplateError naming file and line."""
    try:
        template = environment.get_template(page.template)
        text = template.render(context)
        if page.path.endswith(".xml"):
            # A control character (from text pasted out of a PDF, say) makes XML ill-formed,
            # and a feed reader then drops the whole feed; in HTML it is merely invisible.
            text = _NOT_IN_XML.sub("", text)
        return text.encode("utf-8")
    except jinja2.TemplateNotFound as error:
        raise TemplateError(Problem("templates", None, f"template '{error.name}' not found",
                                    f"add templates/{error.name} or remove what uses it"),
                            ) from None
    except Exception as error:  # any failure inside a template is the template's problem
        path, line = _template_location(error, root)
        message = getattr(error, "message", None) or str(error)
        raise TemplateError(Problem(path, line, f"template error while rendering "
                                                f"{page.path}: {message}")) from None
