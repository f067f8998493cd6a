"""Publishing: documents and figures made from the data and the derived tables (data dictionary,
figures, Croissant, release metadata). Deriving tables is `derive`; the jobs in scripts/ call both."""
