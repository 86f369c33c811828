"""User-facing words of the CLI in one place, calm and non-judgemental."""

SUPPORT_LINE = (
    "Help is there if you want it: buprenorphine or methadone with a clinician, "
    "SAMHSA helpline 1-800-662-4357 (free, 24/7), 988 call or text in a crisis."
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
