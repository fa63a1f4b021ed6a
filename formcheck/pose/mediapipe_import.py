"""Importing mediapipe without paying for the plotting library it loads for a drawing helper.

``import mediapipe`` runs ``mediapipe.python.solutions.drawing_utils``, which imports
``matplotlib.pyplot`` for ``plot_landmarks``, a helper formcheck never calls: 0.15-0.2 s of every
analysis's start-up, half of mediapipe's import. A stand-in for ``matplotlib.pyplot`` is registered
first; the first attribute anyone reads from it imports the real pyplot (PEP 562's module
``__getattr__``) and the stand-in takes on its contents. The standard library's ``LazyLoader``
cannot do this on Python 3.11: the import system reads ``__spec__``, which makes it load at once.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

DEFERRED = "matplotlib.pyplot"


def _stand_in(name: str) -> ModuleType:
    stand_in = ModuleType(name)
    stand_in.__spec__ = importlib.machinery.ModuleSpec(name, None)

    def load(attribute: str) -> Any:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
        real = importlib.import_module(name)
        vars(stand_in).update(vars(real))  # whoever holds the stand-in now holds the real contents
        return getattr(real, attribute)

    stand_in.__getattr__ = load  # type: ignore[method-assign]
    return stand_in


def import_mediapipe() -> ModuleType:
    """The ``mediapipe`` package, imported with ``matplotlib.pyplot`` deferred until first use."""
    if "mediapipe" not in sys.modules and DEFERRED not in sys.modules:
        sys.modules[DEFERRED] = _stand_in(DEFERRED)
    return importlib.import_module("mediapipe")
