"""Old names kept working for one release (lnet 1.0), each with a ``DeprecationWarning``.

Three kinds of renames, three thin shims:

- a keyword argument renamed: :func:`renamed_kwargs` (a decorator);
- a function renamed: :func:`renamed_function` (a wrapper that warns, then calls the new one);
- a name moved to another module: :func:`moved_names` builds the module's ``__getattr__``,
  which imports the new home lazily (so the shim adds no import to the layering).

The table of every rename is in the package docstring (section "Renamed in 1.0").
"""

from __future__ import annotations

import functools
import importlib
import warnings

__all__ = ["moved_names", "renamed_function", "renamed_kwargs"]

_REMOVAL = "it will be removed in lnet 1.1"


def _warn(message: str) -> None:
    warnings.warn(f"{message}; {_REMOVAL}", DeprecationWarning, stacklevel=3)


def renamed_kwargs(**old_to_new: str):
    """Decorator: accept each old keyword name, warn, and pass the value on under the new name.

    Parameters
    ----------
    **old_to_new : str
        ``old_name="new_name"`` pairs.

    Returns
    -------
    callable
        The decorator.
    """

    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            used = [old for old in old_to_new if old in kwargs]
            if used:  # one warning per call, naming every old keyword used
                renames = ", ".join(f"{old}= is now {old_to_new[old]}=" for old in used)
                _warn(f"{func.__name__}(): {renames}")
            for old in used:
                new = old_to_new[old]
                if new in kwargs:
                    raise TypeError(f"{func.__name__}() got both {old}= (old name) and {new}=")
                kwargs[new] = kwargs.pop(old)
            return func(*args, **kwargs)

        return wrapper

    return decorate


def renamed_function(old: str, new_func, new: str | None = None):
    """A function named ``old`` that warns and calls ``new_func``.

    Parameters
    ----------
    old : str
        The old dotted name, e.g. ``"lnet.scalar_rate"``.
    new_func : callable
    new : str, optional
        The new dotted name (default: ``new_func``'s module and name).

    Returns
    -------
    callable
    """
    new = new or f"{new_func.__module__}.{new_func.__name__}"

    @functools.wraps(new_func)
    def alias(*args, **kwargs):
        _warn(f"{old} is now {new}")
        return new_func(*args, **kwargs)

    alias.__doc__ = f"Deprecated alias of :func:`{new}`.\n\n{new_func.__doc__ or ''}"
    alias.__name__ = old.rsplit(".", 1)[-1]
    return alias


def moved_names(module: str, moves: dict[str, str]):
    """A module ``__getattr__`` resolving moved names lazily, with a warning.

    Parameters
    ----------
    module : str
        The old module's name.
    moves : dict of str to str
        ``{old attribute: "new.module:new_name"}``.

    Returns
    -------
    callable
        Assign it to the module's ``__getattr__``.
    """

    def __getattr__(name: str):
        if name not in moves:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        target, new_name = moves[name].split(":")
        _warn(f"{module}.{name} is now {target}.{new_name}")
        return getattr(importlib.import_module(target), new_name)

    return __getattr__
