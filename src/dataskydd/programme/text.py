"""Text that a data subject may read: always in Swedish and in English."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Language = Literal["sv", "en"]
LANGUAGES: tuple[Language, ...] = ("sv", "en")


class LocalText(BaseModel):
    """One text in both languages; neither may be left empty."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sv: str = Field(min_length=1, pattern=r"\S")
    en: str = Field(min_length=1, pattern=r"\S")

    def get(self, language: Language) -> str:
        return self.sv if language == "sv" else self.en


def bilingual(sv: str, en: str) -> LocalText:
    """A text in both languages, for the words that code adds itself."""
    return LocalText(sv=sv, en=en)
