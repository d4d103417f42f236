/**
 * Lua scripts of the Redis store. Each runs atomically inside Redis, so a
 * check ("is the box open?", "is the version still 3?") and the write that
 * depends on it can never be split by another instance.
 *
 * Round keys (see `roundKeys` in redis-store.ts) all carry the hash tag
 * `{round:<id>}`; the scripts derive per-box ballot keys from KEYS[n] plus a
 * suffix, which stays in the same slot.
 */

/** Shared Lua: fold a box's ballots (JSON values) into the stored tally, then delete them. */
const SEAL = `
local function seal(ballotsKey, talliesKey, openKey, box)
  local tally = { ballots = 0, counts = {} }
  local previous = redis.call('HGET', talliesKey, box)
  if previous then
    local old = cjson.decode(previous)
    tally.ballots = old.ballots
    for k, n in pairs(old.counts) do tally.counts[k] = n end
  end
  for _, json in ipairs(redis.call('HVALS', ballotsKey)) do
    local value = cjson.decode(json)
    tally.ballots = tally.ballots + 1
    if type(value) == 'table' then
      local seen = {}
      for _, id in ipairs(value) do
        if not seen[id] then
          seen[id] = true
          tally.counts[id] = (tally.counts[id] or 0) + 1
        end
      end
    else
      local key = tostring(value)
      tally.counts[key] = (tally.counts[key] or 0) + 1
    end
  end
  local encoded = cjson.encode(tally)
  -- cjson encodes an empty table as {} (an object), which is what counts needs.
  redis.call('HSET', talliesKey, box, encoded)
  -- Anonymity: once sealed, only the counts remain.
  redis.call('DEL', ballotsKey)
  redis.call('SREM', openKey, box)
end
`;

/**
 * KEYS: doc, open, tallies, participants. ARGV: ballot key prefix, doc JSON, open boxes...
 * Returns 1 when created, 0 when the id exists.
 */
export const CREATE_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('DEL', KEYS[2], KEYS[3], KEYS[4])
redis.call('HSET', KEYS[1], 'version', 1, 'doc', ARGV[2])
for i = 3, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
return 1
`;

/**
 * Compare-and-set save. KEYS: doc, open, tallies, participants[, idempotency key].
 * ARGV: ballot key prefix, expected version, doc JSON, idempotency ttl ms,
 * keep-until epoch ms (0 = keep), open boxes...
 * Returns the new version, or 'conflict' / 'duplicate'.
 */
export const SAVE_SCRIPT = `${SEAL}
local idem = KEYS[5]
if idem and redis.call('EXISTS', idem) == 1 then return 'duplicate' end
local version = redis.call('HGET', KEYS[1], 'version')
if not version or tonumber(version) ~= tonumber(ARGV[2]) then return 'conflict' end
local next = tonumber(version) + 1
redis.call('HSET', KEYS[1], 'version', next, 'doc', ARGV[3])
if idem then redis.call('SET', idem, '1', 'PX', ARGV[4]) end
local wanted = {}
for i = 6, #ARGV do wanted[ARGV[i]] = true end
for _, box in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if not wanted[box] then seal(ARGV[1] .. box, KEYS[3], KEYS[2], box) end
end
for i = 6, #ARGV do redis.call('SADD', KEYS[2], ARGV[i]) end
-- Retention: an ended round's keys expire by themselves; any other state keeps them.
local keepUntil = tonumber(ARGV[5])
for i = 1, 4 do
  if keepUntil > 0 then redis.call('PEXPIREAT', KEYS[i], keepUntil)
  else redis.call('PERSIST', KEYS[i]) end
