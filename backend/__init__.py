"""The grievance desk's ticket service: API, worker and SLA engine."""
