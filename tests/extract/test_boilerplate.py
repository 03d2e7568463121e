"""boilerplate.py: block keys, the template threshold, cleaning with overrides, link teasers."""

from __future__ import annotations

import lxml.html

from archiver.extract.boilerplate import (
    MIN_ARTICLES,
    Overrides,
    block_key,
    blocks,
    clean,
    drop_repeated_runs,
    teaser_blocks,
    threshold,
    trim_edges,
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


def test_a_linked_heading_is_a_section_title_not_a_teaser():
    tree = _tree('<h2><a href="/guide/chapter-5">Chapter 5: Technical SEO</a></h2>'
                 '<p>Related: <a href="/2024/05/other-story">Another story of this site</a></p>')
    keys = teaser_blocks(tree, URL, ["news.example.org"])
    assert block_key("Chapter 5: Technical SEO") not in keys
    assert block_key("Related: Another story of this site") in keys


def test_edges_lose_short_lines_the_stricter_extraction_drops_and_keep_the_middle():
    text = ("Home > News > Politics\nThe council met on Tuesday to discuss the budget.\n"
            "Share this\nThe mayor spoke last.\nSubscribe to our newsletter\nFollow us")
    strict = "The council met on Tuesday to discuss the budget.\nThe mayor spoke last."
    assert trim_edges(text, strict) == ("The council met on Tuesday to discuss the budget.\n"
                                        "Share this\nThe mayor spoke last.")
    # a long closing paragraph is story even when the stricter mode drops it
    long_end = " ".join(["word"] * 40)
    assert trim_edges(strict + "\n" + long_end, strict).endswith(long_end)
    assert trim_edges(text, "") == text  # no stricter extraction: nothing to judge by


def test_a_page_rendered_twice_loses_its_second_copy_but_not_a_refrain():
    story = [f"{w} paragraph of the story tells what happened in town on that day, and why."
             for w in ("First", "Second", "Third", "Fourth", "Fifth", "Sixth")]
    twice = "\n".join(story + story)
    assert drop_repeated_runs(twice) == "\n".join(story)
    refrain = "\n".join(["Pros", "Fast and light.", "Pros", "Cheap to run."])
    assert drop_repeated_runs(refrain) == refrain
    # table rows that differ only in their figures are not repeats
    rows = "\n".join(f"| Revenue in {2010 + n} | {n * 7} million | up {n} percent on the year |"
                     for n in range(12))
    assert drop_repeated_runs(rows) == rows
