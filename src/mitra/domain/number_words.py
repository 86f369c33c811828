"""Number words people type instead of digits ("two caps", "an hour and a half ago"): one to
twenty, in order, shared by the amount and time parsers."""

from __future__ import annotations

NUMBER_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip
