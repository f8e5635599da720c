"""Rules as data and the institutions that apply them: the ADICO rulebook grammar (rulebook),
monitoring, sanctions, mediation, collective choice at meetings, the officials' posture, stance
and electoral cycle (officials), and the community's accounts (accounts)."""
