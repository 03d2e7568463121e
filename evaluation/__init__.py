"""Evaluation, kept out of the runtime package: scores against ground truth, the quality gate,
and fitting the article model. Run from a checkout (tools/, tests/, bench/)."""
