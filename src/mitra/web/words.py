"""User-facing words of the web pages that are not page text: help, notices, error titles.

Calm and non-judgemental: a slip is data, not a failure. Page text lives in the templates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mitra.domain.alerts import default_support


@dataclass(frozen=True, slots=True)
class Treatment:
    name: str
    text: str


TREATMENTS = (
    Treatment(
        "Buprenorphine or methadone",
        "the treatments with the strongest evidence: people in treatment die far less often",
    ),
    Treatment("Naltrexone", "helps prevent a return to use, after an opioid-free period"),
    Treatment("Lofexidine (or clonidine)", "eases withdrawal symptoms"),
    Treatment("Naloxone", "reverses an opioid overdose; nasal spray without prescription"),
)

ESTIMATE_CAVEAT = (
    "Estimates come from typical or labelled potency. Real contents vary, so mitra judges "
    "safety on the high end of each range."
)

SLIP_NOTE = (
    "Record everything you took, including what you meant not to. It is information for you "
    "and your clinician, not a failure."
)

STATUS_TITLES = {
    400: "That request could not be used",
    403: "That form could not be accepted",
    404: "That page or entry is not here",
    405: "That page cannot be used this way",
    409: "That was already done, or is taken",
    422: "Please check what you entered",
    500: "Something went wrong on this computer",
    503: "The journal cannot be opened just now",
}

# What to do next, under the message of an error page; nothing was saved in any of these.
NEXT_STEPS = {
    400: "Nothing was saved. Go back, reload the page and try again.",
    403: "Nothing was saved. Go back, reload the page and send the form again.",
    404: "It may have been deleted, or the link is old. Nothing was changed. Use the menu "
    "to find what you were looking for.",
    405: "Nothing was saved. Use the menu to go to the page you want.",
    409: "Nothing was changed. Reload the page to see what is stored now; if you meant "
    "something else, change the name or choose another entry.",
    422: "Nothing was saved. Go back, correct the value the message names and send it again.",
    500: "Nothing was half-written. Try again; if it happens again, restart mitra.",
    503: "Nothing was saved. Close other programs using the journal, wait a moment and try "
    "again; if it goes on, restart mitra.",
}

CSRF_REFUSED = (
    "This form came without its security token, or the token has changed (for example after "
    "the browser was restarted). Nothing was saved. Go back, reload the page and send it again."
)

SERVER_ERROR = (
    "mitra hit an unexpected problem and stopped this request. Changes are saved whole or not "
    "at all, so nothing was half-written. The details are in mitra's log."
)

# Shown beside a symptom at or above its red-flag severity, by its level in symptoms.toml;
# the number is the emergency line of the reviewed support table (``red_flag_advice``).
RED_FLAG_ADVICE = {
    "urgent": "A warning sign. Please contact a clinician today and tell them about kratom.",
    "emergency": "A warning sign. If it is happening now or came back, call {emergency}.",
}


def red_flag_advice(level: str) -> str:
    """The advice beside a red-flag symptom of ``level`` (an unknown level: the emergency
    advice, the safer of the two)."""
    advice = RED_FLAG_ADVICE.get(level, RED_FLAG_ADVICE["emergency"])
    return advice.format(emergency=default_support().line("emergency").number)


# -- service messages in page words ------------------------------------------------------------
# Services word their refusals for both interfaces, and some name a terminal command or flag
# ("see 'mitra history'", "--scoop-g"). A page shows the same message with the command replaced
# by where to go in the app and the flag by the field's words. Known phrases first; any other
# quoted command falls back to a pointer to the menu, so no page ever shows a command.
COMMAND_WORDS = (
    ("; see 'mitra product list'", "; see your products on the Products page"),
    ("; see 'mitra history'", "; see the History page"),
    ("; see 'mitra alerts --all'", "; see the Alerts page"),
    ("'mitra undo' restores the last deletion", "Undo on the History page restores the last one"),
    (
        "start one with 'mitra plan new taper' or 'mitra plan new titration'",
        "start one on the Plan page",
    ),
    ("'mitra plan step-back'", "stepping back on the Plan page"),
    ("(log one with 'mitra log substance NAME AMOUNT')", "(log one under Log, Other substance)"),
    (
        "Kratom counts when you are tapering it: 'mitra plan new taper'.",
        "Kratom counts when you are tapering it (start a taper on the Plan page).",
    ),
    ("Run 'mitra plan status' on the day.", "Open the Plan page on the day."),
)

FLAG_WORDS = {
    "mitragynine-pct": "mitragynine %",
    "mitragynine-mg-per-g": "mitragynine mg per gram",
    "mitragynine-mg-per-unit": "mitragynine mg per capsule or tablet",
    "seven-oh-mg-per-g": "7-OH mg per gram",
    "seven-oh-mg-per-unit": "7-OH mg per capsule or tablet",
    "unit-mass-g": "grams per capsule or tablet",
    "scoop-g": "grams per scoop",
}

# Where in the app each command's work is done, for a command the table above does not know.
COMMAND_PAGES = {
    "product": "Products",
    "history": "History",
    "undo": "History",
    "delete": "History",
    "log": "Log",
    "plan": "Plan",
    "alerts": "Alerts",
    "check": "Check-in",
    "scores": "Trends",
    "report": "Report",
    "profile": "Profile",
}

_QUOTED_COMMAND = re.compile(r"""(?:(?:with|see|run|Run) )?(['"`])mitra ([a-z-]+).*?\1""")
_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z0-9-]*)")


def _page_for(match: re.Match[str]) -> str:
    page = COMMAND_PAGES.get(match[2])
    return f"on the {page} page" if page else "on its page (see the menu)"


def plain(message: str) -> str:
    """``message`` with terminal commands and flags put in the words of the web pages."""
    text = message
    for command, words in COMMAND_WORDS:
        text = text.replace(command, words)
    text = _QUOTED_COMMAND.sub(_page_for, text)
    return _FLAG.sub(lambda m: FLAG_WORDS.get(m[1], m[1].replace("-", " ")), text)
