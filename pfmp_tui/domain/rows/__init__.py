"""Rows out of the files schools already have: SIECLE exports and organisation spreadsheets.

Pure: the service reads the file (zip, encoding, XLSX cells) and hands over bytes
(the SIECLE XML) or text (CSV) or a list of rows; this package turns them into
checked rows, the rows it skipped (learner gone, other division) and every bad row
as a `RowError` (line, column as written in the file, French reason). Matching rows
with the store is the service's job (`services.importing`).

One idea a module:
- `normalise`: header words, cell spacing, the key of a person;
- `records`: the row types, `RowError`, `Parsed`, the checker running the validators;
- `tables`: CSV rows with their line numbers, cells of a row;
- `students`: learner lists (SIECLE CSV « liste des élèves par division »:
  ``NOM;PRENOM;SEXE;NE(E) LE;MEF;DIV.;…``, or any list with those headers);
- `siecle_xml`: the SIECLE XML export ``ExportXML_ElevesSansAdresses.xml``;
- `organisations`: one row per organisation (or per tutor of an organisation), with
  columns recognised from common French headers, or named by an explicit mapping.
"""
