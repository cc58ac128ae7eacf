"""The class set: which emotions are trained, in which label order, and how data-set emotions map onto them.

`--classes` accepts
- nothing: every emotion present in the accepted events (except `none`, "not classified yet"), sorted;
- a list `happiness,surprise,others`: those classes in that order; events of other emotions are left out;
- a mapping `positive=happiness;surprise=surprise;negative=disgust,repression,fear,sadness`: class `positive`
  gathers `happiness` and so on, in the order written (the reference code's CASME II 3-class set is that
  example). A bare name inside a mapping (`...;surprise`) maps to itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from app.core.events import EMOTIONS

UNCLASSIFIED = "none"


@dataclass(frozen=True)
class ClassMap:
    names: tuple[str, ...]  # label order: logit i is names[i]
    members: Mapping[str, str]  # data-set emotion → class name

    def label(self, emotion: str) -> Optional[int]:
        """The label index of an event's emotion, or None when the class set leaves it out."""
        name = self.members.get(emotion)
        return None if name is None else self.names.index(name)

    def describe(self) -> str:
        """`positive=happiness; surprise; negative=disgust,repression` for the model card."""
        parts = []
        for name in self.names:
            sources = sorted(e for e, n in self.members.items() if n == name)
            parts.append(name if sources == [name] else f"{name}={','.join(sources)}")
        return "; ".join(parts)


def parse_classes(spec: Optional[str], emotions_present: Iterable[str]) -> ClassMap:
    """Build the class set from `--classes` (see the module docstring). Raises ValueError with the reason."""
    present = sorted(set(emotions_present) - {UNCLASSIFIED})
    if spec is None or not spec.strip():
        if not present:
            raise ValueError("no event has an emotion label (all are 'none'); nothing to train a classifier on")
        return ClassMap(tuple(present), {e: e for e in present})
    names: list[str] = []
    members: dict[str, str] = {}
    is_mapping = "=" in spec or ";" in spec
    items = spec.split(";") if is_mapping else spec.split(",")
    for item in (i.strip() for i in items):
        if not item:
            continue
        if "=" in item:
            name, _, sources_text = item.partition("=")
            name = name.strip()
            sources = [s.strip().lower() for s in sources_text.split(",") if s.strip()]
        else:
            name, sources = item, [item.lower()]
        if not name:
            raise ValueError(f"--classes: empty class name in {item!r}")
        if name in names:
            raise ValueError(f"--classes: class {name!r} is given twice")
        if not sources:
            raise ValueError(f"--classes: class {name!r} has no emotions after '='")
        for source in sources:
            if source not in EMOTIONS:
                raise ValueError(f"--classes: {source!r} is not an emotion of the training CSV vocabulary "
                                 f"({', '.join(EMOTIONS)})")
            if source in members:
                raise ValueError(f"--classes: emotion {source!r} is assigned to both {members[source]!r} and {name!r}")
            members[source] = name
        names.append(name)
    if len(names) < 2:
        raise ValueError(f"--classes: need at least two classes, got {names}")
    return ClassMap(tuple(names), members)
