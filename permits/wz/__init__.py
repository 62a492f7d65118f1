"""WZ (decyzja o warunkach zabudowy) applications: checks, fees, the kind."""
