/** Help texts of the command line. */
export const USAGE = `dialogrunde – guided work-environment dialogue rounds ("Bæredygtigt arbejdsmiljø")

Usage:
  dialogrunde simulate [options]     run a whole round with virtual participants
  dialogrunde deck validate FILE     check a deck file and list every problem
  dialogrunde deck show [ID|FILE]    print a deck: areas, missions, cards
  dialogrunde round export ID        print everything stored about a round, as JSON
  dialogrunde round delete ID        delete a round and everything stored about it
  dialogrunde user forget PLATFORM USER
                                     remove a person from follow-up plans and nudge records
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

/** Shared by `round` and `user`: where they find the data. */
const SAME_ENVIRONMENT = `They use the same environment as the bot: STORE (sqlite or redis),
SQLITE_PATH or DATA_DIR, REDIS_URL and REDIS_PREFIX, DIALOGRUNDE_SECRET,
RETENTION_DAYS. Run them where the bot runs, with its .env loaded.`;

export const ROUND_USAGE = `dialogrunde round – a round's data

  dialogrunde round export ID          everything stored about the round, as JSON on
                                       stdout: the round (settings, notes, own
                                       initiatives, follow-up plan), how many took part,
                                       how many ballots each open card holds, the
                                       results of closed cards (withheld below k),
                                       pending reminders. Never who voted what.
  dialogrunde round delete ID [--yes]  deletes the round with its counts, participants,
                                       follow-up plan, reminders and what the channels
                                       remember about it. Asks first on a terminal;
                                       --yes (-y) skips the question (required in scripts).

Exit codes: 0 done, 2 no such round (nothing changed) or a usage mistake.
${SAME_ENVIRONMENT}`;

export const USER_USAGE = `dialogrunde user – a person's data

  dialogrunde user forget PLATFORM USER
      PLATFORM: web, teams, slack or cli; USER: the person's id on it (Slack U…,
      the Teams/Entra object id). In every round of that platform, follow-up items
      the person owns get a neutral owner ("(slettet bruger)" / "(deleted user)")
      without their id, and the records of nudges sent to them are removed. Votes
      need nothing: they are stored under round keys and become counts. Rounds the
      person facilitates are listed, not changed (delete them with "round delete").

${SAME_ENVIRONMENT}`;
