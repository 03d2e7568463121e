"""Template learning's decisions (archiver/extract/template.py), on plain data: what the store
asks before it writes counts, flags and cleaned texts."""

from __future__ import annotations

from archiver.extract import boilerplate, template
from archiver.extract.boilerplate import Overrides

PROMO = "Support our journalism: become a member today."
STORY = "The harbour master said the ferry would sail at dawn."


def key(line: str) -> str:
    return boilerplate.block_key(line)


def test_a_block_is_template_from_five_articles_or_a_tenth_of_the_site():
    assert [template.threshold(n) for n in (1, 40, 50, 51, 200)] == [5, 5, 5, 6, 20]


def test_only_blocks_in_two_articles_or_more_get_a_count_row():
    assert [template.recurs(n) for n in (0, 1, 2, 9)] == [False, False, True, True]
    assert template.kept_line("x" * 600) == "x" * 500
    assert template.kept_line("") is None and template.kept_line(None) is None


def test_cleaning_removes_template_blocks_and_counts_the_words_left():
    raw = f"{STORY}\n\n{PROMO}"
    out = template.cleaned(raw, {key(PROMO)}, Overrides(), word_count=99)
    assert out == template.Cleaned(STORY, len(STORY.split()), raw)


def test_a_text_cleaning_leaves_alone_keeps_its_extracted_word_count_and_no_raw_copy():
    out = template.cleaned(STORY, {key(PROMO)}, Overrides(), word_count=99)
    assert out == template.Cleaned(STORY, 99, None)
    assert template.cleaned(STORY, set(), Overrides()).word_count == len(STORY.split())


def test_a_keep_rule_saves_a_template_block():
    raw = f"{STORY}\n\n{PROMO}"
    out = template.cleaned(raw, {key(PROMO)}, Overrides(keep_text=("become a member",)))
    assert out.text == raw and out.raw_text is None


def test_learning_from_scratch_keeps_recurring_blocks_with_the_second_articles_line():
    spaced = PROMO.replace(" ", "  ")
    articles = [boilerplate.blocks(f"Alpha story.\n{PROMO}"),
                boilerplate.blocks(f"Beta tale.\n{PROMO.upper()}"),
                boilerplate.blocks(f"Gamma report.\n{spaced}")]
    assert template.site_block_counts(articles) == {key(PROMO): (PROMO.upper(), 3)}


def test_a_batch_gives_a_count_row_its_second_articles_line_when_that_one_is_new():
    lines = ["first new", "second new"]
    assert template.second_line(0, lines) == "second new"  # both articles in this batch
    assert template.second_line(1, lines) == "first new"  # one was archived before
    assert template.second_line(2, lines) is None  # its line is already kept
    assert template.second_line(0, ["only one"]) is None


def test_an_article_is_cleaned_again_only_when_its_own_template_blocks_changed():
    raw = f"{STORY}\n{PROMO}"
    blocks = set(boilerplate.blocks(raw))
    rules = Overrides()
    other = key("A block this article does not have.")
    assert template.reclean(raw, blocks, {other}, set(), raw, rules) is None
    again = template.reclean(raw, blocks, {key(PROMO), other}, set(), raw, rules)
    assert again is not None and again.text == STORY
    assert template.reclean(raw, blocks, {key(PROMO)}, {key(PROMO)}, STORY, rules) is None
