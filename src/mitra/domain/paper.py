"""Which paper a report is printed on by default: US Letter where it is the usual paper, A4
elsewhere.

The rule, kept simple and stated here: Letter for a time zone of a country or territory where
Letter is the usual office paper (the United States and its territories, Canada, Mexico, the
Philippines, Chile, Colombia, Venezuela, Costa Rica, Guatemala, the Dominican Republic, Puerto
Rico, El Salvador, Nicaragua and Panama), A4 (ISO 216) for every other zone, UTC included. The
zones are those the IANA ``zone.tab`` lists for these countries, plus their old alias names
(``US/*``, ``Canada/*``, ``Mexico/*``, ``Chile/*`` and the like). A person can always choose the
other size; this is only the default. Pure: a zone name in, a paper name out.
"""

from __future__ import annotations

from typing import Literal

Paper = Literal["a4", "letter"]

LETTER_PREFIXES = ("US/", "Canada/", "Mexico/", "Chile/")

LETTER_ZONES = frozenset(
    (
        "America/Adak",
        "America/Anchorage",
        "America/Atikokan",
        "America/Atka",
        "America/Bahia_Banderas",
        "America/Blanc-Sablon",
        "America/Bogota",
        "America/Boise",
        "America/Cambridge_Bay",
        "America/Cancun",
        "America/Caracas",
        "America/Chicago",
        "America/Chihuahua",
        "America/Ciudad_Juarez",
        "America/Costa_Rica",
        "America/Coyhaique",
        "America/Creston",
        "America/Dawson",
        "America/Dawson_Creek",
        "America/Denver",
        "America/Detroit",
        "America/Edmonton",
        "America/El_Salvador",
        "America/Ensenada",
        "America/Fort_Nelson",
        "America/Fort_Wayne",
        "America/Glace_Bay",
        "America/Goose_Bay",
        "America/Guatemala",
        "America/Halifax",
        "America/Hermosillo",
        "America/Indiana/Indianapolis",
        "America/Indiana/Knox",
        "America/Indiana/Marengo",
        "America/Indiana/Petersburg",
        "America/Indiana/Tell_City",
        "America/Indiana/Vevay",
        "America/Indiana/Vincennes",
        "America/Indiana/Winamac",
        "America/Indianapolis",
        "America/Inuvik",
        "America/Iqaluit",
        "America/Juneau",
        "America/Kentucky/Louisville",
        "America/Kentucky/Monticello",
        "America/Knox_IN",
        "America/Los_Angeles",
        "America/Louisville",
        "America/Managua",
        "America/Matamoros",
        "America/Mazatlan",
        "America/Menominee",
        "America/Merida",
        "America/Metlakatla",
        "America/Mexico_City",
        "America/Moncton",
        "America/Monterrey",
        "America/Montreal",
        "America/New_York",
        "America/Nipigon",
        "America/Nome",
        "America/North_Dakota/Beulah",
        "America/North_Dakota/Center",
        "America/North_Dakota/New_Salem",
        "America/Ojinaga",
        "America/Panama",
        "America/Pangnirtung",
        "America/Phoenix",
        "America/Puerto_Rico",
        "America/Punta_Arenas",
        "America/Rainy_River",
        "America/Rankin_Inlet",
        "America/Regina",
        "America/Resolute",
        "America/Santa_Isabel",
        "America/Santiago",
        "America/Santo_Domingo",
        "America/Shiprock",
        "America/Sitka",
        "America/St_Johns",
        "America/St_Thomas",
        "America/Swift_Current",
        "America/Thunder_Bay",
        "America/Tijuana",
        "America/Toronto",
        "America/Vancouver",
        "America/Whitehorse",
        "America/Winnipeg",
        "America/Yakutat",
        "America/Yellowknife",
        "Asia/Manila",
        "CST6CDT",
        "EST5EDT",
        "MST7MDT",
        "Navajo",
        "PST8PDT",
        "Pacific/Easter",
        "Pacific/Guam",
        "Pacific/Honolulu",
        "Pacific/Pago_Pago",
        "Pacific/Saipan",
        "US/Samoa",
    )
)


def paper_for_zone(zone: str) -> Paper:
    """ "letter" for a zone where US Letter is the usual paper, else "a4"."""
    name = zone.strip()
    if name in LETTER_ZONES or name.startswith(LETTER_PREFIXES):
        return "letter"
    return "a4"
