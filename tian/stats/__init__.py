"""Statistics: the year's numbers (立案率, 办复率, 按时办复率, 满意率 …) by session, unit, category, sector,
party and member, with charts and Excel downloads. Every definition is in docs/statistics.md."""
