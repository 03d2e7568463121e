"""Page to article: decode, parse once, trafilatura's passes, metadata, the article decision,
and the cleaning decisions (link teasers, the learned template's rules).

May import: archiver.errors, the standard library, trafilatura, lxml, htmldate, courlan,
w3lib, charset-normalizer, py3langid; never the store, the crawl or anything with I/O: every
function takes bytes or plain data and returns plain data, so it tests without a crawler.

- page.py: `analyse`/`extract`, `Article`, `Extraction`, `Hints` (what callers import);
  decode.py: bytes to text; passes.py: the one parse and trafilatura's passes;
  metadata.py: JSON-LD, meta, dates, authors, language (language.py: py3langid mapped from disk).
- decision.py: the hard rules and the threshold; features.py: the classifier's features;
  classify.py: the shipped model (data/article_model.json); words.py: script-aware word counts;
  paywall.py: paywall flags.
- boilerplate.py: block keys, selector rules, link teasers; template.py: which blocks are a
  site's template, from counts the store keeps; urls.py: one identity per URL.
"""
