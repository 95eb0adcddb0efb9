"""The rule families. Importing this package registers every rule and check (checker.registry);
the order here is the order the engine runs the checks of each scope in."""

from checker.rules import files, links, front_matter, safety, external, terminology, generated, reviews, \
    structure, reading_level, codes, changes, translated  # noqa: F401  (each registers its rules on import)
