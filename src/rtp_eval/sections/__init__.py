"""The report's sections: each draws its figures and builds its tables and sentences from the
published tables only. The analysis modules never import these, so a job that only aggregates
loads no plotting or report code."""
