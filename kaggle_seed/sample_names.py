"""The sample catalog's made-up names: word lists and how track titles and artist names are drawn.

Used by `kaggle_seed.generate_sample` (and, through it, the test data generators); deterministic
for a given `random.Random`.
"""

from __future__ import annotations

import random

FIRST_NAMES = [
    "Luna",
    "Milo",
    "Ada",
    "Kai",
    "Nora",
    "Otis",
    "Iris",
    "Theo",
    "Vera",
    "Jude",
    "Cleo",
    "Remy",
    "Elsa",
    "Hugo",
    "Lila",
    "Axel",
    "Mira",
    "Nico",
    "Zara",
    "Ezra",
]
LAST_NAMES = [
    "Vance",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Rivera",
    "Holt",
    "Castell",
    "Brandt",
    "Novak",
    "Silva",
    "Kerr",
    "Duval",
    "Ibarra",
    "Quinn",
]
BAND_ADJECTIVES = [
    "Velvet",
    "Electric",
    "Hollow",
    "Golden",
    "Silent",
    "Neon",
    "Wild",
    "Paper",
    "Crimson",
    "Broken",
    "Lunar",
    "Northern",
    "Sunday",
    "Iron",
]
BAND_NOUNS = [
    "Echoes",
    "Foxes",
    "Harbor",
    "Machines",
    "Tides",
    "Orchard",
    "Ghosts",
    "Parade",
    "Satellites",
    "Rivers",
    "Wolves",
    "Lanterns",
    "Static",
]
WORDS = [
    "love",
    "night",
    "fire",
    "heart",
    "dream",
    "city",
    "rain",
    "gold",
    "summer",
    "light",
    "ocean",
    "road",
    "shadow",
    "sky",
    "ghost",
    "midnight",
    "dance",
    "river",
    "stars",
    "home",
    "wild",
    "blue",
    "silver",
    "thunder",
    "honey",
    "paper",
    "sugar",
    "smoke",
    "glass",
    "morning",
    "velvet",
    "echo",
    "storm",
    "tide",
    "desert",
    "neon",
    "garden",
    "window",
    "letters",
    "radio",
    "forever",
]
TITLE_FORMS = (
    "{A}",
    "{A} {B}",
    "The {A}",
    "{A} of {B}",
    "{A} in the {B}",
    "No More {A}",
    "Back to the {A}",
    "{A} & {B}",
    "All the {A}s",
)


def title(rng: random.Random) -> str:
    a, b = rng.sample(WORDS, 2)
    return rng.choice(TITLE_FORMS).format(A=a.capitalize(), B=b.capitalize())


def artist_name(rng: random.Random, taken: set[str]) -> str:
    for attempt in range(10_000):
        roll = rng.random()
        if roll < 0.4:
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        elif roll < 0.8:
            name = f"{rng.choice(['The ', ''])}{rng.choice(BAND_ADJECTIVES)} {rng.choice(BAND_NOUNS)}"
        else:
            name = f"{rng.choice(FIRST_NAMES)}{rng.choice(['', ' & the ' + rng.choice(BAND_NOUNS)])}"
        if attempt > 50:  # the word lists are small: larger pools get numbered names
            name = f"{name} {attempt}"
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("could not draw a unique artist name")
