"""The default convention template, built with python-docx from this code (so it is
reproducible and reviewable): every field of the national convention-type (circulaire
n° 2016-053, Code de l'éducation D. 124-4), as docxtpl fields.

A school starts its own model from it: ``pfmp paper convention --write-template
modele.docx``, edit it in Word or LibreOffice, then ``--template modele.docx``.
"""

from __future__ import annotations

import io

TITLE = "Convention relative à la formation en milieu professionnel"
SUBTITLE = "Baccalauréat professionnel AGOrA — élève de lycée professionnel (circulaire n° 2016-053)"

# (heading, paragraphs). A paragraph starting with « {%p » is a docxtpl paragraph tag.
ARTICLES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Entre", (
        "L'établissement d'enseignement : {{ etablissement.nom }} (UAI {{ etablissement.uai }}), "
        "{{ etablissement.adresse }}, {{ etablissement.code_postal }} {{ etablissement.ville }} — "
        "tél. {{ etablissement.telephone }}, {{ etablissement.courriel }}, "
        "représenté par {{ etablissement.chef }}, {{ etablissement.chef_qualite }} ;",
        "et l'organisme d'accueil : {{ organisme.nom }} (SIRET {{ organisme.siret }}), "
        "{{ organisme.adresse_complete }} — tél. {{ organisme.telephone }}, {{ organisme.courriel }}, "
        "{{ organisme.site }}, représenté par {{ organisme.representant }}, {{ organisme.representant_qualite }}.",
    )),
    ("Concernant l'élève", (
        "{{ eleve.nom }} {{ eleve.prenom }}, né(e) le {{ eleve.date_naissance }} ({{ eleve.age }} ans au début "
        "de la période), classe {{ eleve.classe }}, INE {{ eleve.ine }}, voie {{ eleve.voie }}, {{ eleve.courriel }}.",
        "{%p if eleve.mineur %}",
        "Élève mineur(e) ; représentant(s) légal(aux) :",
        "{%p for r in eleve.representants %}",
        "– {{ r.nom_complet }} ({{ r.lien }}), {{ r.adresse }}, tél. {{ r.telephone }}, {{ r.courriel }}",
        "{%p endfor %}",
        "{%p endif %}",
    )),
    ("Article 1 — Objet", (
        "La présente convention règle les rapports entre l'organisme d'accueil, l'établissement et l'élève "
        "pour la période de formation en milieu professionnel (PFMP) « {{ stage.periode }} » prévue par le "
        "référentiel du diplôme (Code de l'éducation, articles D. 124-1 à D. 124-9).",
    )),
    ("Article 2 — Dates et durée", (
        "Du {{ stage.debut }} au {{ stage.fin }} : {{ stage.jours }} jours ouvrés ({{ stage.semaines }} semaines), "
        "soit {{ stage.duree_heures }} heures (7 heures par jour).",
    )),
    ("Article 3 — Horaires", (
        "{{ stage.heures_jour }} heures par jour, {{ stage.heures_semaine }} heures par semaine : {{ stage.horaires }}.",
        "{%p if eleve.mineur %}",
        "L'élève mineur(e) ne peut travailler plus de 8 heures par jour ni plus de 35 heures par semaine ; "
        "le travail de nuit (entre 22 heures et 6 heures) lui est interdit (Code du travail, L. 3162-1 et L. 3163-2).",
        "{%p endif %}",
        "{%p if stage.travail_nuit %}",
        "Du travail de nuit est prévu (élève majeur(e) uniquement).",
        "{%p endif %}",
    )),
    ("Article 4 — Encadrement", (
        "Tuteur dans l'organisme : {{ tuteur.nom_complet }}, {{ tuteur.fonction }}, tél. {{ tuteur.telephone }}, "
        "{{ tuteur.courriel }}.",
        "Enseignant référent : {{ referent.nom }} ({{ referent.identifiant }}), {{ referent.courriel }}.",
    )),
    ("Article 5 — Statut de l'élève, gratification, frais", (
        "L'élève reste sous statut scolaire. Gratification : {{ stage.gratification }}.",
        "Transport : {{ stage.transport }}. Restauration et hébergement : {{ stage.restauration }}.",
    )),
    ("Article 6 — Assurances", (
        "L'établissement : {{ etablissement.assurance }}. L'organisme d'accueil : {{ stage.assurance }}.",
    )),
    ("Article 7 — Attestation et évaluation", (
        "À l'issue de la période, le tuteur remplit et signe l'attestation de PFMP et évalue les compétences "
        "de l'élève dans le document de liaison.",
    )),
    ("Annexe pédagogique — activités prévues", (
        "{{ stage.activites }}",
        "Compétences visées (référentiel du Bac Pro AGOrA) :",
    )),
)


def build_default_template() -> bytes:
    """The default template as .docx bytes."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.core_properties.title = TITLE
    doc.core_properties.author = "pfmp"
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(10)
    doc.add_heading(TITLE, level=0)
    doc.add_paragraph(SUBTITLE)
    doc.add_paragraph("Établie le {{ date_du_jour }} — état : {{ convention.statut }}")
    for heading, paragraphs in ARTICLES:
        doc.add_heading(heading, level=2)
        for text in paragraphs:
            doc.add_paragraph(text)

    table = doc.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ("Code", "Compétence", "Activité")):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for c in stage.competences %}"
    row = table.rows[2].cells
    row[0].text, row[1].text, row[2].text = "{{ c.code }}", "{{ c.libelle }}", "{{ c.activite }}"
    end = table.add_row().cells
    end[0].text = "{%tr endfor %}"

    doc.add_heading("Périodes de l'élève", level=2)
    doc.add_paragraph("{%p for s in stages %}")
    doc.add_paragraph("– {{ s.periode }} : du {{ s.debut }} au {{ s.fin }} ({{ s.jours }} jours), {{ s.organisme }}")
    doc.add_paragraph("{%p endfor %}")

    doc.add_heading("Signatures", level=2)
    doc.add_paragraph("Fait en autant d'exemplaires que de signataires, le {{ date_du_jour }}.")
    doc.add_paragraph("{%p for s in signataires %}")
    doc.add_paragraph("{{ s.role }} : {{ s.nom }} — signature : ……………………")
    doc.add_paragraph("{%p endfor %}")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
