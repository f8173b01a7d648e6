#!/usr/bin/env python3
"""Validates a SARIF file against the SARIF 2.1.0 JSON schema.

usage: sarif_schema.py FILE.sarif SCHEMA.json

Exits 0 if FILE is valid, 1 with the validation errors on stderr if not, and
2 if either file cannot be read or parsed. Besides the schema it checks the
few things GitHub code scanning needs that the schema leaves optional:
version 2.1.0, every result has a ruleId naming a rule of its run's driver,
and locations use line/column regions.
"""
import json
import sys

import jsonschema


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        print(f"{path}: {e}", file=sys.stderr)
        sys.exit(2)


def github_checks(log):
    problems = []
    if log.get("version") != "2.1.0":
        problems.append("version is not 2.1.0")
    for r, run in enumerate(log.get("runs", [])):
        driver = run.get("tool", {}).get("driver", {})
        rules = driver.get("rules", [])
        ids = [rule.get("id") for rule in rules]
        if len(set(ids)) != len(ids):
            problems.append(f"runs[{r}]: duplicate rule ids")
        for i, res in enumerate(run.get("results", [])):
            where = f"runs[{r}].results[{i}]"
            rid = res.get("ruleId")
            if rid not in ids:
                problems.append(f"{where}: ruleId {rid!r} is not a rule of the driver")
            idx = res.get("ruleIndex")
            if idx is not None and (idx < 0 or idx >= len(ids) or ids[idx] != rid):
                problems.append(f"{where}: ruleIndex {idx} does not point at {rid!r}")
            for loc in res.get("locations", []):
                region = loc.get("physicalLocation", {}).get("region", {})
                if "startLine" not in region:
                    problems.append(f"{where}: location without startLine")
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    log = load(sys.argv[1])
    schema = load(sys.argv[2])
    validator_cls = jsonschema.validators.validator_for(schema)
    validator = validator_cls(schema, format_checker=validator_cls.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    for e in errors:
        path = "/".join(str(p) for p in e.absolute_path) or "(root)"
        print(f"{sys.argv[1]}: {path}: {e.message}", file=sys.stderr)
    problems = github_checks(log)
    for p in problems:
        print(f"{sys.argv[1]}: {p}", file=sys.stderr)
    if errors or problems:
        return 1
    print(f"{sys.argv[1]}: valid SARIF 2.1.0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
