"""Names of the demo's people and places: learners, adults, teachers, towns of Ille-et-Vilaine."""

from __future__ import annotations

from ...domain.text import slug

FEMALE_FIRST_NAMES = (
    "Chloé", "Léa", "Maëlys", "Anaïs", "Zoé", "Éloïse", "Héloïse", "Noémie", "Clémence", "Inès",
    "Océane", "Gaëlle", "Maëlle", "Léna", "Énora", "Rozenn", "Nolwenn", "Manon", "Camille", "Jade",
    "Louise", "Emma", "Sarah", "Yasmine", "Aïcha", "Salomé", "Célia", "Maïwenn", "Amélie", "Mélissa",
    "Justine", "Lou", "Lina", "Romane", "Ambre", "Axelle", "Émilie", "Laurène", "Soizic", "Bérénice",
)
MALE_FIRST_NAMES = (
    "Mathéo", "Théo", "Noé", "Raphaël", "Gaël", "Loïc", "Yanis", "Kévin", "Jérémy", "Mathis",
    "Lucas", "Hugo", "Enzo", "Nathan", "Maël", "Erwan", "Killian", "Ewen", "Bastien", "Adrien",
    "Timothée", "Clément", "Benoît", "Anaël", "Rayan", "Quentin", "Corentin", "Titouan", "Élouan", "Noah",
)
ADULT_FEMALE_NAMES = (
    "Sandrine", "Nathalie", "Isabelle", "Véronique", "Stéphanie", "Hélène", "Cécile", "Delphine", "Karine",
    "Laëtitia", "Gwénaëlle", "Valérie", "Aurélie", "Anne-Sophie", "Solène", "Béatrice", "Chloé", "Maëlle",
)
ADULT_MALE_NAMES = (
    "Sébastien", "Frédéric", "Jérôme", "François", "Pascal", "Christophe", "Yannick", "Jean-Michel",
    "Thierry", "Loïc", "Gaël", "Olivier",
)
LAST_NAMES = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
    "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
    "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Le Gall", "Le Goff",
    "Le Bihan", "Guého", "Jégou", "Hervé", "Ménard", "Gérard", "Rivière", "Barbé", "Lemaître", "Chevalier",
    "Benoît", "Bœuf", "Lebœuf", "Cœur", "Le Corre", "Quéré", "Prigent", "Guégan", "Hamon", "Daniel",
    "Tanguy", "Le Roux", "Rault", "Gicquel", "Pelé", "Févrié", "Brégeon", "Renaud", "Besnard", "Collin",
    "Boucher", "Fontaine", "Caron", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier", "Dumont",
    "Lopez", "Benali", "Nguyen", "Diallo", "Ferreira", "Haddad", "Kowalski", "Traoré", "Da Silva", "Ozturk",
)
# (first name, last name) of the professeurs référents; logins derive from them (« mdurand »).
TEACHERS = (
    ("Mathilde", "Durand"),
    ("Yann", "Le Bihan"),
    ("Sophie", "Perrin"),
    ("Karim", "Benali"),
    ("Anne", "Guého"),
)
# Ille-et-Vilaine (académie de Rennes, zone B): city, postcode.
CITIES = (
    ("Rennes", "35000"), ("Saint-Malo", "35400"), ("Vitré", "35500"), ("Fougères", "35300"),
    ("Redon", "35600"), ("Cesson-Sévigné", "35510"), ("Bruz", "35170"), ("Saint-Grégoire", "35760"),
    ("Betton", "35830"), ("Chantepie", "35135"), ("Pacé", "35740"), ("Montfort-sur-Meu", "35160"),
    ("Châteaugiron", "35410"), ("Janzé", "35150"), ("Liffré", "35340"), ("Dinard", "35800"),
    ("Combourg", "35270"), ("Guichen", "35580"), ("Le Rheu", "35650"), ("Saint-Jacques-de-la-Lande", "35136"),
    ("Thorigné-Fouillard", "35235"), ("Bain-de-Bretagne", "35470"), ("Mordelles", "35310"),
    ("La Guerche-de-Bretagne", "35130"),
)
STREETS = (
    "rue de la République", "boulevard de la Liberté", "avenue du Général-Leclerc", "rue Jean-Jaurès",
    "rue des Écoles", "rue Victor-Hugo", "rue Pasteur", "allée des Tilleuls", "quai Émile-Zola",
    "rue de Brest", "rue d'Antrain", "avenue Janvier", "rue de Nantes", "rue du Général-de-Gaulle",
    "rue de l'Industrie", "impasse des Lilas", "rue des Artisans", "place du Marché", "rue Saint-Malo",
    "boulevard Voltaire", "chemin de la Motte", "rue de la Gare", "avenue de la Libération", "rue de Paris",
)
FLOWERS = ("Les Tilleuls", "Les Glycines", "Les Hortensias", "Le Clos fleuri", "Les Camélias", "Ker Avel")
FIGURES = ("Jules-Verne", "Anne-de-Bretagne", "Jacques-Prévert", "Victor-Hugo", "Simone-Veil", "Paul-Féval")


def login(first: str, last: str) -> str:
    """« Mathilde », « Durand » → « mdurand » (a professeur référent's login)."""
    return slug(first)[0] + slug(last).replace("-", "")
