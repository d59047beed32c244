"""What is derived from model objects, kept between builds: within a process, and in the build state.

`Kept.get(name, source, compute, token)` returns what `compute` made of `source` under `token`,
computing it again when either changed. Within a process (`disclose serve`) the source is compared
by identity: an unchanged department folder is loaded as the very same object. Asked with
`lasting`, the value also outlives the process: it is saved in the build state under the source's
identity across processes (`source_of`: a department's folder path and listing), and the next
process takes it from there (generator/shelf.py tells why that matters).
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

from .state import BuildState, RecordCache


def same(a: object, b: object) -> bool:
    """Tell whether two objects are one, or two tuples of the same objects (an edition's departments)."""
    if a is b:
        return True
    return isinstance(a, tuple) and isinstance(b, tuple) and len(a) == len(b) and all(x is y for x, y in zip(a, b, strict=True))


def source_of(source: object) -> Any:
    """Return what identifies a model object across processes: its folder's path and listing, or None.

    A department's is set by the loader (`Department._source`); a tuple of departments is the tuple
    of theirs; no source at all (`None`) is the empty string. Anything else has none.
    """
    if source is None:
        return ""
    if isinstance(source, tuple):
        found = tuple(source_of(item) for item in source)
        return None if None in found or "" in found else found
    # Read from pydantic's own dict: `getattr` of a private attribute goes through the model's
    # __getattr__ (7 µs a time under cProfile), and a preview's build asks 9,000 times (years.links_of).
    private = getattr(source, "__pydantic_private__", None)
    return (private.get("_source") if private else None) or None


class Kept:
    """What an engine keeps between builds: results of pure functions of one model object.

    `disclose serve` builds the same site again after every save. A department
    whose files did not change is loaded as the very same object (load.py), so
    what was derived from it (its checks, its pages' specs and keys, its by-year
    rows) holds as long as that object and the `token` (whatever else it was
    derived from) are unchanged. Identity, not equality: comparing two
    departments field by field would cost what deriving does.

    What is asked with `lasting` outlives the process: it is saved in the build state
    (`save`) under the source's identity across processes (`source_of`: a department's
    folder listing), and the next process takes it from there (`load`) when source and
    token are the same, so that a build from the command line after one edit derives
    nothing from the departments that did not change, and reads none of their tables
    (generator/shelf.py). `lasting` turns a value into what is saved (a plan's pages
    without their context), `restore` turns that back.
    """

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep  # False: compute every time (NOTHING, for one-off callers such as `disclose check`)
        self.held: dict[Any, tuple[object, Any, Any, Any]] = {}  # name → (source, token, value, what is saved)
        self.hits = 0
        self.stored: dict[Any, tuple[Any, Any, Any]] = {}  # name → (source, token, saved value), from the state
        self.lasting: dict[Any, tuple[Any, Any, Any]] = {}  # what this process would save
        self.changed = False  # since the last `load` or `save`
        self.whole = 0  # bytes of the whole store as last written or read
        self.made: dict[Any, tuple[Any, Any, Any]] = {}  # entries saved since then ("kept delta")

    def get(self, name: Any, source: object, compute: Callable[[], Any], token: Any = None,
            lasting: Callable[[Any], Any] | None = None, restore: Callable[[Any], Any] | None = None) -> Any:
        """Return what `compute` made of `source` under `token`, computing it when either changed."""
        if not self.keep:
            return compute()
        held = self.held.get(name)
        if held is not None and same(held[0], source) and held[1] == token:
            self.hits += 1
            if held[3] is not None:
                self.lasting[name] = held[3]
            return held[2]
        stored = self.stored.get(name) if lasting is not None else None
        if stored is not None and stored[0] == source_of(source) and stored[1] == token:
            self.hits += 1
            value = restore(stored[2]) if restore is not None else stored[2]
            self.held[name] = (source, token, value, stored)
            self.lasting[name] = stored
            return value
        value = compute()
        self.put(name, source, value, token, lasting)
        return value

    def put(self, name: Any, source: object, value: Any, token: Any = None, lasting: Callable[[Any], Any] | None = None) -> None:
        """Keep a value made outside `get` (say, in worker processes) as `get` keeps what it computes."""
        if not self.keep:
            return
        identity = source_of(source) if lasting is not None else None
        saved = (identity, token, lasting(value)) if identity is not None and lasting is not None else None
        self.held[name] = (source, token, value, saved)
        if saved is not None:
            self.lasting[name], self.changed = saved, True

    def load(self, state: BuildState) -> None:
        """Take what the last process saved in the state, unless this engine has already (a session's)."""
        if self.stored or not self.keep:
            return
        whole, since = state.recall("kept"), state.recall("kept delta")
        base, delta = (RecordCache.unpickle(saved) if saved else None for saved in (whole, since))
        self.stored = base if sound_store(base) else {}  # anything else is derived again
        self.whole = len(whole or b"") if self.stored else 0
        self.made = delta if self.stored and sound_store(delta) else {}  # type: ignore[assignment]
        self.stored.update(self.made)
        self.changed = False

    def save(self, state: BuildState) -> None:
        """Save what lasts for the next process: what this build derived or took from the last one.

        After an edit, only the entries made since the whole store was last written ("kept delta",
        read back over it); the whole (10 MB at 10,000 projects, 0.24 s to write) once that is a
        quarter of its size, or when an entry is gone.
        """
        if not self.keep or not (self.changed or self.lasting.keys() != self.stored.keys()):
            return
        stored, lasting = self.stored, self.lasting
        made = {**self.made, **{name: entry for name, entry in lasting.items() if stored.get(name) is not entry}}
        delta = pickle.dumps(made, protocol=pickle.HIGHEST_PROTOCOL) if self.whole and stored.keys() <= lasting.keys() else b""
        if delta and 4 * len(delta) < self.whole:
            state.keep("kept delta", delta)
            self.made = made
        else:
            whole = pickle.dumps(lasting, protocol=pickle.HIGHEST_PROTOCOL)
            state.keep("kept", whole)
            state.keep("kept delta", b"")
            self.made, self.whole = {}, len(whole)
        self.stored, self.lasting, self.changed = lasting, {}, False


def sound_store(value: object) -> bool:
    """Tell whether a kept store read back has the shape `Kept.save` gives it."""
    return isinstance(value, dict) and all(isinstance(v, tuple) and len(v) == 3 for v in value.values())


def kept_as_is(value: Any) -> Any:
    """Save a value as it is (`Kept.get`'s `lasting` for values that hold no tables)."""
    return value


NOTHING = Kept(keep=False)  # the default of every function that can use what a running engine kept
