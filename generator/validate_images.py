"""Stage 2, in part: the images of one file, as its front matter and its body give them.

A story's ``images`` (and its provider's logos, and its related stories' images) are
http(s) URLs with a size; a story's own may also be paths of this site (``static/``,
``root/``: ``site_images``), sized from the file where the story gives no size, and so
may the images of its Markdown body. Each problem is a warning at its field's line: the
image is left out (or, in a body, shown as written).
"""

from __future__ import annotations

from typing import Any

from .diagnostics import shorten, warning
from .field_checker import FieldChecker
from .records import Image, SiteImage, first_sized
from .site_images import SiteFiles, SitePath, body_site_images, is_site_path, looked_in, site_path
from .theme import ROOT_DIR, STATIC_DIR


def body_images(check: FieldChecker) -> tuple[SiteImage, ...]:
    """The files of this site that the images of the file's Markdown body name (those
    given as paths), and a warning for each path that names no file."""
    found: dict[str, SiteImage] = {}
    source = check.source
    for number, link, named in body_site_images(source.body):
        line = source.body_line + number
        if named is None:
            check.problems.append(warning(
                source.path, f"the body's image {shorten(link)} is not the path of a file (a "
                "folder, '..', or a quote); it is shown as written", line=line, field="body",
                hint=_IMAGE_PATH_HINT))
            continue
        there, size = check.site_files.look(named.path)
        if not there:
            check.problems.append(warning(
                source.path, f"the body's image {shorten(link)} names {named.path}, which is "
                f"not in the site's {looked_in(named.path)}; it is shown as written, a broken "
                "image", line=line, field="body",
                hint=_missing_hint(check.site_files, named.path)))
        elif named.path not in found:
            found[named.path] = SiteImage(named.path, check.site_files.url(SitePath(named.path)),
                                          *(size or (None, None)))
    return tuple(found.values())


def listed_images(check: FieldChecker, value: object, where: str, *, paths_allowed: bool = False
            ) -> tuple[Image, ...]:
    """The images of ``value``; a path (``/x.png``) on the site the data came from is left
    out, silently where ``paths_allowed`` (provider logos: the schema's sites gave them so),
    else with a warning."""
    images: list[Image] = []
    for here, item in check.mappings(value, where, listed="images should be a list",
                                     each="an image must be a mapping with a url"):
        raw_url = item.get("url")
        if isinstance(raw_url, str) and not paths_allowed and is_site_path(raw_url) \
                and raw_url.strip():
            image = _site_image(check, item, raw_url, here)
            if image is not None:
                images.append(image)
            continue
        if isinstance(raw_url, str) and _image_path_problem(check, raw_url, f"{here}.url",
                                                            paths_allowed=paths_allowed):
            continue
        url = check.url(item, "url", where=f"{here}.url")
        if not url:
            continue
        images.append(Image(url=url, width=_dimension(check, item, "width", here),
                            height=_dimension(check, item, "height", here),
                            title=check.text(item, "title", where=f"{here}.title")))
    return tuple(images)


def _image_path_problem(check: FieldChecker, url: str, where: str, *, paths_allowed: bool
                        ) -> bool:
    """Whether the image URL ``url`` is a path or a scheme-relative URL (``//host/x``),
    which is left out: a scheme-relative URL with a warning, and a path silently where
    ``paths_allowed`` (provider logos and related[] stories' images: paths on the site the
    data came from). (A story's own images may be paths of this site: ``_site_image``.)"""
    text = url.strip()
    if text.startswith("//"):
        check.warn(where, f"{shorten(url)} is a URL without its scheme; the image is not "
                   "shown", f"Write it with https: 'https:{text}'.")
        return True
    return paths_allowed and is_site_path(text)


def _site_image(check: FieldChecker, item: dict[str, Any], url: str, here: str) -> Image | None:
    """A story's image given as a path of this site (``/static/img/hero.jpg``): the file
    it names, with its size from the file where the story gives none (see
    ``site_images``); None, with a warning, when the site has no such file."""
    where = f"{here}.url"
    named = site_path(check.clean(where, url))
    if named is None:
        check.warn(where, f"{shorten(url)} is not the path of a file (a folder, '..', a space "
                   "or a quote); the image is not shown", _IMAGE_PATH_HINT)
        return None
    there, size = check.site_files.look(named.path)
    if not there:
        check.warn(where, f"{shorten(url)} names {named.path}, which is not in the site's "
                   f"{looked_in(named.path)}; the image is not shown",
                   _missing_hint(check.site_files, named.path))
        return None
    width = _dimension(check, item, "width", here)
    height = _dimension(check, item, "height", here)
    if not (width and height):
        if size is None:
            check.warn(where, f"the size of {named.path} could not be read from the file (PNG, "
                       "JPEG, GIF and WebP files say it, an SVG file in its width and height "
                       "in pixels); the image is not shown without one",
                       "Give the image's width and height in pixels.")
        width, height = size or (width, height)
    return Image(url=check.site_files.url(named), width=width, height=height,
                 title=check.text(item, "title", where=f"{here}.title"))


def _missing_hint(files: SiteFiles, path: str) -> str:
    """What to do about an image path that names no file: the path of a file of
    ``static/`` that has the name, if there is one, else where to put the file."""
    if not path.startswith(STATIC_DIR + "/") and files.look(f"{STATIC_DIR}/{path}")[0]:
        return f"Did you mean /{STATIC_DIR}/{path}? (static/{path} is published there.)"
    folder = path[len(STATIC_DIR) + 1:] if path.startswith(STATIC_DIR + "/") else path
    return (f"Add the file as {STATIC_DIR}/{folder}" if path.startswith(STATIC_DIR + "/")
            else f"Add the file as {ROOT_DIR}/{path}") + ", or correct the path (paths are " \
        "from the site's root: /static/... for a file of static/), or give the image's " \
        "full https:// URL."


_IMAGE_PATH_HINT = ("Give the path of a file of the site's static/ folder (/static/img/x.jpg) "
                    "or root/ folder, or the image's full https:// URL.")


def story_images(check: FieldChecker, value: object) -> tuple[Image, ...]:
    """The story's ``images``; when there are some but none has a width and a height,
    a warning: the story is then shown without a picture (``Story.card_image``). (Not
    when an image was warned of already: a width of ``640px`` says what to mend.)"""
    warned = len(check.problems)
    images = listed_images(check, value, "images")
    if images and first_sized(images) is None and len(check.problems) == warned:
        which = "its image lacks" if len(images) == 1 \
            else f"each of its {len(images)} images lacks"
        check.warn("images", f"{which} a width or a height, so the story is shown without "
                   "a picture",
                   "Give an image's width and height in pixels (the page is laid out "
                   "before the picture loads).")
    return images


def _dimension(check: FieldChecker, item: dict[str, Any], key: str, where: str) -> int | None:
    value = check.number(item, key, where=f"{where}.{key}",
                         hint="Write a plain number such as 640 (no units).")
    if value is not None and not 0 < value <= 100_000:
        check.warn(f"{where}.{key}", f"{key} {value} is out of range", "Use pixels, 1 to 100000.")
        return None
    return value
