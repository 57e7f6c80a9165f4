"""The validation engine: Frictionless Table Schema rules, vectorised with pyarrow and orchestrated by
Pandera schemas derived from the Table Schemas, plus this dataset's cross-field and cross-table rules."""
