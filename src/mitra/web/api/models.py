"""Request and response models of the JSON API; they shape the OpenAPI document.

Requests are checked here for types, size and characters: the services check meaning
(amounts, times, names) exactly as for the CLI, so both interfaces accept and refuse the same
things. Types are strict (``true`` is not a number, ``3`` is not a text), texts hold no
control characters (notes may hold newlines and tabs), and the documented limits are the
server's real ones (a note has at most 2000 characters, as ``domain.entries`` keeps), so the
OpenAPI document tells a client exactly what is accepted. Unknown fields are refused, so a
typo in a field name is an error rather than silently ignored.

Responses mirror ``mitra.services.views`` (the CLI's ``--json``): times in the person's zone
as ISO 8601 with offset, figures rounded for display.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from mitra.domain.entries import MAX_NOTE_LENGTH

# No control characters (NUL, escape, ...) in a text; a note may also hold newlines and tabs.
PLAIN_TEXT = r"^[^\x00-\x1f\x7f]*$"
NOTE_TEXT = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"
Text = Annotated[str, Field(max_length=200, pattern=PLAIN_TEXT)]
When = Annotated[
    str | None,
    Field(
        max_length=200,
        pattern=PLAIN_TEXT,
        description="When it happened: ISO 8601, 'now', '8:30pm', 'yesterday 21:00', '2h ago'. "
        "Default: now.",
        examples=["2026-11-20T08:30:00-05:00", "8:30pm"],
    ),
]
Note = Annotated[
    str | None,
    Field(
        max_length=MAX_NOTE_LENGTH,
        pattern=NOTE_TEXT,
        description=f"At most {MAX_NOTE_LENGTH} characters; newlines and tabs allowed, other "
        "control characters not.",
    ),
]


class Strict(BaseModel):
    """Requests: unknown fields refused, and strict types (no ``true`` for a number, no number
    for a text: what a client sends is what it meant)."""

    model_config = ConfigDict(extra="forbid", strict=True)


# -- errors ------------------------------------------------------------------------------------
class ErrorBody(BaseModel):
    message: str
    field: str | None = Field(description="The request field the message is about, if one.")


class ErrorOut(BaseModel):
    error: ErrorBody


# -- entries -----------------------------------------------------------------------------------
class DoseIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"amount": "3g"},
                {"amount": "2 caps", "product": "generic capsules", "at": "2h ago"},
            ]
        },
    )

    amount: Text = Field(description="A number and a unit: 3g, 2 caps, 15ml, 2 scoops.")
    product: Text | None = Field(
        default=None, description="A product name; default: the last product used."
    )
    at: When = None
    note: Note = None


class SubstanceIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "oxycodone", "amount": "10mg", "route": "oral"}]},
    )

    name: Text = Field(description="A generic, brand or street name: oxycodone, xanax, alcohol.")
    amount: Text = Field(description="30mg, 2 tablets, 25 mcg/h, 3 drinks.")
    route: Text | None = Field(default=None, description="oral, sublingual, intranasal, ...")
    at: When = None
    note: Note = None


class SymptomIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        json_schema_extra={
            "examples": [
                {"name": "nausea", "severity": 2, "note": "after lunch"},
                {"name": "sweating and shaking, can’t sleep"},
            ]
        },
    )

    name: str = Field(
        min_length=1,
        max_length=2000,
        # Words, never control characters (a NUL is a broken client, not a feeling); newlines
        # and tabs are allowed, as in notes.
        pattern=NOTE_TEXT,
        description=(
            "How you feel, in your own words: a symptom id, a common word (nausea, aches), "
            'several at once ("sweating and shaking, can\'t sleep"), or anything else, which '
            "is kept as you wrote it. Warning signs in any wording raise their guidance."
        ),
    )
    severity: float | None = Field(
        default=None,
        description=(
            "0 none, 1 mild, 2 moderate, 3 severe. Left out: read from the words "
            "(mild, severe, really bad), else 2 (moderate)."
        ),
    )
    at: When = None
    note: Note = None


class EntryBase(BaseModel):
    id: int
    at: str
    note: str | None
    recorded_at: str | None = None
    uuid: str | None = Field(
        default=None, description="The entry's stable id: the same in every copy of the journal."
    )
    deleted: bool = False


class DoseOut(EntryBase):
    kind: Literal["dose"]
    product: str
    form: str
    amount: float
    unit: str
    amount_text: str
    mitragynine_mg: float
    mitragynine_mg_range: tuple[float, float]
    seven_oh_mg: float
    seven_oh_mg_range: tuple[float, float]
    estimate_basis: str


class SubstanceOut(EntryBase):
    model_config = ConfigDict(populate_by_name=True)

    kind: Literal["substance"]
    substance: str
    name: str
    substance_class: str = Field(alias="class")
    amount: float
    unit: str
    amount_text: str
    route: str | None
    mme: float | None
    daily_mme: float | None = Field(
        default=None, description="On logging an opioid: the day's total MME (CDC 2022)."
    )


class SymptomOut(EntryBase):
    kind: Literal["symptom"]
    symptom: str
    name: str
    severity: int
    severity_label: str
    red_flag: bool
    said: str | None = Field(
        default=None, description="The person's own words, when the symptom was read from them."
    )


EntryOut = Annotated[DoseOut | SubstanceOut | SymptomOut, Field(discriminator="kind")]


class EvidenceOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    citation: str
    strength: str
    claim: str


class CareTeamSeenOut(BaseModel):
    clinician: str = Field(description="The clinician's email")
    at: str = Field(description="When they marked it seen, in your time zone")
    note: str | None = Field(default=None, description="What they wrote with it")


class AlertOut(BaseModel):
    """A safety alert as ``mitra.services.alert_views`` shows it; newer fields pass through."""

    model_config = ConfigDict(extra="allow")

    id: int
    rule_id: str
    severity: str = Field(description="info, caution, warning, urgent or emergency")
    title: str
    message: str
    advice: str
    evidence: list[EvidenceOut]
    at: str
    acknowledged_at: str | None = None
    seen_by_care_team: list[CareTeamSeenOut] = Field(
        default_factory=list,
        description="On a clinic server: the clinicians who have seen this alert, with when "
        "and their note. Kept apart from your own acknowledgement: the alert stays open for you.",
    )


class AlertsOut(BaseModel):
    alerts: list[AlertOut] = Field(
        description="One page of alerts, repeats of a pattern grouped: open first, the most "
        "serious first, then the newest."
    )
    total: int = Field(description="How many grouped alerts there are in all pages.")
    offset: int = Field(description="How many grouped alerts come before this page.")
    limit: int = Field(description="The most alerts a page holds.")


class MarkedReadOut(BaseModel):
    acknowledged: int = Field(
        description="Caution and information alerts marked read; urgent and emergency "
        "alerts are never included."
    )


class AlertOneOut(BaseModel):
    alert: AlertOut


class AcknowledgeIn(Strict):
    note: Note = None


class LoggedOut(BaseModel):
    entry: EntryOut
    alerts: list[AlertOut] = Field(
        description="Safety alerts this entry raised, most serious first."
    )


class SymptomsLoggedOut(LoggedOut):
    entries: list[EntryOut] = Field(
        description="Every entry the text became (several symptoms in one line), in order."
    )
    understood: str = Field(description="What mitra understood, in plain words.")
    severity_note: str | None = Field(
        default=None, description="How the severity was chosen when none was given."
    )


class EntriesOut(BaseModel):
    entries: list[EntryOut]
    timezone: str


class ChangeOut(BaseModel):
    action: Literal["deleted", "restored"]
    entry: EntryOut


# -- products ----------------------------------------------------------------------------------
class ProductIn(Strict):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Red Bali", "form": "leaf", "mitragynine_pct": 1.6}]
        },
    )

    name: Text
    form: Text = Field(description="leaf, capsule, liquid, extract, 7-oh or other.")
    source: Literal["label", "coa"] = "label"
    mitragynine_pct: float | None = None
    mitragynine_mg_per_g: float | None = None
    mitragynine_mg_per_unit: float | None = None
    seven_oh_mg_per_g: float | None = None
    seven_oh_mg_per_unit: float | None = None
    unit_mass_g: float | None = None
    scoop_g: float | None = None


class RangeOut(BaseModel):
    typical: float
    range: tuple[float, float]


class ProductOut(BaseModel):
    id: int | None
    name: str
    form: str
    builtin: bool
    basis: str
    unit: str
    mitragynine: RangeOut
    seven_oh: RangeOut
    potency_source: str
    why: str
    sources: list[str]
    unit_mass_g: float | None
    scoop_g: float | None


class ProductOneOut(BaseModel):
    product: ProductOut


class ProductsOut(BaseModel):
    products: list[ProductOut]


# -- profile -----------------------------------------------------------------------------------
class ProfileIn(Strict):
    """Fields left out stay as they are; ``null`` for pregnant/breastfeeding means unknown."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"timezone": "America/New_York", "goals": ["track"]}]},
    )

    timezone: Text | None = None
    pregnant: bool | None = None
    breastfeeding: bool | None = None
    medications: list[Text] | None = Field(default=None, max_length=100)
    goals: list[Text] | None = Field(default=None, max_length=20)
    naloxone: bool | None = Field(default=None, description="Naloxone at hand (null: not said).")
    naloxone_expires: Text | None = Field(
        default=None,
        description="Its expiry date as on the box: YYYY-MM or YYYY-MM-DD (null clears it).",
        examples=["2027-06"],
    )


class ProfileBody(BaseModel):
    timezone: str
    pregnant: bool | None
    breastfeeding: bool | None
    medications: list[str]
    goals: list[str]
    naloxone: bool | None = None
    naloxone_expires: date | None = None


class ProfileOut(BaseModel):
    profile: ProfileBody


# -- catalogues --------------------------------------------------------------------------------
class SymptomInfo(BaseModel):
    id: str
    name: str
    kind: str
    names: list[str]
    red_flag_level: str | None
    note: str | None


class SubstanceInfo(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    id: str
    name: str
    substance_class: str = Field(alias="class")
    names: list[str]
    mme_factor: float | None
    note: str | None


class FormInfo(BaseModel):
    id: str
    help: str


class GoalInfo(BaseModel):
    id: str
    text: str


class SymptomsOut(BaseModel):
    symptoms: list[SymptomInfo]


class SubstancesOut(BaseModel):
    substances: list[SubstanceInfo]


class FormsOut(BaseModel):
    forms: list[FormInfo]


class GoalsOut(BaseModel):
    goals: list[GoalInfo]
