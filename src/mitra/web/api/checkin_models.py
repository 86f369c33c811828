"""Request and response models of the check-in part of the JSON API (instruments, check-ins,
scores); they shape its OpenAPI document.

As in ``models.py``: requests are checked here only for types and gross size, and the check-in
service checks meaning (which answers an item allows, the pulse, the time), exactly as for the
CLI. Answers are taken as JSON numbers and handed over unchanged, so a 2.5 or a 3 where the
item has no 3 is refused by the service with the item's name and its allowed values, never
rounded here. Responses mirror ``mitra.services.views`` (``assessment_view``,
``score_row_view``, ``instrument_view``).
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt

from mitra.web.api.models import AlertOut, Note, Text, When

ChangeBasis = Literal["published", "judgement"]


# -- instruments -------------------------------------------------------------------------------
class BandOut(BaseModel):
    min: int
    max: int
    label: str
    meaning: str


class InstrumentOut(BaseModel):
    """An instrument as ``mitra check list --json`` shows it (``items`` is how many)."""

    id: str
    name: str
    short_name: str
    items: int
    rater: Literal["self", "clinician"] = Field(description="Who the instrument is made for.")
    rater_note: str | None
    offer_every: Literal["check-in", "weekly"] = Field(
        description="'weekly' for screens that ask about the past 2 weeks (PHQ-2, GAD-2)."
    )
    recall: str
    min_total: int
    max_total: int
    bands: list[BandOut]
    positive_at: int | None = Field(description="A screen is positive at this total or more.")
    meaningful_change: int
    meaningful_change_basis: ChangeBasis
    meaningful_change_source: str
    meaningful_change_note: str
    loinc: str | None
    citation: str
    licence_note: str


class InstrumentsOut(BaseModel):
    instruments: list[InstrumentOut]


class AnswerOut(BaseModel):
    score: int
    anchor: str


class BpmRangeOut(BaseModel):
    score: int
    min_bpm: int | None
    max_bpm: int | None


class ItemOut(BaseModel):
    id: str
    number: int
    label: str
    text: str
    answers: list[AnswerOut] = Field(
        description="The anchored scores; a continuous scale (step set) anchors only its ends."
    )
    allowed: str = Field(description="Every score the item accepts, in words.")
    step: int | None
    scale: str | None
    bpm_ranges: list[BpmRangeOut] | None = Field(
        description="COWS resting pulse: the beats a minute that give each score."
    )


class InstrumentDetail(InstrumentOut):
    instructions: str
    sources: list[str]
    item_list: list[ItemOut] = Field(description="The items in order, with their answers.")


class InstrumentOneOut(BaseModel):
    instrument: InstrumentDetail


# -- check-ins ---------------------------------------------------------------------------------
class CheckinIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"instrument": "sows-gossop", "answers": [1, 2, 0, 1, 1, 2, 2, 1, 0, 3]},
                {
                    "instrument": "cows",
                    "answers": [1, 3, 1, 2, 1, 2, 1, 1, 2, 3],
                    "pulse_bpm": 104,
                    "rater": "clinician",
                },
                {"instrument": "craving", "answers": [65], "at": "2h ago", "note": "evening"},
            ]
        },
    )

    instrument: Text = Field(description="An instrument id: cows, sows-gossop, phq2, craving...")
    answers: list[StrictInt | StrictFloat] = Field(
        max_length=200,
        description="One whole number per item, in item order. With pulse_bpm (COWS), leave "
        "the pulse item out.",
    )
    at: When = None
    rater: Text = Field(default="self", description="self or clinician.")
    pulse_bpm: float | None = Field(
        default=None,
        allow_inf_nan=False,
        description="COWS only: the resting pulse in beats a minute, scored by the COWS ranges.",
    )
    note: Note = None


class AssessmentItemOut(BaseModel):
    id: str
    number: int
    label: str
    score: int
    anchor: str | None = Field(description="The words of the chosen score, where it has some.")
    bpm: float | None = Field(default=None, description="The pulse as given, if given in bpm.")


class AssessmentOut(BaseModel):
    id: int | None
    instrument: str
    instrument_name: str
    short_name: str
    instrument_version: str
    total: int
    min_total: int
    max_total: int
    band: str | None = Field(description="Only where the instrument's own table has a band.")
    band_meaning: str | None
    positive_screen: bool | None = Field(description="None for instruments that do not screen.")
    items: list[AssessmentItemOut]
    at: str
    rater: Literal["self", "clinician"]
    rater_note: str | None
    interpretation: str
    source: str
    note: str | None


class ScoreChangeOut(BaseModel):
    """How a score moved from the previous score of its instrument and from the first one."""

    baseline: bool = Field(description="True for the first score of the instrument.")
    change_from_previous: int | None
    change_from_baseline: int | None
    meaningful: bool = Field(description="The change from the previous score is meaningful.")
    meaningful_from_baseline: bool
    meaningful_change: int = Field(description="The size of change treated as meaningful.")
    meaningful_change_basis: ChangeBasis = Field(
        description="Whether that size is a published figure or mitra's judgement."
    )
    meaningful_change_source: str


class CheckinOut(BaseModel):
    assessment: AssessmentOut
    alerts: list[AlertOut] = Field(
        description="Safety alerts this check-in raised, most serious first."
    )
    change: ScoreChangeOut


class ScoreOut(AssessmentOut, ScoreChangeOut):
    pass


class ScoresOut(BaseModel):
    scores: list[ScoreOut]
    timezone: str
