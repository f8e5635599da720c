"""How agents choose and learn: motives and conditional-cooperation types (motives), the daily
decision to cooperate and beliefs about others (decisions), interpersonal and institutional
trust (trust), satisfaction (satisfaction), joining and leaving (membership)."""
