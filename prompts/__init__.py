"""The prompts, installed as checker.bundled_prompts (pyproject.toml maps this folder there)."""
