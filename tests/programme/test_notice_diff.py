"""The readable diff between two versions of the notice."""

from __future__ import annotations

from dataskydd.programme.notice_diff import (
    Chunk,
    diff_notices,
    diff_words,
    readable,
    split_sections,
)

OLD = """# Personuppgiftshantering

Inledning.

## 1 Uppgifter

Vi samlar in namn och adress.

## 2 Ändamål

Vi fullgör avtal.

## 3 Kontakt

Mejla oss.
"""


def test_split_on_title_and_section_headings() -> None:
    sections = split_sections(OLD)
    assert [s.title for s in sections] == [
        "Personuppgiftshantering", "1 Uppgifter", "2 Ändamål", "3 Kontakt"
    ]
    assert sections[0].text == "Inledning."
    assert sections[1].text == "Vi samlar in namn och adress."


def test_subheadings_stay_inside_their_section() -> None:
    sections = split_sections("## A\n\ntext\n\n### A.1\n\nmore\n")
    assert len(sections) == 1
    assert "### A.1" in sections[0].text


def test_word_level_changes_keep_whitespace() -> None:
    chunks = diff_words("Vi samlar in namn och adress.", "Vi samlar in namn och e-post.")
    assert chunks == [
        Chunk("equal", "Vi samlar in namn och "),
        Chunk("delete", "adress."),
        Chunk("insert", "e-post."),
    ]
    old = "".join(c.text for c in chunks if c.kind != "insert")
    new = "".join(c.text for c in chunks if c.kind != "delete")
    assert (old, new) == ("Vi samlar in namn och adress.", "Vi samlar in namn och e-post.")


def test_identical_notices() -> None:
    diff = diff_notices(OLD, OLD)
    assert diff.identical
    assert diff.count("unchanged") == 4


def test_changed_added_and_removed_sections() -> None:
    new = (
        OLD.replace("namn och adress", "namn, adress och e-post")
        .replace("## 3 Kontakt\n\nMejla oss.\n", "## 3 Cookies\n\nKakor.\n\n## 4 Kontakt\n\nMejla oss.\n")
        .replace("## 2 Ändamål\n\nVi fullgör avtal.\n\n", "")
    )
    diff = diff_notices(OLD, new)
    by_title = {s.title: s for s in diff.sections}
    assert by_title["Personuppgiftshantering"].status == "unchanged"
    changed = by_title["1 Uppgifter"]
    assert changed.status == "changed"
    assert changed.chunks[0] == Chunk("equal", "Vi samlar in ")
    assert Chunk("insert", "e-post.") in changed.chunks
    assert (changed.inserted_words, changed.deleted_words) == (3, 2)
    assert by_title["2 Ändamål"].status == "removed"
    assert by_title["3 Cookies"].status == "added"
    assert by_title["4 Kontakt"].old_title == "3 Kontakt"
    assert [s.status for s in diff.sections] == [
        "unchanged", "changed", "removed", "added", "changed"
    ]
    assert diff.changed == 4


def test_renamed_section_is_compared_with_its_old_self() -> None:
    new = OLD.replace("## 3 Kontakt", "## 3 Kontakta oss")
    diff = diff_notices(OLD, new)
    last = diff.sections[-1]
    assert last.status == "changed"
    assert last.title == "3 Kontakta oss"
    assert last.old_title == "3 Kontakt"
    assert diff.changed == 1


def test_added_section_in_the_middle_leaves_later_sections_unchanged() -> None:
    new = OLD.replace("## 3 Kontakt", "## 2b Nytt\n\nNy text.\n\n## 3 Kontakt")
    diff = diff_notices(OLD, new)
    assert [s.status for s in diff.sections] == [
        "unchanged", "unchanged", "unchanged", "added", "unchanged"
    ]
    assert diff.sections[3].chunks == [Chunk("insert", "Ny text.")]


def test_readable_drops_markup_but_keeps_changed_targets() -> None:
    markdown = (
        "### Kontakt\n\n- **E-post**: [dpo@x.se](mailto:dpo@x.se)\n"
        "- [Läs mer](https://x.se/mer) och <https://x.se>"
    )
    assert readable(markdown) == (
        "Kontakt\n\n- E-post: dpo@x.se\n- Läs mer (https://x.se/mer) och https://x.se"
    )


def test_a_changed_link_target_is_a_change() -> None:
    old = "## A\n\n[Läs mer](https://x.se/a)\n"
    new = "## A\n\n[Läs mer](https://x.se/b)\n"
    assert diff_notices(old, new).sections[0].status == "changed"
    assert diff_notices("## A\n\n**B**\n", "## A\n\nB\n").identical
