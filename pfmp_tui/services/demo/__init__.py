"""The demo school behind `pfmp demo`: a believable lycée professionnel, deterministic.

`build_demo(students, seed, today)` is a pure function of its arguments: the same
seed and the same `today` give the same `Dataset`, record for record. It uses its
own `random.Random(seed)` (never the global generator) and reads no clock: `today`
defaults to ``date.today()`` only at the public entry point.

What it builds, relative to `today` (the school year starts in September):
- four cohorts of the Bac Pro AGOrA, holiday zone B: « 2nde AGOrA », « 1re AGOrA »,
  « Tle AGOrA » (dossier deadline mid-May of their exam session, still to come) and a
  small « Tle AGOrA (session précédente) » whose deadline has passed, so that some
  candidates are « valide » and a few « non valide » (R14); each level is split in
  divisions of at most 35 learners (« 2nde AGOrA 1 », « 2nde AGOrA 2 »… from 36 learners
  a level on: the 90-learner default has one division per level);
- six PFMP periods per division over its three-year cycle (3 + 3 weeks in 2nde,
  4 + 4 in 1re, 4 + 4 in Tle: 22 weeks, R1);
- every voie: scolaire in 3 years (R1) and in 2 years (R2), positionné (R3, R4),
  FPC (R5), FPC perfectionnement with certificats de travail (R6), apprentices with
  a contract and one without (R7), experienced candidates, one of them short (R8),
  and one dérogation with its reason;
- organisations (cabinets comptables, mairies, associations, PME, hospitals…) with
  valid SIRETs, one in Spain (R15), and their tutors;
- placements with conventions (a few signed late or not at all, R10), attestations
  (a few missing, unsigned or short, R11), and the tutors' assessments of the 37
  competences, rising period after period (a few missing, R12).

E-mail addresses use reserved ``example`` domains and phone numbers the ranges
ARCEP keeps for fiction, so nothing in the demo reaches a real person.

The modules, one idea each: `names` (people and places), `calendar` (cohorts and periods),
`organisations` (hosts and tutors), `profiles` (who the learners are), `students`,
`placements` (conventions, attestations, assessments), `justificatifs` (contracts,
certificates), `draft` (the state they share) and `school` (the whole build, in order).
"""

from __future__ import annotations

from .school import DEFAULT_STUDENTS, MAX_STUDENTS, build_demo

__all__ = ["build_demo", "DEFAULT_STUDENTS", "MAX_STUDENTS"]
