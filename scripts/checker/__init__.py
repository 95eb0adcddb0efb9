"""The checker of the guide, as a package (scripts/check.py is its command line).

    findings.py   Finding, finding(), Edit, ConfigError; the output formats (text, json, github)
    registry.py   Rule and Check, and the registry every rule family registers itself in
    config.py     data/checker.yml (Settings), the terminology rule, domains, references,
                  mkdocs.yml (SiteConfig), all read through yaml_tags, as one Context
    markdown.py   the one Markdown model: SourceFile, links, headings, includes, masks, prose
    site.py       the site: pages, page_url, anchors, link schemes, link graph, templates; Run
    rules/        one module a family of rules: each registers its rules and checks once
    engine.py     runs every registered check, scope by scope, into a Report
    cli.py        selection (paths, --changed), --fix, output, exit status, --list-rules

README.md here says how it fits together and how to add a rule.
"""
