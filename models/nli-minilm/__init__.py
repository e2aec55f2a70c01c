"""The offline judge's weights, installed as checker.bundled_judge (pyproject.toml maps this folder there)."""
