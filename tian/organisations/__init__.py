"""The committee and the people and organisations around it: terms, sessions, sectors, parties, members,
collective proposers, units, supervising offices and lead officials. All of it is data, not code."""
