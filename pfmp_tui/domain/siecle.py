"""The names of `domain.rows` under their historical module (kept for existing imports).

New code imports from the modules of `pfmp_tui.domain.rows` directly.
"""

from __future__ import annotations

from .text import fold
from .rows.normalise import header_key, header_words, person_key, tidy
from .rows.organisations import (
    ORG_FIELDS,
    TUTOR_FIELDS,
    HeadersNotRecognised,
    map_organisation_headers,
    parse_organisations_csv,
    parse_organisations_table,
    split_person,
)
from .rows.records import OrganisationRow, Parsed, RowError, Skipped, StudentRow, TutorRow
from .rows.siecle_xml import XML_FIELDS, parse_students_xml
from .rows.students import STUDENT_FIELDS, match_student_headers, parse_students_csv, parse_students_table
from .rows.tables import HEADER_SEARCH, Table, csv_rows, sniff_delimiter

__all__ = [
    "HEADER_SEARCH", "ORG_FIELDS", "STUDENT_FIELDS", "TUTOR_FIELDS", "XML_FIELDS",
    "HeadersNotRecognised", "OrganisationRow", "Parsed", "RowError", "Skipped", "StudentRow", "Table",
    "TutorRow", "csv_rows", "fold", "header_key", "header_words", "map_organisation_headers",
    "match_student_headers", "parse_organisations_csv", "parse_organisations_table", "parse_students_csv",
    "parse_students_table", "parse_students_xml", "person_key", "sniff_delimiter", "split_person", "tidy",
]
