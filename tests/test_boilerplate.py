"""boilerplate.py: block keys, the template threshold, cleaning with overrides, link teasers."""

from __future__ import annotations

import lxml.html

from archiver.boilerplate import (
    MIN_ARTICLES,
    Overrides,
    block_key,
    blocks,
    clean,
    teaser_blocks,
    threshold,
)

URL = "https://news.example.org/2024/05/story-one"


def test_digits_case_and_spaces_do_not_split_a_block():
    assert block_key("You've Raised: £3,526") == block_key("you've  raised: £3,611")
    assert block_key("- Donate today") == block_key("Donate today")
    assert block_key("Donate today") != block_key("Donate tomorrow")
    assert block_key("   ") == ""


def test_blocks_are_distinct_per_text():
    text = "One line.\nOWNED BY OUR READERS\n\nowned by our readers\nTwo line."
    assert len(blocks(text)) == 3


def test_threshold_needs_both_a_count_and_a_share():
    assert threshold(1) == MIN_ARTICLES
    assert threshold(40) == 5  # three quoting articles of forty stay below it
    assert threshold(1000) == 100


def test_clean_drops_template_keeps_story_and_honours_overrides():
    text = "Story begins.\nJoin us today!\n\nStory ends."
    template = {block_key("Join us today!")}
    assert clean(text, template) == "Story begins.\n\nStory ends."
    keep = Overrides(keep_text=("join us",))
    assert clean(text, template, keep) == text
    drop = Overrides(drop_text=("STORY ENDS",))
    assert clean(text, set(), drop) == "Story begins.\nJoin us today!"


def _tree(body: str):
    return lxml.html.document_fromstring(f"<html><body>{body}</body></html>")


def test_teasers_are_found_from_structure_in_any_language():
    tree = _tree(
        '<p>Lesen Sie auch: <a href="/2024/05/andere-geschichte">Die Stadt baut eine neue '
        'Brücke über den Fluss</a></p>'
        '<ul><li><a href="https://news.example.org/2024/04/x">Council votes on the budget'
        '</a></li></ul>'
        '<p>The council said <a href="/2024/05/budget">the budget</a> would pass, and the '
        'mayor agreed after a long debate that lasted well into the night.</p>'
        '<p>Read more: <a href="https://other.example.com/story">Another site story</a></p>'
        '<p><a href="/2024/05/story-one">This very story</a></p>')
    keys = teaser_blocks(tree, URL, ["news.example.org"])
    assert block_key("Lesen Sie auch: Die Stadt baut eine neue Brücke über den Fluss") in keys
    assert block_key("Council votes on the budget") in keys
    # a paragraph with an inline link is story, not a teaser
    assert not any(block_key(p) in keys for p in (
        "The council said the budget would pass, and the mayor agreed after a long debate "
        "that lasted well into the night.",
        "Read more: Another site story",  # another site: not a teaser of this one
        "This very story"))  # a link to the page itself
