"""Public HTTP routes (`api.md`): thin handlers that decode, call one use case, and present."""
