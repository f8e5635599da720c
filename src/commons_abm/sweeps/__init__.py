"""Experiments over many runs: the experiment file (experiment), designs and sampling
(sampling), where runs execute (executors), the crash-proof store (store), sensitivity indices
(sensitivity), their figures (figures) and paired rulebook comparisons (compare)."""
