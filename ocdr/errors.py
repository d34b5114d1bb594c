"""Exceptions raised by ocdr. Every user-facing failure is one of these, with a message that names the input."""


class OcdrError(Exception):
    """Base class of all ocdr errors."""


class InputError(OcdrError, ValueError):
    """An input could not be read: missing, corrupt, empty, unsupported or too large."""


class InputTooLarge(InputError):
    """An input is over a size limit (pixels, pages, bytes): valid, but more than this caller accepts."""


class ModelError(OcdrError, RuntimeError):
    """A model file is missing or does not match what the pipeline expects."""
