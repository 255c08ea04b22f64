"""Pure domain rules of the grievance desk: states, categories, departments, routing, SLA."""