end
return next
`;

/**
 * Shared Lua: a consistent snapshot of the counts, as
 * {participants, {box, n, box, n...}, {box, tallyJSON, ...}} with only sealed boxes' tallies.
 */
const COUNTS = `
local function counts(openKey, talliesKey, participantsKey, ballotPrefix)
  local open = {}
  local ballots = {}
  for _, box in ipairs(redis.call('SMEMBERS', openKey)) do
    open[box] = true
    table.insert(ballots, box)
    table.insert(ballots, redis.call('HLEN', ballotPrefix .. box))
  end
  local tallies = {}
  local all = redis.call('HGETALL', talliesKey)
  for i = 1, #all, 2 do
    if not open[all[i]] then
      table.insert(tallies, all[i])
      table.insert(tallies, all[i + 1])
    end
  end
  return {redis.call('SCARD', participantsKey), ballots, tallies}
end
`;

/**
 * One ballot per voter, only into an open box. KEYS: doc, open, ballots of the box,
 * participants, tallies. ARGV: box, voter key, value JSON, ballot key prefix. Returns
 * {outcome, ballots in the box, round version, counts (as COUNTS_SCRIPT)}, so the vote
 * path needs no second round trip for "n of m".
 */
export const CAST_SCRIPT = `${COUNTS}
local version = redis.call('HGET', KEYS[1], 'version')
if not version then return {'round_not_found', 0} end
if redis.call('SISMEMBER', KEYS[2], ARGV[1]) == 0 then return {'box_not_open', 0} end
local before = redis.call('HGET', KEYS[3], ARGV[2])
local outcome = 'recorded'
if before then
  if before == ARGV[3] then outcome = 'unchanged' else outcome = 'changed' end
end
if outcome ~= 'unchanged' then redis.call('HSET', KEYS[3], ARGV[2], ARGV[3]) end
redis.call('SADD', KEYS[4], ARGV[2])
return {outcome, redis.call('HLEN', KEYS[3]), tonumber(version), counts(KEYS[2], KEYS[5], KEYS[4], ARGV[4])}
`;

/** KEYS: doc, participants. ARGV: voter key. Returns the participant count, or -1 for no round. */
export const JOIN_SCRIPT = `
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
redis.call('SADD', KEYS[2], ARGV[1])
return redis.call('SCARD', KEYS[2])
`;

/** The counts of a round. KEYS: open, tallies, participants. ARGV: ballot key prefix. */
export const COUNTS_SCRIPT = `${COUNTS}
return counts(KEYS[1], KEYS[2], KEYS[3], ARGV[1])
`;

/**
 * Deletes a round with its ballots, tallies and participants. KEYS: doc, open, tallies,
 * participants. ARGV: ballot key prefix. Returns the deleted doc JSON, or false.
 */
export const DELETE_SCRIPT = `
local doc = redis.call('HGET', KEYS[1], 'doc')
for _, box in ipairs(redis.call('SMEMBERS', KEYS[2])) do redis.call('DEL', ARGV[1] .. box) end
redis.call('DEL', KEYS[1], KEYS[2], KEYS[3], KEYS[4])
return doc
`;

/**
 * Saves an installation. KEYS: record, organisation index (the record key again when there is
 * no organisation), sequence. ARGV: record JSON (naming its organisation index), installation
 * key, has organisation (1/0). The old index entry is read from the stored record; all
 * installation keys share the hash tag {inst}.
 */
export const INSTALLATION_SAVE_SCRIPT = `
local previous = redis.call('GET', KEYS[1])
if previous then
  local old = cjson.decode(previous)
  if type(old.organisationIndex) == 'string' then redis.call('ZREM', old.organisationIndex, ARGV[2]) end
end
redis.call('SET', KEYS[1], ARGV[1])
if ARGV[3] == '1' then
  local seq = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[2], seq, ARGV[2])
end
return 1
`;

/** Deletes an installation and its organisation index entry. KEYS: record. ARGV: key. */
export const INSTALLATION_DELETE_SCRIPT = `
local previous = redis.call('GET', KEYS[1])
if not previous then return 0 end
local old = cjson.decode(previous)
if type(old.organisationIndex) == 'string' then redis.call('ZREM', old.organisationIndex, ARGV[1]) end
redis.call('DEL', KEYS[1])
return 1
`;
