"""User-facing words of the web pages that are not page text: help, notices, error titles.

Calm and non-judgemental: a slip is data, not a failure. Page text lives in the templates.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class HelpLine:
    name: str
    contact: str
    tel: str
    text: str


@dataclass(frozen=True, slots=True)
class Treatment:
    name: str
    text: str


# Shown on every page (help bar and footer); kept in step with the learn page's sources.
CRISIS_LINES = (
    HelpLine("Emergency", "911", "911", "Someone cannot be woken, breathes slowly or not at all"),
    HelpLine("988 Suicide & Crisis Lifeline", "call or text 988", "988", "Free, 24/7"),
    HelpLine(
        "SAMHSA National Helpline",
        "1-800-662-4357",
        "18006624357",
        "Free, confidential, 24/7; finds treatment near you",
    ),
)

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
    404: "Not found",
    409: "That clashes with what is stored",
    422: "Please check what you entered",
    500: "Something went wrong on this computer",
    503: "The journal database is not available",
}

CSRF_REFUSED = (
    "This form came without its security token, or the token has changed (for example after "
    "the browser was restarted). Nothing was saved. Go back, reload the page and send it again."
)

SERVER_ERROR = (
    "mitra hit an unexpected problem and stopped this request. Changes are saved whole or not "
    "at all, so nothing was half-written. The details are in the terminal running mitra."
)

# Shown beside a symptom at or above its red-flag severity, by its level in symptoms.toml.
RED_FLAG_ADVICE = {
    "urgent": "A warning sign. Please contact a clinician today and tell them about kratom.",
    "emergency": "A warning sign. If it is happening now or came back, call 911.",
}
