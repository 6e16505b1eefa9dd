"""Many regular expressions as one: their atoms arranged by shared prefix.

Each prefix is then tried once per position in a text, and a position is tried at all only
if it holds some expression's first atom. Used to find any of a person's identifiers in free
text (``identity/freetext.py``) and any of many LIKE patterns in one pass of Python
(``connectors/sqlite.py``).
"""

from __future__ import annotations

Atoms = tuple[str, ...]


class RegexTrie:
    """Regex atoms (each a complete expression: ``a``, ``[0-9]``, ``(?<=x)``) by prefix."""

    __slots__ = ("children", "terminal")

    def __init__(self) -> None:
        self.children: dict[str, RegexTrie] = {}
        self.terminal = False

    def add(self, atoms: Atoms) -> None:
        node = self
        for atom in atoms:
            node = node.children.setdefault(atom, RegexTrie())
        node.terminal = True

    def to_regex(self) -> str:
        """One expression matching any sequence added; at a position the longest wins."""
        return self._emit()[0]

    def _emit(self) -> tuple[str, int]:
        """This node's regex and its height."""
        branches = [(atom, *child._emit()) for atom, child in self.children.items()]
        # Deeper branches first, so the longest form at a position wins.
        branches.sort(key=lambda branch: (-branch[2], branch[0]))
        parts = [atom + regex for atom, regex, _ in branches]
        if self.terminal and parts:
            parts.append("")
        height = 1 + max((branch[2] for branch in branches), default=0)
        if len(parts) <= 1:
            return "".join(parts), height
        return "(?:" + "|".join(parts) + ")", height
