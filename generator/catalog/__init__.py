"""Stage 1, the catalog: loading and the metadata profile.

Takes a catalog folder (site.yaml, publishers.yaml, datasets/<id>/datapackage.yaml, README.md
and data files); gives a :class:`~generator.model.Catalog` and the problems found on the
way. YAML with the line of every key (yamldoc), the JSON Schema profile of every key
(profile, profiles/), encodings of data files (encoding), placeholders left by import and
new (placeholders), README Markdown (markup), and derivatives linked to their sources with
their desensitise rules parsed (derivation). Nothing here reads a data row."""
