// Mutation testing runs the covering tests once per mutant: property tests try a fifth of their cases.
process.env.PROPERTY_RUNS_SCALE ??= '0.2';
