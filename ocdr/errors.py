"""Exceptions raised by ocdr. Every user-facing failure is one of these, with a message that names the input."""


class OcdrError(Exception):
    """Base class of all ocdr errors."""


class InputError(OcdrError, ValueError):
    """An input could not be read: missing, corrupt, empty, unsupported or too large."""


class InputTooLarge(InputError):
    """An input is over a size limit (pixels, pages, bytes): valid, but more than this caller accepts."""


class ModelError(OcdrError, RuntimeError):
    """A model file is missing or does not match what the pipeline expects."""


def about(name: str, message: str, page: int | None = None) -> str:
    """``message`` about input ``name`` (``page``: from 1) as one line that names it once: an ``InputError``'s
    message names its input itself ("scan.jpg could not be decoded ..."), which a caller printing "name: message"
    would say twice."""
    where = f"{name} page {page}" if page else name
    if message.startswith((f"{where} ", f"{where}:")):
        return message
    if message.startswith((f"{name} ", f"{name}:")):
        message = message[len(name) :].lstrip(" :")
    return f"{where}: {message}"
