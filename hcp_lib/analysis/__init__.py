"""Analysis beyond one bulletin: trends across quarters (``trends``) and drill-down into a unit
or district (``drill``), for the analyst's notebooks."""
