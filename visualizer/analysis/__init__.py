"""Pure analysis over snapshots and graphs: Docker's reachability rules and audit findings."""
