"""Every top-level ``mitra`` command by name, imported only when it is run.

Importing every command module (and what each pulls in) at start-up cost more than most
commands themselves, so ``mitra`` knows its commands from this table: the name, the module and
object defining it, and its summary, the first sentence of its help, which is all that
``mitra --help`` shows of it. ``mitra log dose`` imports ``journal_cmds`` and nothing else.

Invariants (tests/cli/test_command_table.py holds them): the table names exactly the commands
the modules' ``COMMANDS`` define, and each summary gives the same ``mitra --help`` line as the
command's own help at every width, so the listing reads exactly as with every module loaded.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

import click


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    module: str  # under mitra.cli
    attribute: str
    summary: str  # what click makes of the first paragraph of the command's help

    def load(self) -> click.Command:
        command: click.Command = getattr(
            importlib.import_module(f"mitra.cli.{self.module}"), self.attribute
        )
        return command

    def stand_in(self) -> click.Command:
        """A command with only the summary as help: lists in ``mitra --help`` as the real one."""
        return click.Command(self.name, help=self.summary)


# In the order the modules register them; ``mitra --help`` lists them sorted by name.
ENTRIES = (
    Entry("log", "journal_cmds", "log_group", "Record a kratom dose, another substance, or a "
          "symptom."),
    Entry("history", "journal_cmds", "history", "List journal entries in time order, in your "
          "time zone."),
    Entry("delete", "journal_cmds", "delete", "Delete an entry by id (see 'mitra history')."),
    Entry("undo", "journal_cmds", "undo", "Undo the last change: take back the last logged "
          "entry, or restore the last deleted one."),
    Entry("product", "setup_cmds", "product_group", "Your kratom products and their potency."),
    Entry("profile", "setup_cmds", "profile_group", "Your time zone, pregnancy or "
          "breastfeeding, medications, goals, naloxone."),
    Entry("symptoms", "setup_cmds", "symptoms_list", "List the symptoms mitra knows, with the "
          "words it accepts and example phrases."),
    Entry("substances", "setup_cmds", "substances_list", "List the substances mitra "
          "recognises by name and class."),
    Entry("check", "check_cmds", "check", "Record a withdrawal check-in: score one instrument "
          "and keep every answer."),
    Entry("scores", "check_cmds", "scores", "List check-in scores in time order, each with its "
          "change from the previous score of the same instrument and from your first one (your "
          "baseline)."),
    Entry("alerts", "safety_cmds", "alerts_group", "Safety alerts raised by what you logged, "
          "each with its evidence."),
    Entry("rules", "safety_cmds", "rules_list", "List the safety rules in force: what each "
          "checks, its thresholds (after any clinician settings), severity and sources."),
    Entry("plan", "plan_cmds", "plan_group", "Titration and taper plans inside the hard "
          "limits, gated on check-ins."),
    Entry("exposure", "plan_cmds", "exposure_cmd", "How much mitragynine has built up in your "
          "body from the doses you logged: a band over the published half-lives (23-68 h), "
          "never one precise line; how many times one dose your dosing pattern builds up to; "
          "and how long a change takes to settle."),
    Entry("timeline", "plan_cmds", "timeline_cmd", "Where you probably are in withdrawal since "
          "your last opioid use (kratom counts while you taper it), with the typical windows, "
          "how certain they are, and your own check-in scores by hours since that use."),
    Entry("bup-readiness", "pathway_cmds", "bup_readiness", "Is withdrawal far enough along, "
          "long enough after your last opioid, to start buprenorphine with your clinician? "
          "Uses your latest COWS check-in (from the last 6 hours) and the hours since your "
          "last use of each kind of opioid (short-acting, extended-release, methadone, "
          "fentanyl) and of kratom or 7-OH."),
    Entry("report", "report_cmds", "report_group", "Documents for a clinician: a PDF report or "
          "a FHIR bundle."),
    Entry("export", "report_cmds", "export", "Export everything: entries (deleted ones "
          "marked), products, check-ins with every answer, alerts with acknowledgements, the "
          "action log and your profile."),
    Entry("import", "report_cmds", "import_cmd", "Import a mitra JSON export (encrypted ones "
          "too) into this journal, empty or not."),
    Entry("backup", "report_cmds", "backup_cmd", "Back up the SQLite journal to FILE (default: "
          "a time-stamped file in a 'backups' folder beside the journal)."),
    Entry("restore", "report_cmds", "restore_cmd", "Restore the SQLite journal from a backup "
          "FILE (encrypted ones too)."),
    Entry("demo", "demo_cmd", "demo", "Build a realistic four-week sample journey in a "
          "separate demo database (replacing any earlier demo), then show its last days."),
    Entry("serve", "serve_cmd", "serve", "Run mitra's web app: pages for your journal and a "
          "JSON API (/api/v1, described at /api/v1/openapi.json)."),
    Entry("clinic", "clinic_cmds", "clinic_group", "Run the clinic server's accounts, shares "
          "and audit log (PostgreSQL only)."),
    Entry("share", "share_cmds", "share_group", "Share this journal with your clinic: send "
          "its entries to your account on the clinic's mitra server."),
)  # fmt: skip
BY_NAME = {entry.name: entry for entry in ENTRIES}


class LazyGroup(click.Group):
    """A group whose commands come from ``ENTRIES``, each module imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *BY_NAME})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in BY_NAME:
            self.add_command(BY_NAME[cmd_name].load(), cmd_name)
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # The listing of a plain group holding the loaded commands and stand-ins for the rest.
        listing = click.Group(
            self.name,
            commands={
                name: self.commands.get(name) or BY_NAME[name].stand_in()
                for name in self.list_commands(ctx)
            },
        )
        listing.format_commands(ctx, formatter)
