"""HTTP plumbing shared by the services: health/readiness routes, problem+json, internal auth."""
