/** Help texts of the command line. */
export const USAGE = `dialogrunde – guided work-environment dialogue rounds ("Bæredygtigt arbejdsmiljø")

Usage:
  dialogrunde simulate [options]     run a whole round with virtual participants
  dialogrunde deck validate FILE     check a deck file and list every problem
  dialogrunde deck show [ID|FILE]    print a deck: areas, missions, cards
  dialogrunde secret                 print a new random DIALOGRUNDE_SECRET
  dialogrunde help                   show this help
  dialogrunde --version              show the version

Run "dialogrunde <command> --help" for the options of a command.`;

export const SIMULATE_USAGE = `dialogrunde simulate – run a whole round through the app with virtual participants

Options:
  --participants N   how many take part (2–500, default 12)
  --seed N           random seed; the same seed gives the same round (default 1)
  --deck FILE        use this deck file instead of the default deck
  --lang da|en       language of the round (default da)
  --mode sync|async  facilitator-driven meeting or deadlines (default sync)
  --k N              anonymity threshold, at least 3 (default 3)
  --votes FILE       replay recorded ratings instead of random ones:
                     {"ratings": {"<card id>": [5, 4, "na", null, ...]},
                      "priorities": [["<card id>", ...], ...]}
                     (entry i is participant i; null = did not vote)

Prints the summary: lowest areas, missions and cards first, the strong ones,
disagreements, the priority ranking and the follow-up plan.`;

export const DECK_USAGE = `dialogrunde deck – work with decks

  dialogrunde deck validate FILE         exit 0 when valid, else list each problem
  dialogrunde deck show [ID|FILE] [--lang da|en]
                                          print the deck (default: the built-in deck)`;
