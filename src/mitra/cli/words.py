"""User-facing words of the CLI in one place, calm and non-judgemental."""


def support_line() -> str:
    """The one-line reminder under a command's output; its crisis lines come from the
    reviewed support table (rules.toml, each line with its sources), not a copy here."""
    from mitra.domain.alerts import default_support  # noqa: PLC0415 (read when printed)

    return (
        "Help is there if you want it: buprenorphine or methadone with a clinician. "
        f"Free, 24/7: {default_support().crisis_brief()}."
    )


ESTIMATE_CAVEAT = (
    "Estimates come from typical or labelled potency; real contents vary, so mitra judges "
    "safety on the high end of each range."
)

MAIN_HELP = """\
mitra: a private journal for easing opioid withdrawal, with kratom-aware dose estimates.

Everything stays on this computer (a SQLite file) unless you choose another database.

\b
Examples:
  mitra product add "Red Bali" --form leaf --mitragynine-pct 1.6
  mitra log dose 3g --product "Red Bali"
  mitra log substance xanax 1mg --at "yesterday 21:00"
  mitra log symptom nausea --severity 2
  mitra history --since "3 days ago"
  mitra demo            (a sample journey in a separate demo database)
"""
