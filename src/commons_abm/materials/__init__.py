"""The material commons: routing end-of-life goods and by-products down the waste hierarchy
(routing), the reuse-and-repair hub (repair_hub) and firms' by-product exchange (symbiosis)."""
