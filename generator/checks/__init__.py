"""Stage 2, the checks: is the catalog fit to publish?

Takes the loaded :class:`~generator.model.Catalog`; gives one
:class:`~generator.checks.validate.DatasetReport` per dataset and adds every problem to the
catalog's problem list: the policy rules of each open type, every resource against its Table
Schema (frictionless, or the column-wise fast path for large CSVs in fastcheck), and the
rules of desensitised derivatives (derivation). Writes nothing."""
